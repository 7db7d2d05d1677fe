// Our server installed into a control plane the way deploy/ and apiservice/ install it into a
// cluster, with what stands in for the parts of a cluster we do not run:
// - its identity is the ServiceAccount of deploy/ with deploy/'s RBAC (never an administrator): the
//   replicas get a token for it from the TokenRequest API, as a kubelet would mount one;
// - each replica is a process on loopback, with a Pod object of its name (never run: there is no
//   kubelet) so that leader election labels a real Pod, as in a cluster;
// - the Service is of type ExternalName pointing at 127.0.0.1: kube-apiserver's aggregator dials
//   `externalName:port` and verifies the serving certificate for `<service>.<namespace>.svc`;
// - a TCP front on that port forwards each connection to the replica whose Pod carries the leader
//   label, as kube-proxy would send Service traffic to the Service's selected endpoint.
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { generateClusterCertificates } from '../../certs/cluster-certificates.js';
import { freePort } from '../../src/aws/moto.js';
import type { ControlPlane } from './control-plane.js';
import { httpsGet } from './https-get.js';
import { repoRoot } from '../support/paths.js';
import { startProcess, waitFor, type OwnedProcess } from './process.js';

export const SERVER_NAMESPACE = 'aws-service-apiserver';
export const SERVER_SERVICE_ACCOUNT = 'aws-service-apiserver';
export const SERVER_USER = `system:serviceaccount:${SERVER_NAMESPACE}:${SERVER_SERVICE_ACCOUNT}`;
export const SERVICE_NAME = 'aws-service-apiserver';
export const API_SERVICE = 'v1alpha1.service-operator.aws';
/** The name kube-apiserver's aggregator verifies the serving certificate for. */
export const SERVING_NAME = `${SERVICE_NAME}.${SERVER_NAMESPACE}.svc`;
const LEADER_LABEL = 'service-operator.aws/leader';
/** The parts of deploy/base that make the server's identity and RBAC (not the Deployment: no kubelet runs it). */
const IDENTITY_MANIFESTS = ['namespace.yaml', 'serviceaccount.yaml', 'rbac-delegation.yaml', 'rbac-server.yaml', 'rbac-aggregated.yaml', 'rbac-adopt.yaml'];
/** The longest a replica's service-account token lives; a local cluster is restarted long before. */
const TOKEN_DURATION = '168h';
const READY_TIMEOUT_MS = 60_000;

export function deployManifest(name: string): string {
  return join(repoRoot(), 'deploy', 'base', name);
}

/** Applies deploy/'s namespace, ServiceAccount and RBAC, and returns a token of that ServiceAccount. */
export async function installServerIdentity(cp: ControlPlane): Promise<string> {
  await cp.admin.ok(['apply', ...IDENTITY_MANIFESTS.flatMap((name) => ['-f', deployManifest(name)])]);
  const token = await cp.admin.ok(['create', 'token', SERVER_SERVICE_ACCOUNT, '-n', SERVER_NAMESPACE, `--duration=${TOKEN_DURATION}`]);
  return token.trim();
}

export interface ServingCertificates {
  certFile: string;
  keyFile: string;
  caPem: string;
  /** apiservice/apiservice.yaml with the caBundle of the CA that signed the certificate. */
  apiService: { spec: { service: { port?: number } } } & Record<string, unknown>;
}

/** What `npm run certs` makes for a cluster (the same code), for the Service's DNS names. */
export function servingCertificates(dir: string): ServingCertificates {
  const outDir = join(dir, 'serving');
  generateClusterCertificates({ namespace: SERVER_NAMESPACE, service: SERVICE_NAME, clusterDomain: 'cluster.local', days: 30, outDir, apiServiceTemplate: join(repoRoot(), 'apiservice', 'apiservice.yaml'), certManager: false });
  return { certFile: join(outDir, 'tls.crt'), keyFile: join(outDir, 'tls.key'), caPem: readFileSync(join(outDir, 'ca.crt'), 'utf8'), apiService: parse(readFileSync(join(outDir, 'apiservice.yaml'), 'utf8')) as ServingCertificates['apiService'] };
}

export interface ReplicaOptions {
  cp: ControlPlane;
  name: string;
  /** The server's kubeconfig (its service-account token). */
  kubeconfig: string;
  serving: ServingCertificates;
  clusterName: string;
  /** The AWS the server talks to (endpoint, credentials, region). */
  awsEnvironment: Record<string, string>;
  extraArgs?: string[];
  logDir: string;
}

export interface Replica {
  name: string;
  port: number;
  url: string;
  /** The process now running (a new one after start()). */
  readonly process: OwnedProcess;
  /** Starts the process again on the same port, after stop() or kill(). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A Pod as deploy/'s Deployment would make it (its pod template), standing for one replica process. */
async function createReplicaPod(cp: ControlPlane, name: string): Promise<void> {
  const deployment = parse(readFileSync(deployManifest('deployment.yaml'), 'utf8')) as { spec: { template: { metadata: Record<string, unknown>; spec: unknown } } };
  const { metadata, spec } = deployment.spec.template;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...metadata, name, namespace: SERVER_NAMESPACE, annotations: { 'service-operator.aws/stands-for': 'a server process on loopback (this cluster runs no kubelet)' } },
    spec,
  };
  await cp.admin.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
}

export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  await createReplicaPod(options.cp, options.name);
  const port = await freePort();
  const main = join(repoRoot(), 'dist', 'src', 'main.js');
  const args = [main, '--port', String(port), '--bind-address', '127.0.0.1', '--tls-cert-file', options.serving.certFile, '--tls-private-key-file', options.serving.keyFile, '--kubeconfig', options.kubeconfig, '--cluster-name', options.clusterName, ...(options.extraArgs ?? [])];
  const env = { PATH: process.env.PATH ?? '', HOME: options.logDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', POD_NAME: options.name, POD_NAMESPACE: SERVER_NAMESPACE, ...options.awsEnvironment };
  let current: OwnedProcess;
  const start = async () => {
    current = await startProcess(options.name, process.execPath, args, { env, logFile: join(options.logDir, `${options.name}.log`) });
    // Ready: AWS read, the cluster's authentication configuration loaded (kube/authentication-configmap.ts).
    await waitFor(`${options.name} to be ready on ${port}`, async () => (await httpsGet(`https://127.0.0.1:${port}/readyz`, { ca: options.serving.caPem, servername: SERVING_NAME })).status === 200, READY_TIMEOUT_MS, [current]);
  };
  await start();
  return {
    name: options.name,
    port,
    url: `https://127.0.0.1:${port}`,
    get process() {
      return current;
    },
    start,
    stop: () => current.stop(),
  };
}

/** Forwards each TCP connection to the replica whose Pod is labelled leader; none: the connection is refused. */
export class ServiceFront {
  private server: Server | undefined;
  private leaderPort: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly cp: ControlPlane,
    private readonly replicas: () => Replica[],
  ) {}

  async start(port: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), 250);
    this.server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
  }

  /** The replica the front sends traffic to now, if any. */
  leader(): Replica | undefined {
    return this.replicas().find((r) => r.port === this.leaderPort);
  }

  private async refresh(): Promise<void> {
    const answer = await this.cp.get(`/api/v1/namespaces/${SERVER_NAMESPACE}/pods?labelSelector=${encodeURIComponent(`${LEADER_LABEL}=true`)}`).catch(() => undefined);
    if (answer?.status !== 200) return;
    const names = (JSON.parse(answer.body) as { items: { metadata: { name: string } }[] }).items.map((pod) => pod.metadata.name);
    this.leaderPort = names.length === 1 ? this.replicas().find((r) => r.name === names[0])?.port : undefined;
  }

  private forward(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    if (this.leaderPort === undefined) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.leaderPort });
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', close);
    upstream.once('error', close);
    client.once('close', close);
    upstream.once('close', close);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The Service (ExternalName, at the front's port) and the APIService of apiservice/, with the caBundle. */
export async function registerApiService(cp: ControlPlane, serving: ServingCertificates, port: number): Promise<void> {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: SERVICE_NAME, namespace: SERVER_NAMESPACE }, spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port, protocol: 'TCP' }] } };
  const apiService = { ...serving.apiService, spec: { ...serving.apiService.spec, service: { ...serving.apiService.spec.service, port } } };
  await cp.admin.ok(['apply', '-f', '-'], { input: `${stringify(service)}---\n${stringify(apiService)}` });
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export async function apiServiceAvailable(cp: ControlPlane): Promise<Condition | undefined> {
  const answer = await cp.get(`/apis/apiregistration.k8s.io/v1/apiservices/${API_SERVICE}`);
  if (answer.status !== 200) return undefined;
  return (JSON.parse(answer.body) as { status?: { conditions?: Condition[] } }).status?.conditions?.find((c) => c.type === 'Available');
}

export async function waitForApiService(cp: ControlPlane, status: 'True' | 'False', timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  await waitFor(`APIService ${API_SERVICE} to be Available=${status}`, async () => (await apiServiceAvailable(cp))?.status === status, timeoutMs, cp.processes);
}

/**
 * kube-apiserver fetches an APIService's OpenAPI v3 root shortly after registration and serves
 * `/openapi/v3/apis/<group>/<version>` from then on; if that first fetch fails (the APIService
 * was not Available yet) it retries a minute later, and `kubectl explain` fails until then.
 */
export async function waitForAggregatedOpenApi(cp: ControlPlane, timeoutMs = 120_000): Promise<void> {
  await waitFor('kube-apiserver to serve our OpenAPI v3 document', async () => (await cp.get('/openapi/v3/apis/service-operator.aws/v1alpha1')).status === 200, timeoutMs, cp.processes);
}
