// Which resourceVersion a list is served at. The view holds only the present, so a list always shows
// the current state; what varies is which version it may claim, and when the request must be refused
// (the ListOptions semantics kube-apiserver's watch cache applies):
//  - unset or "0": the current state, at the current version;
//  - N with NotOlderThan (the default): the same, which is not older than N; an N newer than any
//    version issued is 504 "Too large resource version", on which client-go relists from scratch;
//  - N with Exact: the state at N, which the view is only while no object of this kind changed after
//    N (the list then claims N); otherwise 410 Expired, as for a compacted etcd revision.
import { badRequest, expired, resourceVersionTooLarge } from '../api/errors.js';
import type { EventLog } from './event-log.js';
import { parseResourceVersion, type ResourceVersionClock } from './resource-version.js';

export interface ListVersionRequest {
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

export function listResourceVersion(request: ListVersionRequest, clock: ResourceVersionClock, log: EventLog): string {
  const current = clock.current();
  if (!request.resourceVersion || request.resourceVersion === '0') return String(current);
  const requested = parseResourceVersion(request.resourceVersion);
  if (requested === undefined) throw badRequest(`invalid resource version: ${JSON.stringify(request.resourceVersion)}`);
  if (requested > current) throw resourceVersionTooLarge(requested, current);
  if (request.resourceVersionMatch !== 'Exact') return String(current);
  if (log.since(requested)?.length === 0) return request.resourceVersion;
  throw expired(`too old resource version: ${requested} (${log.oldest})`);
}
