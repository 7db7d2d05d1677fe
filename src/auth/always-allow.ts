// Local mode's authorizer: with no cluster to send SubjectAccessReviews to, the local administrator
// (the only identity local mode knows) may do everything.
import type { Authorizer, Decision } from './types.js';

export class AlwaysAllowAuthorizer implements Authorizer {
  async authorize(): Promise<Decision> {
    return { allowed: true };
  }
}
