// Delegated authorization, as k8s.io/apiserver's delegating authorizer: system:masters and the
// health paths are allowed outright; every other request is a SubjectAccessReview to kube-apiserver,
// with the attributes kube-apiserver itself would use (verb, group, resource, namespace, name; or the
// path of a non-resource request). Decisions are cached briefly. A review that fails denies (403).
import type { RequestInfo } from '../api/request-info.js';
import type { Logger } from '../log.js';
import { isHealthPath } from './always-allowed.js';
import { TtlCache } from './ttl-cache.js';
import type { Authorizer, Decision, UserInfo } from './types.js';

/** The spec of an authorization.k8s.io/v1 SubjectAccessReview. */
export interface AccessReviewSpec {
  user: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
  resourceAttributes?: { namespace: string; verb: string; group: string; version: string; resource: string; subresource: string; name: string };
  nonResourceAttributes?: { path: string; verb: string };
}

export interface AccessReviewer {
  review(spec: AccessReviewSpec): Promise<Decision>;
}

export interface DecisionCacheTtls {
  allowedMs: number;
  deniedMs: number;
}

const CACHE_ENTRIES = 10_000;
const MASTERS = 'system:masters';

export function accessReviewSpec(user: UserInfo, info: RequestInfo): AccessReviewSpec {
  const subject = { user: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, extra: user.extra };
  if (!info.isResourceRequest) return { ...subject, nonResourceAttributes: { path: info.path, verb: info.verb } };
  const { namespace, verb, apiGroup: group, apiVersion: version, resource, subresource, name } = info;
  return { ...subject, resourceAttributes: { namespace, verb, group, version, resource, subresource, name } };
}

export class SubjectAccessReviewAuthorizer implements Authorizer {
  private readonly cache: TtlCache<Decision>;

  constructor(
    private readonly reviewer: AccessReviewer,
    private readonly ttls: DecisionCacheTtls,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(CACHE_ENTRIES, now);
  }

  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    if (user.groups.includes(MASTERS) || isHealthPath(info.path)) return { allowed: true };
    const spec = accessReviewSpec(user, info);
    const key = JSON.stringify(spec);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let decision: Decision;
    try {
      decision = await this.reviewer.review(spec);
    } catch (error) {
      this.log.warn({ err: error, user: user.name, verb: info.verb, path: info.path }, 'SubjectAccessReview failed; denying the request');
      return { allowed: false, reason: 'the authorization check could not be made' };
    }
    this.cache.set(key, decision, decision.allowed ? this.ttls.allowedMs : this.ttls.deniedMs);
    return decision;
  }
}
