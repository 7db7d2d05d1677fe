// Who is calling, and may they do it: the two questions every request answers before anything else.
import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '../api/request-info.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface Authenticator {
  /**
   * The caller's identity; undefined when the request carries no credentials this authenticator
   * handles. Throws a 401 StatusError when it carries credentials that are not valid.
   */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Promise<Decision>;
}
