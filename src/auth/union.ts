// Several ways to authenticate, tried in kube-apiserver's order (front proxy, client certificate,
// bearer token): the first that recognises the caller wins. Everyone authenticated is also in
// system:authenticated (k8s.io/apiserver's AuthenticatedGroupAdder); the aggregator's own calls arrive
// without groups and need it to pass system:discovery.
import type { IncomingMessage } from 'node:http';
import type { Authenticator, UserInfo } from './types.js';

const AUTHENTICATED = 'system:authenticated';

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED) || user.name === 'system:anonymous') return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED] };
}

export class UnionAuthenticator implements Authenticator {
  constructor(private readonly authenticators: Authenticator[]) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    let failure: Error | undefined;
    for (const authenticator of this.authenticators) {
      try {
        const user = await authenticator.authenticate(req);
        if (user) return withAuthenticatedGroup(user);
      } catch (error) {
        // Rejected credentials of one kind do not stop another kind from authenticating the caller.
        failure ??= error as Error;
      }
    }
    if (failure) throw failure;
    return undefined;
  }
}
