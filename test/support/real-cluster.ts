// The real control plane for end-to-end tests (test/cluster/): one local cluster per test file
// (test/controlplane/local-cluster.ts), AWS clients on its moto_server, requests straight to the
// server as kube-apiserver's aggregator makes them (front-proxy certificate and X-Remote-* headers)
// or as a direct caller would, and what tests read off kube-apiserver: objects, the audit log.
import { readFileSync } from 'node:fs';
import type { AwsClients } from '../../src/aws/clients.js';
import type { LocalAws } from '../../src/aws/moto.js';
import type { KeyPair } from '../../src/tls/certificates.js';
import { SERVING_NAME, type Replica } from '../controlplane/aggregated-server.js';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../controlplane/local-cluster.js';
import { awsClients } from './aws.js';
import { proxiedBy, serverRequests, type ProxiedUser, type RequestOptions } from './cluster.js';
import type { HttpsResponse } from './https.js';
import type { Kubectl } from './kubectl.js';

/** Flags that make the server notice out-of-band changes and leadership changes quickly in tests. */
export const FAST_SERVER_FLAGS = ['--resync-period', '1', '--transitional-resync-period', '0.5', '--leader-elect-lease-duration', '3', '--leader-elect-renew-deadline', '2', '--leader-elect-retry-period', '0.5'];

export interface TestCluster {
  cluster: LocalCluster;
  aws: AwsClients;
  /** The real kubectl as the cluster administrator, in `namespace` (null: none, manifests name theirs). */
  kubectl(namespace?: string | null): Kubectl;
  /** The replica serving now (the leader), for requests straight to it. */
  server(): Replica;
  /** The aggregator's client certificate (front-proxy CA, CN front-proxy-client) and its CA. */
  frontProxy: KeyPair;
  frontProxyCA: KeyPair;
  /** A certificate from the cluster's client CA (CN user, O groups), as kube-apiserver would accept. */
  userCertificate(user: string, groups?: string[]): KeyPair;
  /** A request as kube-apiserver's aggregator forwards it: front-proxy certificate plus X-Remote-* headers. */
  proxied(as: ProxiedUser, path: string, options?: RequestOptions): Promise<HttpsResponse>;
  /** A request straight to the server, with whatever credentials `options` carry. */
  direct(path: string, options?: RequestOptions): Promise<HttpsResponse>;
  /** An object as kube-apiserver has it (as the administrator), or undefined when it does not exist. */
  get<T = Record<string, unknown>>(path: string): Promise<T | undefined>;
  /**
   * The SubjectAccessReview specs the server sent kube-apiserver, oldest first (from the audit log); only those
   * about `user` when given, because kube-controller-manager's discovery and garbage collector call the server
   * in the background and their reviews may land between a test's request and its check.
   */
  accessReviews(user?: string): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startTestCluster(options: LocalClusterOptions = {}): Promise<TestCluster> {
  // Never the machine's own AWS settings: always a moto_server of the test's own.
  const cluster = await startLocalCluster({ serverArgs: FAST_SERVER_FLAGS, ...options, localAws: true });
  const aws = awsClients((cluster.moto as LocalAws).endpoint);
  const { pki } = cluster.cp;
  const frontProxy = { certPem: readFileSync(pki.files.frontProxyClientCert, 'utf8'), keyPem: readFileSync(pki.files.frontProxyClientKey, 'utf8') };
  const server = () => cluster.front.leader() ?? cluster.replicas[0];
  const direct = serverRequests(() => ({ url: server().url, ca: cluster.serving.caPem, servername: SERVING_NAME }));
  return {
    cluster,
    aws,
    kubectl: (namespace = 'default') => cluster.cp.admin.inNamespace(namespace),
    server,
    frontProxy,
    frontProxyCA: pki.frontProxyCA,
    userCertificate: (user, groups) => pki.clientCertificate(user, groups),
    proxied: proxiedBy(direct, frontProxy),
    direct,
    async get<T>(path: string) {
      const answer = await cluster.cp.get(path);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as T;
    },
    accessReviews: (user) =>
      auditEvents(cluster.cp)
        .filter((e) => e.objectRef?.resource === 'subjectaccessreviews' && e.requestObject)
        .map((e) => (e.requestObject as { spec: Record<string, unknown> }).spec)
        .filter((spec) => user === undefined || spec.user === user),
    async stop() {
      aws.destroy();
      await cluster.stop();
    },
  };
}

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number; message?: string; reason?: string };
  /** Only where the audit policy records bodies (the server's SubjectAccessReviews). */
  requestObject?: unknown;
}

/** What kube-apiserver audited so far (the users the control plane was started to audit). */
export function auditEvents(cp: { auditLog: string }): AuditEvent[] {
  return readFileSync(cp.auditLog, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AuditEvent);
}
