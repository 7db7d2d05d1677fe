// Structural schemas (OpenAPI v3 subset, as for CRDs): unknown-field detection for fieldValidation, and
// validation with ajv whose errors become field causes worded like kube-apiserver's CRD validation.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fieldError, type FieldError } from './errors.js';
import { isPlainObject } from './types.js';

/** The JSON-schema subset kinds use for spec/status; x-kubernetes-* extensions pass through to OpenAPI. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-int-or-string'?: boolean;
}

/** Appends a property or index to a field path the way kube prints them: `spec.a[0].b`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Removes fields the schema does not declare (CRD "pruning") and returns their paths, so the caller can
 * reject them (Strict), warn (Warn) or drop them silently (Ignore).
 */
export function pruneUnknownFields(value: unknown, schema: Schema, path: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value)) {
    return schema.items ? value.flatMap((item, i) => pruneUnknownFields(item, schema.items as Schema, childPath(path, i))) : [];
  }
  if (!isPlainObject(value)) return [];
  const unknown: string[] = [];
  for (const key of Object.keys(value)) {
    const declared = schema.properties?.[key];
    const mapValues = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const child = declared ?? mapValues;
    if (child) unknown.push(...pruneUnknownFields(value[key], child, childPath(path, key)));
    else if (schema.additionalProperties !== true) {
      unknown.push(childPath(path, key));
      delete value[key];
    }
  }
  return unknown;
}

// OpenAPI keywords and x-kubernetes-* extensions are not JSON Schema: keep ajv from rejecting them.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new WeakMap<Schema, ValidateFunction>();

function compile(schema: Schema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function fieldPathOf(instancePath: string, root: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .reduce((path, segment) => childPath(path, /^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')), root);
}

function valueAt(data: unknown, instancePath: string): unknown {
  return instancePath
    .split('/')
    .filter(Boolean)
    .reduce<unknown>((node, segment) => (isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined), data);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function toFieldError(error: ErrorObject, data: unknown, root: string): FieldError | undefined {
  const field = fieldPathOf(error.instancePath, root);
  const value = valueAt(data, error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return fieldError('FieldValueRequired', childPath(field, String(p.missingProperty)), '');
    case 'type':
      return fieldError('FieldValueTypeInvalid', field, `${field} in body must be of type ${String(p.type)}: "${jsonTypeOf(value)}"`, jsonTypeOf(value));
    case 'enum':
      return fieldError('FieldValueNotSupported', field, `supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, value);
    case 'minimum':
      return fieldError('FieldValueInvalid', field, `${field} in body should be greater than or equal to ${String(p.limit)}`, value);
    case 'maximum':
      return fieldError('FieldValueInvalid', field, `${field} in body should be less than or equal to ${String(p.limit)}`, value);
    case 'pattern':
      return fieldError('FieldValueInvalid', field, `${field} in body should match '${String(p.pattern)}'`, value);
    case 'minLength':
      return fieldError('FieldValueInvalid', field, `${field} in body should be at least ${String(p.limit)} chars long`, value);
    case 'maxLength':
      return fieldError('FieldValueTooLong', field, `may not be more than ${String(p.limit)} byte${p.limit === 1 ? '' : 's'}`);
    case 'minItems':
      return fieldError('FieldValueInvalid', field, `${field} in body should have at least ${String(p.limit)} items`, value);
    case 'maxItems':
      return fieldError('FieldValueTooMany', field, `must have at most ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`, Array.isArray(value) ? value.length : undefined);
    case 'maxProperties':
      return fieldError('FieldValueTooMany', field, `must have at most ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`, isPlainObject(value) ? Object.keys(value).length : undefined);
    default:
      return fieldError('FieldValueInvalid', field, error.message ?? 'invalid value', value);
  }
}

/** Validates `data` (found at field path `root`) against `schema`; returns causes, empty when valid. */
export function validateAgainstSchema(data: unknown, schema: Schema, root: string): FieldError[] {
  const validate = compile(schema);
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => toFieldError(e, data, root)).filter((e): e is FieldError => e !== undefined);
}
