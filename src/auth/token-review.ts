// Bearer tokens of direct callers (Prometheus, a kubeconfig pointed at the pod), checked with a
// TokenReview against kube-apiserver. Answers are cached briefly, good and bad alike, like
// k8s.io/apiserver's cached token authenticator, so a busy client costs one review per TTL.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../api/errors.js';
import { bearerToken } from './static-token.js';
import { TtlCache } from './ttl-cache.js';
import type { Authenticator, UserInfo } from './types.js';

/** Asks the cluster who a token belongs to; undefined when the cluster says it is not valid. */
export interface TokenReviewer {
  review(token: string): Promise<UserInfo | undefined>;
}

const CACHE_ENTRIES = 10_000;

export class TokenReviewAuthenticator implements Authenticator {
  private readonly cache: TtlCache<UserInfo | null>;

  constructor(
    private readonly reviewer: TokenReviewer,
    private readonly ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(CACHE_ENTRIES, now);
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    // Keyed by a hash: the cache never holds a usable credential.
    const key = createHash('sha256').update(token).digest('base64');
    let user = this.cache.get(key);
    if (user === undefined) {
      user = (await this.review(token)) ?? null;
      this.cache.set(key, user, this.ttlMs);
    }
    if (!user) throw unauthorized();
    return user;
  }

  /** A review that fails (kube-apiserver unreachable) is a 401 now and is not remembered. */
  private async review(token: string): Promise<UserInfo | undefined> {
    try {
      return await this.reviewer.review(token);
    } catch {
      throw unauthorized();
    }
  }
}
