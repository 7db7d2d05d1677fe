// SelfSubjectAccessReview, SelfSubjectRulesReview (authorization.k8s.io/v1) and SelfSubjectReview
// (authentication.k8s.io/v1), served by a direct server in local mode so that `kubectl auth can-i`
// (and `--list`) and `kubectl auth whoami` work against it. Through a cluster, kube-apiserver answers
// them itself. Shapes as kube-apiserver's: the review comes back (201) with its status filled in.
import type { Express, Request, Response } from 'express';
import type { DiscoveredGroup } from '../api/discovery.js';
import { fieldError, invalid, type FieldError } from '../api/errors.js';
import type { RequestInfo } from '../api/request-info.js';
import { decodeKubernetesProtobuf, PROTOBUF, type MessageSchema } from '../api/protobuf.js';
import { isPlainObject } from '../api/types.js';
import type { Authorizer, UserInfo } from '../auth/types.js';
import type { Logger } from '../log.js';
import { mediaTypeOf, readBody, readObjectBody } from './body.js';
import { sendBody, sendError } from './respond.js';

const AUTHORIZATION = 'authorization.k8s.io';
const AUTHENTICATION = 'authentication.k8s.io';

const review = (name: string, kind: string) => ({ name, singularName: name.replace(/s$/, ''), kind, namespaced: false, verbs: ['create'] });

export const SELF_REVIEW_GROUPS: DiscoveredGroup[] = [
  { group: AUTHORIZATION, version: 'v1', resources: [review('selfsubjectaccessreviews', 'SelfSubjectAccessReview'), review('selfsubjectrulesreviews', 'SelfSubjectRulesReview')] },
  { group: AUTHENTICATION, version: 'v1', resources: [review('selfsubjectreviews', 'SelfSubjectReview')] },
];

export interface SelfReviewDeps {
  authorizer: Authorizer;
  log: Logger;
  /** The caller of this server (found by the authentication middleware). */
  user: (res: Response) => UserInfo;
}

const RESOURCE_FIELDS = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;
const NON_RESOURCE_FIELDS = ['path', 'verb'] as const;

/** The string fields of `attributes` (a missing one is ''), or the errors of those that are not strings. */
function stringFields<K extends string>(attributes: Record<string, unknown>, fields: readonly K[], path: string): { values: Record<K, string>; errors: FieldError[] } {
  const values = {} as Record<K, string>;
  const errors: FieldError[] = [];
  for (const field of fields) {
    const value = attributes[field] ?? '';
    if (typeof value === 'string') values[field] = value;
    else errors.push(fieldError('FieldValueTypeInvalid', `${path}.${field}`, 'must be a string', value));
  }
  return { values, errors };
}

/** What the review asks about, as the RequestInfo the authorizer decides on. */
function reviewedRequest(spec: unknown): RequestInfo {
  const fail = (errors: FieldError[]) => invalid('SelfSubjectAccessReview', '', errors, AUTHORIZATION);
  if (!isPlainObject(spec)) throw fail([fieldError('FieldValueRequired', 'spec', 'spec is required')]);
  const { resourceAttributes: resource, nonResourceAttributes: nonResource } = spec;
  if (isPlainObject(resource) === isPlainObject(nonResource)) {
    throw fail([fieldError('FieldValueInvalid', 'spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified', resource ?? null)]);
  }
  if (isPlainObject(resource)) {
    const { values, errors } = stringFields(resource, RESOURCE_FIELDS, 'spec.resourceAttributes');
    if (errors.length) throw fail(errors);
    return { isResourceRequest: true, path: '', verb: values.verb, apiGroup: values.group, apiVersion: values.version, namespace: values.namespace, resource: values.resource, subresource: values.subresource, name: values.name };
  }
  const { values, errors } = stringFields(nonResource as Record<string, unknown>, NON_RESOURCE_FIELDS, 'spec.nonResourceAttributes');
  if (errors.length) throw fail(errors);
  return { isResourceRequest: false, path: values.path, verb: values.verb, apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
}

function answer(kind: string, group: string, spec: unknown, status: Record<string, unknown>) {
  return { kind, apiVersion: `${group}/v1`, metadata: { creationTimestamp: null }, ...(spec === undefined ? {} : { spec }), status };
}

function userInfoOf(user: UserInfo) {
  return { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(Object.keys(user.extra).length ? { extra: user.extra } : {}) };
}

/** Every rule allowed, as kube-apiserver lists them for system:masters (the local administrator). */
const EVERYTHING = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };

/** The review's fields that matter, by protobuf field number (k8s.io/api/authorization/v1/generated.proto). */
const SPEC_SCHEMAS: Record<string, MessageSchema> = {
  SelfSubjectAccessReview: {
    2: ['spec', { 1: ['resourceAttributes', { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' }], 2: ['nonResourceAttributes', { 1: 'path', 2: 'verb' }] }],
  },
  SelfSubjectRulesReview: { 2: ['spec', { 1: 'namespace' }] },
  SelfSubjectReview: {},
};

/** The review sent: JSON or YAML, or protobuf as kubectl's typed clients send it. */
async function body(req: Request, kind: string): Promise<Record<string, unknown>> {
  const decoded = mediaTypeOf(req) === PROTOBUF ? decodeKubernetesProtobuf(await readBody(req), SPEC_SCHEMAS[kind]) : (await readObjectBody(req, () => undefined)).object;
  return isPlainObject(decoded) ? decoded : {};
}

export function serveSelfReviews(app: Express, deps: SelfReviewDeps): void {
  const route = (path: string, handle: (req: Request, res: Response) => Promise<unknown>) =>
    app.post(path, (req, res) => {
      handle(req, res).then(
        (reply) => sendBody(res, 201, reply),
        (error: unknown) => sendError(res, error, deps.log),
      );
    });

  route(`/apis/${AUTHORIZATION}/v1/selfsubjectaccessreviews`, async (req, res) => {
    const { spec } = await body(req, 'SelfSubjectAccessReview');
    const decision = await deps.authorizer.authorize(deps.user(res), reviewedRequest(spec));
    return answer('SelfSubjectAccessReview', AUTHORIZATION, spec, { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) });
  });
  // Only the local administrator is served here, and it may do everything.
  route(`/apis/${AUTHORIZATION}/v1/selfsubjectrulesreviews`, async (req) => answer('SelfSubjectRulesReview', AUTHORIZATION, (await body(req, 'SelfSubjectRulesReview')).spec ?? {}, EVERYTHING));
  route(`/apis/${AUTHENTICATION}/v1/selfsubjectreviews`, async (req, res) => {
    await body(req, 'SelfSubjectReview');
    return answer('SelfSubjectReview', AUTHENTICATION, undefined, { userInfo: userInfoOf(deps.user(res)) });
  });
}
