// Local mode (no cluster to ask): one bearer token, written into the generated kubeconfig, that
// identifies a local administrator. Compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../api/errors.js';
import type { Authenticator, UserInfo } from './types.js';

export const LOCAL_ADMIN: UserInfo = { name: 'local-admin', groups: ['system:masters', 'system:authenticated'], extra: {} };

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export class StaticTokenAuthenticator implements Authenticator {
  private readonly expected: Buffer;

  constructor(
    token: string,
    private readonly user: UserInfo = LOCAL_ADMIN,
  ) {
    this.expected = Buffer.from(token);
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    const given = Buffer.from(token);
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) throw unauthorized();
    return this.user;
  }
}
