// The 403 message kube-apiserver writes (apiserver endpoints/handlers/responsewriters forbiddenMessage).
import { forbidden, StatusError } from '../api/errors.js';
import type { RequestInfo } from '../api/request-info.js';
import { GROUP } from '../api/types.js';
import type { UserInfo } from './types.js';

export function forbiddenError(user: UserInfo, info: RequestInfo, reason?: string): StatusError {
  const suffix = reason ? `: ${reason}` : '';
  if (!info.isResourceRequest) return forbidden(`forbidden: User "${user.name}" cannot ${info.verb} path "${info.path}"${suffix}`);
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const subject = info.name ? `${info.resource}.${info.apiGroup} "${info.name}"` : `${info.resource}.${info.apiGroup}`;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return forbidden(`${subject} is forbidden: User "${user.name}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" ${scope}${suffix}`, {
    ...(info.name ? { name: info.name } : {}),
    group: info.apiGroup || GROUP,
    kind: info.resource,
  });
}
