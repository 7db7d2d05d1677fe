// TokenReview and SubjectAccessReview calls to kube-apiserver, made with the server's own identity
// (its service account needs the system:auth-delegator ClusterRole).
import type { AccessReviewer, AccessReviewSpec } from '../auth/subject-access-review.js';
import type { TokenReviewer } from '../auth/token-review.js';
import type { Decision, UserInfo } from '../auth/types.js';
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage } from './errors.js';

export class KubeTokenReviewer implements TokenReviewer {
  constructor(
    private readonly cluster: ClusterConnection,
    private readonly log: Logger,
  ) {}

  async review(token: string): Promise<UserInfo | undefined> {
    try {
      const review = await this.cluster.authentication.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
      const user = review.status?.user;
      if (!review.status?.authenticated || !user?.username) return undefined;
      return { name: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups ?? [], extra: user.extra ?? {} };
    } catch (error) {
      this.log.warn({ error: kubeErrorMessage(error) }, 'TokenReview failed');
      throw error;
    }
  }
}

export class KubeAccessReviewer implements AccessReviewer {
  constructor(private readonly cluster: ClusterConnection) {}

  async review(spec: AccessReviewSpec): Promise<Decision> {
    try {
      const review = await this.cluster.authorization.createSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } });
      const status = review.status;
      return { allowed: Boolean(status?.allowed) && !status?.denied, ...(status?.reason ? { reason: status.reason } : {}) };
    } catch (error) {
      throw new Error(`SubjectAccessReview failed: ${kubeErrorMessage(error)}`, { cause: error });
    }
  }
}
