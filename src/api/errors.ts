// Typed API errors. Every failure the server reports is one of these and leaves as a metav1.Status
// (the wording follows k8s.io/apimachinery/pkg/api/errors so kubectl prints what users already know).
import { GROUP } from './types.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'MethodNotAllowed'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

export type CauseType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound'
  | 'FieldManagerConflict'
  | 'NamespaceTerminating'
  | 'ResourceVersionTooLarge'
  | 'UnexpectedServerResponse';

export interface StatusCause {
  reason: CauseType;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** The `<plural>.<group> "<name>"` phrase kube-apiserver uses to name an object in messages. */
export function qualifiedName(plural: string, name?: string): string {
  const resource = `${plural}.${GROUP}`;
  return name ? `${resource} "${name}"` : resource;
}

export function notFound(plural: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedName(plural, name)} not found`, {
    name,
    group: GROUP,
    kind: plural,
  });
}

export function alreadyExists(plural: string, name: string, why?: string): StatusError {
  const message = `${qualifiedName(plural, name)} already exists${why ? `: ${why}` : ''}`;
  return new StatusError(409, 'AlreadyExists', message, { name, group: GROUP, kind: plural });
}

export function conflict(plural: string, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(plural, name)}: ${why}`, {
    name,
    group: GROUP,
    kind: plural,
  });
}

export const STALE_OBJECT_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function forbidden(message: string, details?: StatusDetails): StatusError {
  return new StatusError(403, 'Forbidden', message, details);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function serviceUnavailable(message: string, retryAfterSeconds?: number): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
}

export function gatewayTimeout(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

/**
 * A resourceVersion newer than any this server has issued (from another replica, or from before a
 * restart on a clock that went back). client-go recognises the cause and relists from scratch.
 */
export function resourceVersionTooLarge(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function methodNotAllowed(message: string, plural?: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', message, plural ? { group: GROUP, kind: plural } : undefined);
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

/** One problem with one field, phrased like k8s.io/apimachinery/pkg/util/validation/field. */
export interface FieldError {
  type: CauseType;
  field: string;
  detail: string;
  badValue?: unknown;
}

const CAUSE_PHRASE: Partial<Record<CauseType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

/** Types whose message never shows the value (field.ErrorBody): a 1 MiB string is not echoed back. */
const VALUE_OMITTED = new Set<CauseType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong']);

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
const GO_PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** Go's %q (strconv.Quote): printable characters as they are, the others escaped. */
export function goQuote(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) ?? 0;
    if (GO_ESCAPES[c]) out += GO_ESCAPES[c];
    else if (GO_PRINTABLE.test(c)) out += c;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `"${out}"`;
}

/** A bad value as Go's field.Error prints it: numbers and booleans bare, strings with %q, the rest as JSON. */
function printedValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return goQuote(value);
  return JSON.stringify(value) ?? 'null';
}

/** field.Error's ErrorBody: "Invalid value: 5: must be at least 10", "Required value", "Too long: may not be more than 255 bytes". */
export function fieldErrorMessage(error: FieldError): string {
  const phrase = CAUSE_PHRASE[error.type] ?? 'Invalid value';
  const value = error.badValue !== undefined && !VALUE_OMITTED.has(error.type) ? `: ${printedValue(error.badValue)}` : '';
  return `${phrase}${value}${error.detail ? `: ${error.detail}` : ''}`;
}

/** 422 for an object of `kind` (in our group unless another is named, e.g. meta.k8s.io ListOptions). */
export function invalid(kind: string, name: string, errors: FieldError[], group: string = GROUP): StatusError {
  const causes = errors.map((e) => ({ reason: e.type, message: fieldErrorMessage(e), field: e.field }));
  // errs.ToAggregate(): one message per distinct error.
  const summary = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const listed = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}.${group} "${name}" is invalid: ${listed}`, {
    name,
    group,
    kind,
    causes,
  });
}

export function fieldError(type: CauseType, field: string, detail: string, badValue?: unknown): FieldError {
  return { type, field, detail, ...(badValue !== undefined ? { badValue } : {}) };
}
