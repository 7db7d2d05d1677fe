// Query parameters as kube-apiserver validates them (parsed with URLSearchParams, not express's qs).
import { badRequest, fieldError, StatusError } from '../api/errors.js';
import type { FieldValidation } from '../registry/admission.js';

/** The query of a request; malformed %-escapes stay as they are (URLSearchParams never throws, `new URL` can). */
export function queryOf(originalUrl: string): URLSearchParams {
  const at = originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : originalUrl.slice(at + 1));
}

function invalidOption(field: string, detail: string, value: unknown): StatusError {
  const cause = fieldError('FieldValueNotSupported', field, detail, value);
  return new StatusError(422, 'Invalid', `${field}: Unsupported value: ${JSON.stringify(value)}: ${detail}`, { causes: [{ reason: cause.type, message: detail, field }] });
}

export function dryRunOf(query: URLSearchParams, bodyDryRun?: unknown): boolean {
  const values = [...query.getAll('dryRun'), ...(Array.isArray(bodyDryRun) ? (bodyDryRun as unknown[]) : [])];
  for (const value of values) if (value !== 'All') throw invalidOption('dryRun', 'supported values: "All"', value);
  return values.length > 0;
}

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation ${JSON.stringify(value)} is invalid: valid values are Ignore, Warn and Strict`);
}

export function fieldManagerOf(query: URLSearchParams): string | undefined {
  const value = query.get('fieldManager') ?? undefined;
  if (value !== undefined && (value.length > 128 || !/^[\x20-\x7e]*$/.test(value))) {
    throw invalidOption('fieldManager', 'must be at most 128 printable characters', value);
  }
  return value;
}

export function booleanOf(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

export function integerOf(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(value)} is not a non-negative integer`);
  return Number(value);
}
