// Query parameters as kube-apiserver parses and validates them (parsed with URLSearchParams, not
// express's qs): booleans as runtime.Convert_Slice_string_To_bool reads them, and the options of
// each write verb checked as apimachinery's ValidateCreate/Update/Patch/DeleteOptions check them,
// with their wording (a 422 on CreateOptions.meta.k8s.io and so on).
import { badRequest, fieldError, invalid, type FieldError } from '../api/errors.js';
import type { PatchType } from '../api/patch.js';
import type { FieldValidation } from '../registry/admission.js';

const FIELD_MANAGER_MAX_LENGTH = 128;
const FIELD_VALIDATION_VALUES = ['', 'Ignore', 'Strict', 'Warn'];
export const PROPAGATION_POLICIES = ['Foreground', 'Background', 'Orphan'] as const;
export type PropagationPolicy = (typeof PROPAGATION_POLICIES)[number];

/** The query of a request; malformed %-escapes stay as they are (URLSearchParams never throws, `new URL` can). */
export function queryOf(originalUrl: string): URLSearchParams {
  const at = originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : originalUrl.slice(at + 1));
}

/** A boolean parameter: true when present with any value but `false` or `0` (a bare `?watch` too). */
export function booleanOf(query: URLSearchParams, name: string): boolean {
  const values = query.getAll(name);
  if (values.length === 0) return false;
  return !(values[0] === '0' || values[0].toLowerCase() === 'false');
}

/** A *bool parameter: undefined when absent. */
export function optionalBooleanOf(query: URLSearchParams, name: string): boolean | undefined {
  return query.has(name) ? booleanOf(query, name) : undefined;
}

/** Go's strconv.ParseBool, which `pretty` is read with. */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

export function integerOf(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(value)} is not a non-negative integer`);
  return Number(value);
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function fieldManagerErrors(manager: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) errors.push(fieldError('FieldValueTooLong', 'fieldManager', `may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`));
  let position = 0;
  for (const character of manager) {
    if (!PRINTABLE.test(character)) {
      const code = character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
      errors.push(fieldError('FieldValueInvalid', 'fieldManager', `invalid character U+${code} (at position ${position})`, manager));
    }
    position += Buffer.byteLength(character);
  }
  return errors;
}

function dryRunErrors(values: string[]): FieldError[] {
  return values.every((v) => v === 'All') ? [] : [fieldError('FieldValueNotSupported', 'dryRun', 'supported values: "All"', values)];
}

export interface WriteQuery {
  dryRun: boolean;
  /** undefined: none given (kube-apiserver's default is the User-Agent's product). */
  fieldManager?: string;
  fieldValidation: FieldValidation;
  /** Apply only: take ownership of conflicting fields. */
  force: boolean;
}

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** The options of a create, update or patch, validated as kube-apiserver validates them. */
export function writeQueryOf(kind: OptionsKind, query: URLSearchParams, patchType?: PatchType): WriteQuery {
  const fieldManager = query.get('fieldManager') ?? '';
  const fieldValidation = query.get('fieldValidation') ?? '';
  const dryRun = query.getAll('dryRun');
  const force = optionalBooleanOf(query, 'force');
  const errors: FieldError[] = [];
  if (kind === 'PatchOptions' && patchType === 'apply' && !fieldManager) errors.push(fieldError('FieldValueRequired', 'fieldManager', 'is required for apply patch'));
  if (kind === 'PatchOptions' && patchType !== 'apply' && force !== undefined) errors.push(fieldError('FieldValueForbidden', 'force', 'may not be specified for non-apply patch'));
  errors.push(...fieldManagerErrors(fieldManager), ...dryRunErrors(dryRun));
  if (!FIELD_VALIDATION_VALUES.includes(fieldValidation)) {
    errors.push(fieldError('FieldValueNotSupported', 'fieldValidation', `supported values: ${FIELD_VALIDATION_VALUES.map((v) => JSON.stringify(v)).join(', ')}`, fieldValidation));
  }
  if (errors.length) throw invalid(kind, '', errors, 'meta.k8s.io');
  return {
    dryRun: dryRun.length > 0,
    ...(fieldManager ? { fieldManager } : {}),
    // kube-apiserver's default when the parameter is absent: Warn (kubectl sends Strict).
    fieldValidation: (fieldValidation || 'Warn') as FieldValidation,
    force: force ?? false,
  };
}

export interface DeleteQuery {
  dryRun: boolean;
  propagationPolicy?: PropagationPolicy;
  preconditions: { uid?: string; resourceVersion?: string };
}

/** DeleteOptions: from the body when there is one, else from the query; validated as kube does. */
export function deleteQueryOf(body: Record<string, unknown> | undefined, query: URLSearchParams): DeleteQuery {
  const fromBody = body !== undefined;
  const dryRun = fromBody ? (Array.isArray(body.dryRun) ? (body.dryRun as unknown[]).map(String) : []) : query.getAll('dryRun');
  const policy = fromBody ? (body.propagationPolicy as string | undefined) : (query.get('propagationPolicy') ?? undefined);
  const orphanDependents = fromBody ? body.orphanDependents : optionalBooleanOf(query, 'orphanDependents');
  const errors: FieldError[] = [];
  if (orphanDependents !== undefined && orphanDependents !== null && policy !== undefined) {
    errors.push(fieldError('FieldValueInvalid', 'propagationPolicy', 'orphanDependents and deletionPropagation cannot be both set', policy));
  }
  if (policy !== undefined && !(PROPAGATION_POLICIES as readonly string[]).includes(policy)) {
    errors.push(fieldError('FieldValueNotSupported', 'propagationPolicy', `supported values: ${[...PROPAGATION_POLICIES, 'nil'].map((v) => JSON.stringify(v)).join(', ')}`, policy));
  }
  errors.push(...dryRunErrors(dryRun));
  if (errors.length) throw invalid('DeleteOptions', '', errors, 'meta.k8s.io');
  // The deprecated orphanDependents says Orphan (true) or Background (false).
  const effective = policy ?? (orphanDependents === true ? 'Orphan' : orphanDependents === false ? 'Background' : undefined);
  const preconditions = fromBody ? ((body.preconditions ?? {}) as DeleteQuery['preconditions']) : {};
  return { dryRun: dryRun.length > 0, ...(effective ? { propagationPolicy: effective as PropagationPolicy } : {}), preconditions };
}
