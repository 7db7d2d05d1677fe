// The list and watch query parameters, validated as kube-apiserver validates them (apimachinery's
// ValidateListOptions): invalid combinations of resourceVersion, resourceVersionMatch, continue and
// sendInitialEvents are 422 Invalid on ListOptions.meta.k8s.io with the same field messages.
import { badRequest, fieldError, invalid, type FieldError } from '../api/errors.js';
import { parseResourceVersion } from '../registry/resource-version.js';
import { booleanOf, integerOf } from './query.js';

export type ResourceVersionMatch = 'NotOlderThan' | 'Exact';

export interface ListOptions {
  /** undefined when absent or empty. */
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Watch only. Absent is not the same as false (see registry/watch.ts). */
  sendInitialEvents?: boolean;
  /** 0: no limit. */
  limit: number;
  continue?: string;
  /** Watch: close the stream after this long; 0 or absent: the server's default. */
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
}

const MATCH = 'resourceVersionMatch';

function forbidden(field: string, detail: string): FieldError {
  return fieldError('FieldValueForbidden', field, detail);
}

function notSupported(value: string, supported: string[]): FieldError {
  return fieldError('FieldValueNotSupported', MATCH, `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`, value);
}

function listErrors(resourceVersion: string | undefined, match: string | undefined, sendInitialEvents: boolean | undefined, continueToken: string | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (match) {
    if (!resourceVersion) errors.push(forbidden(MATCH, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (continueToken) errors.push(forbidden(MATCH, 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errors.push(notSupported(match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && resourceVersion === '0') errors.push(forbidden(MATCH, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (sendInitialEvents !== undefined) errors.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errors;
}

function watchErrors(match: string | undefined, sendInitialEvents: boolean | undefined, continueToken: string | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan') errors.push(forbidden(MATCH, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  if (match) {
    if (sendInitialEvents === undefined) errors.push(forbidden(MATCH, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') errors.push(notSupported(match, ['NotOlderThan']));
    if (continueToken) errors.push(forbidden(MATCH, 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return errors;
}

export function parseListOptions(query: URLSearchParams, watch: boolean): ListOptions {
  const resourceVersion = query.get('resourceVersion') || undefined;
  const match = query.get(MATCH) || undefined;
  const sendInitialEvents = query.has('sendInitialEvents') ? booleanOf(query, 'sendInitialEvents') : undefined;
  const continueToken = query.get('continue') || undefined;
  const errors = watch ? watchErrors(match, sendInitialEvents, continueToken) : listErrors(resourceVersion, match, sendInitialEvents, continueToken);
  if (errors.length) throw invalid('ListOptions', '', errors, 'meta.k8s.io');
  if (resourceVersion && resourceVersion !== '0' && parseResourceVersion(resourceVersion) === undefined) {
    throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
  }
  if (!watch && continueToken && resourceVersion && resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  const timeoutSeconds = integerOf(query, 'timeoutSeconds');
  return {
    ...(resourceVersion ? { resourceVersion } : {}),
    ...(match ? { resourceVersionMatch: match as ResourceVersionMatch } : {}),
    ...(sendInitialEvents !== undefined ? { sendInitialEvents } : {}),
    limit: integerOf(query, 'limit') ?? 0,
    ...(continueToken ? { continue: continueToken } : {}),
    ...(timeoutSeconds ? { timeoutSeconds } : {}),
    allowWatchBookmarks: booleanOf(query, 'allowWatchBookmarks'),
  };
}
