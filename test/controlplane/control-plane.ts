// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager,
// built from the official sources (build.ts), each a child process on free ports, stopped by PID.
// kube-apiserver runs with RBAC authorization, client certificates, the front-proxy (aggregation
// layer) certificates, a service-account issuer (TokenRequest, so `kubectl create token` works) and an
// audit log of the users the caller names. kube-controller-manager runs the garbage collector and
// namespace controllers (and what they and Deployments need). There is no kubelet and no scheduler:
// Pods are stored but never run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../src/aws/moto.js';
import { https, type HttpsResponse } from '../support/https.js';
import { Kubectl } from '../support/kubectl.js';
import { ensureControlPlane, type ControlPlaneBinaries } from './build.js';
import { httpsGet } from './https-get.js';
import { createClusterPki, SERVICE_CLUSTER_IP_RANGE, writeKubeconfigFile, FRONT_PROXY_CLIENT, type ClusterPki } from './pki.js';
import { startProcess, waitFor, type OwnedProcess } from './process.js';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** What kube-controller-manager runs: garbage collection, namespace deletion, the aggregation of our roles into view/edit/admin, and what service accounts and the seed's Deployment need. */
const CONTROLLERS = ['garbage-collector-controller', 'namespace-controller', 'clusterrole-aggregation-controller', 'serviceaccount-controller', 'serviceaccount-token-controller', 'root-ca-certificate-publisher-controller', 'deployment-controller', 'replicaset-controller'];
const START_TIMEOUT_MS = 120_000;

export interface ControlPlaneOptions {
  /** Where certificates, kubeconfigs, etcd's data and the logs go (default: a new temporary folder). */
  dir?: string;
  /** Users whose requests kube-apiserver writes to the audit log (with the status it answered). */
  auditedUsers?: string[];
  /** Static bearer tokens kube-apiserver accepts (its --token-auth-file): token → user. */
  tokens?: Record<string, StaticTokenUser>;
  log?: (line: string) => void;
}

export interface StaticTokenUser {
  username: string;
  uid?: string;
  groups?: string[];
}

export interface ControlPlane {
  dir: string;
  binaries: ControlPlaneBinaries;
  /** kube-apiserver's URL. */
  url: string;
  pki: ClusterPki;
  /** A kubeconfig for a cluster administrator (group system:masters). */
  adminKubeconfig: string;
  /** The real kubectl as that administrator, with no default namespace (manifests name theirs). */
  admin: Kubectl;
  /** kube-apiserver's audit log: one JSON event per line. */
  auditLog: string;
  processes: OwnedProcess[];
  /** A kubeconfig for a user with a certificate from the cluster CA (CN user, O groups). */
  userKubeconfig(user: string, groups?: string[], namespace?: string): string;
  /** A kubeconfig carrying a bearer token (e.g. from `kubectl create token`). */
  tokenKubeconfig(name: string, token: string, namespace?: string): string;
  /** kube-apiserver's answer to a GET as the administrator. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** Any request to kube-apiserver as the administrator. */
  request(path: string, options?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<HttpsResponse>;
  stop(): Promise<void>;
}

/** The audited users' requests with status codes; their SubjectAccessReviews with the review itself. */
function auditPolicy(users: string[]): string {
  const audited = users.length
    ? [
        { level: 'RequestResponse', users, resources: [{ group: 'authorization.k8s.io', resources: ['subjectaccessreviews'] }] },
        { level: 'Metadata', users },
      ]
    : [];
  return stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [...audited, { level: 'None' }] });
}

/** kube-apiserver's static token file: token,user,uid,"group1,group2" per line. */
function tokenFile(tokens: Record<string, StaticTokenUser>): string {
  return Object.entries(tokens)
    .map(([token, user]) => [token, user.username, user.uid ?? user.username, `"${(user.groups ?? []).join(',')}"`].join(','))
    .join('\n');
}

async function startEtcd(binaries: ControlPlaneBinaries, dir: string): Promise<{ process: OwnedProcess; url: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = await startProcess('etcd', binaries.path('etcd'), [
    '--name=local',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=local=${peer}`,
    // A throwaway store on loopback: durability is not what these clusters are for, speed is.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ], { logFile: join(dir, 'etcd.log') });
  await waitFor('etcd to be healthy', async () => (await fetch(`${url}/health`)).ok, START_TIMEOUT_MS, [etcd]);
  return { process: etcd, url };
}

function apiserverArgs(pki: ClusterPki, etcdUrl: string, port: number, dir: string, auditPolicyFile: string, auditLog: string, tokensFile: string | undefined): string[] {
  return [
    ...(tokensFile ? [`--token-auth-file=${tokensFile}`] : []),
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // The `kubernetes` Service's endpoints cannot be a loopback address, and nothing here needs them.
    '--endpoint-reconciler-type=none',
    `--secure-port=${port}`,
    `--tls-cert-file=${pki.files.apiserverCert}`,
    `--tls-private-key-file=${pki.files.apiserverKey}`,
    `--client-ca-file=${pki.files.ca}`,
    '--authorization-mode=RBAC',
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.files.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.files.serviceAccountKey}`,
    // The aggregation layer: kube-apiserver proxies to aggregated servers with this client
    // certificate and the caller's identity in these headers, and publishes both in
    // kube-system/extension-apiserver-authentication for the aggregated servers to verify.
    `--requestheader-client-ca-file=${pki.files.frontProxyCA}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.files.frontProxyClientCert}`,
    `--proxy-client-key-file=${pki.files.frontProxyClientKey}`,
    `--audit-policy-file=${auditPolicyFile}`,
    `--audit-log-path=${auditLog}`,
    '--audit-log-format=json',
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    '--profiling=false',
    '--v=1',
  ];
}

async function startControllerManager(binaries: ControlPlaneBinaries, pki: ClusterPki, kubeconfig: string, dir: string): Promise<OwnedProcess> {
  return startProcess('kube-controller-manager', binaries.path('kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    // Each controller acts as its own service account (system:serviceaccount:kube-system:<controller>), as in a real cluster.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.files.serviceAccountKey}`,
    `--root-ca-file=${pki.files.ca}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    // No serving port: nothing here scrapes it, and a fixed default port would collide between clusters.
    '--secure-port=0',
    '--v=1',
  ], { logFile: join(dir, 'kube-controller-manager.log') });
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const log = options.log ?? (() => undefined);
  const binaries = await ensureControlPlane(log);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'control-plane-'));
  mkdirSync(dir, { recursive: true });
  const pki = createClusterPki(dir);
  const processes: OwnedProcess[] = [];
  const stop = async () => {
    for (const process of [...processes].reverse()) await process.stop();
  };
  try {
    const etcd = await startEtcd(binaries, dir);
    processes.push(etcd.process);

    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const auditPolicyFile = join(dir, 'audit-policy.yaml');
    writeFileSync(auditPolicyFile, auditPolicy(options.auditedUsers ?? []));
    const auditLog = join(dir, 'audit.log');
    const tokensFile = options.tokens ? join(dir, 'tokens.csv') : undefined;
    if (tokensFile) writeFileSync(tokensFile, tokenFile(options.tokens ?? {}), { mode: 0o600 });
    const apiserver = await startProcess('kube-apiserver', binaries.path('kube-apiserver'), apiserverArgs(pki, etcd.url, port, dir, auditPolicyFile, auditLog, tokensFile), { logFile: join(dir, 'kube-apiserver.log') });
    processes.push(apiserver);
    const adminCertificate = pki.clientCertificate('kubernetes-admin', ['system:masters']);
    const adminKubeconfig = writeKubeconfigFile(join(dir, 'admin.kubeconfig'), url, pki.ca.certPem, 'kubernetes-admin', { certificate: adminCertificate });
    const get = (path: string) => httpsGet(`${url}${path}`, { ca: pki.ca.certPem, cert: adminCertificate.certPem, key: adminCertificate.keyPem });
    // readyz includes the RBAC bootstrap roles (admin/edit/view) and the aggregator's post-start hooks.
    await waitFor('kube-apiserver to be ready', async () => (await get('/readyz')).status === 200, START_TIMEOUT_MS, processes);

    const controllerManagerKubeconfig = writeKubeconfigFile(join(dir, 'kube-controller-manager.kubeconfig'), url, pki.ca.certPem, 'system:kube-controller-manager', { certificate: pki.clientCertificate('system:kube-controller-manager') });
    processes.push(await startControllerManager(binaries, pki, controllerManagerKubeconfig, dir));
    // The service account controller making `default` in `default` shows the controller manager is working.
    await waitFor('kube-controller-manager to make the default service account', async () => (await get('/api/v1/namespaces/default/serviceaccounts/default')).status === 200, START_TIMEOUT_MS, processes);

    const users = join(dir, 'users');
    mkdirSync(users, { recursive: true });
    let counter = 0;
    const kubeconfigPath = (name: string) => join(users, `${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${++counter}.kubeconfig`);
    return {
      dir,
      binaries,
      url,
      pki,
      adminKubeconfig,
      admin: new Kubectl(adminKubeconfig, null),
      auditLog,
      processes,
      userKubeconfig: (user, groups = [], namespace) => writeKubeconfigFile(kubeconfigPath(user), url, pki.ca.certPem, user, { certificate: pki.clientCertificate(user, groups) }, { namespace }),
      tokenKubeconfig: (name, token, namespace) => writeKubeconfigFile(kubeconfigPath(name), url, pki.ca.certPem, name, { token }, { namespace }),
      get,
      request: (path, request = {}) => https(`${url}${path}`, { ...request, ca: pki.ca.certPem, cert: adminCertificate.certPem, key: adminCertificate.keyPem }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
