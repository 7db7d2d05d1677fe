// The real control plane for end-to-end tests (test/cluster/): one local cluster per test file
// (test/controlplane/local-cluster.ts), AWS clients on its moto_server, and what tests read off it:
// kube-apiserver's audit log and the APIService's conditions.
import { readFileSync } from 'node:fs';
import type { AwsClients } from '../../src/aws/clients.js';
import type { LocalAws } from '../../src/aws/moto.js';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../controlplane/local-cluster.js';
import { awsClients } from './aws.js';
import type { Kubectl } from './kubectl.js';

/** Flags that make the server notice out-of-band changes and leadership changes quickly in tests. */
export const FAST_SERVER_FLAGS = ['--resync-period', '1', '--transitional-resync-period', '0.5', '--leader-elect-lease-duration', '3', '--leader-elect-renew-deadline', '2', '--leader-elect-retry-period', '0.5'];

export interface TestCluster {
  cluster: LocalCluster;
  aws: AwsClients;
  /** The real kubectl as the cluster administrator, in `namespace` (null: none, manifests name theirs). */
  kubectl(namespace?: string | null): Kubectl;
  stop(): Promise<void>;
}

export async function startTestCluster(options: LocalClusterOptions = {}): Promise<TestCluster> {
  // Never the machine's own AWS settings: always a moto_server of the test's own.
  const cluster = await startLocalCluster({ serverArgs: FAST_SERVER_FLAGS, ...options, localAws: true });
  const aws = awsClients((cluster.moto as LocalAws).endpoint);
  return {
    cluster,
    aws,
    kubectl: (namespace = 'default') => cluster.cp.admin.inNamespace(namespace),
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
}

/** What kube-apiserver audited so far (the users the cluster was started to audit). */
export function auditEvents(cluster: LocalCluster): AuditEvent[] {
  return readFileSync(cluster.cp.auditLog, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AuditEvent);
}
