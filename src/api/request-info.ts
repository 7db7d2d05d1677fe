// Which verb on which resource a request is, derived from method, path and query like
// k8s.io/apiserver's RequestInfoFactory. Authorization (SubjectAccessReview) and routing both use it.
import { badRequest } from './errors.js';
import { parseFieldSelector } from './selectors.js';

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const METHOD_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function nonResource(method: string, path: string): RequestInfo {
  return { isResourceRequest: false, path, verb: method.toLowerCase(), apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
}

/** A path segment unescaped; a malformed %-escape is the client's error (400), as Go's URL parser says. */
function unescapeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in the request path: ${JSON.stringify(segment)}`);
  }
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter(Boolean).map(unescapeSegment);
  const verb = METHOD_VERBS[method.toUpperCase()];
  if (parts[0] !== 'apis' || parts.length < 4 || !verb) return nonResource(method, path);
  const [, apiGroup, apiVersion, ...rest] = parts;
  let namespace = '';
  let tail = rest;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    tail = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = tail;
  const info: RequestInfo = { isResourceRequest: true, path, verb, apiGroup, apiVersion, namespace, resource, subresource, name };
  if (!name) {
    // As kube-apiserver: any watch value but false/0 (in any case) is a watch, a bare `?watch` too.
    if (verb === 'get') info.verb = query.has('watch') && !['false', '0'].includes((query.getAll('watch')[0] ?? '').toLowerCase()) ? 'watch' : 'list';
    if (verb === 'delete') info.verb = 'deletecollection';
    if (info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection') {
      // A selector pinning metadata.name makes RBAC resourceNames apply (as in kube-apiserver).
      try {
        info.name = parseFieldSelector(query.get('fieldSelector')).name ?? '';
      } catch {
        info.name = '';
      }
    }
  }
  return info;
}
