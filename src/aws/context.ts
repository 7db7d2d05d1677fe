// What every AWS call of a kind is made with: the shared SDK clients, the region and account, and the
// deadline for waits. The registry creates one per request; the kinds and the AWS helpers use it.
import type { AwsClients } from './clients.js';

export interface AwsContext {
  aws: AwsClients;
  region: string;
  clusterName: string;
  /** The AWS account id (from STS), for ARNs and URLs. */
  accountId(): Promise<string>;
  /** Epoch ms by which a call that waits on AWS (e.g. for ACTIVE) must give up. */
  deadline: number;
}

/** The identity of the Kubernetes object a physical resource is created for. */
export interface ObjectIdentity {
  clusterName: string;
  namespace: string;
  name: string;
}
