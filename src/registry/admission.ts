// Everything checked before AWS is touched: decoding (apiVersion/kind, unknown fields per
// fieldValidation), metadata syntax, the spec against its schema, its canonical form and the kind's
// own rules, and on update immutable fields and the kind's update rules. Any failure here is a 4xx
// and AWS never sees the request; dry runs go through all of it.
import { badRequest, fieldError, invalid, type FieldError } from '../api/errors.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from '../api/names.js';
import { deepEqual } from '../api/json.js';
import { managedFieldsErrors, metadataTypeError, ownerReferenceErrors } from '../api/object-meta.js';
import { pruneUnknownFields, validateAgainstSchema } from '../api/schema.js';
import { GROUP_VERSION, isPlainObject, type KubeObject } from '../api/types.js';
import { isReservedTagKey } from '../aws/metadata-tags.js';
import { ADOPT_ANNOTATION, MANAGEMENT_ANNOTATION, MANAGEMENT_VALUES, managementOf } from './adoption.js';
import { SpecInvalid, specFieldOf, type KindDefinition, type ObjectIdentity } from './kind.js';
import { objectSchemaOf, specSchemaOf, withoutIgnoredFields } from './kind-schemas.js';
import { specOf } from './objects.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const TAG_KEY_LIMIT = 128;
/** Characters AWS accepts in tag keys and values across the services we manage. */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function cannotHandle(kind: KindDefinition, why: string): never {
  const k = kind.names.kind;
  throw badRequest(`${k} in version "v1alpha1" cannot be handled as a ${k}: ${why}`);
}

/**
 * Checks a request body is an object of this kind and applies fieldValidation to unknown fields.
 * Returns the object with unknown fields removed, and the warnings for `Warn`.
 */
export function decodeObject(kind: KindDefinition, body: unknown, fieldValidation: FieldValidation): { object: KubeObject; warnings: string[] } {
  if (!isPlainObject(body)) cannotHandle(kind, 'the body must be a JSON or YAML object');
  if (body.kind === undefined || body.kind === '') throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  if (body.apiVersion !== GROUP_VERSION) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${GROUP_VERSION})`);
  }
  if (body.kind !== kind.names.kind) throw badRequest(`the kind in the data (${typeof body.kind === 'string' ? body.kind : JSON.stringify(body.kind)}) does not match the expected kind (${kind.names.kind})`);
  if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) cannotHandle(kind, 'metadata must be an object');
  const root = specFieldOf(kind);
  if (body[root] !== undefined && body[root] !== null && !isPlainObject(body[root])) cannotHandle(kind, `${root} must be an object`);
  const object = structuredClone(body) as KubeObject;
  object.metadata ??= {};
  const wrongType = metadataTypeError(object.metadata as Record<string, unknown>);
  if (wrongType) cannotHandle(kind, wrongType);
  // `spec:` with nothing under it (the original operator's SNSTopic example) stays null for the field
  // manager, as in kube (an apply of it owns the spec); admission reads it as an empty spec.
  omitEmptyMetadata(object);
  const unknown = pruneUnknownFields(object, objectSchemaOf(kind), '');
  const phrases = unknown.map((path) => `unknown field "${path}"`);
  if (phrases.length && fieldValidation === 'Strict') cannotHandle(kind, `strict decoding error: ${phrases.join(', ')}`);
  return { object, warnings: fieldValidation === 'Warn' ? phrases : [] };
}

/**
 * As kube-apiserver coerces a custom resource's metadata through ObjectMeta (whose fields are
 * omitempty): empty labels, annotations, finalizers, owner references and managed fields are no
 * field at all, so a patch that removes the last label also removes the labels map (and whoever
 * owned it), and `managedFields: []` in an update keeps the recorded ones (`[{}]` resets them).
 */
function omitEmptyMetadata(object: KubeObject): void {
  const metadata = object.metadata as Record<string, unknown>;
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields', 'generateName']) {
    const value = metadata[key];
    const empty = value === '' || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
    if (empty) delete metadata[key];
  }
}

function stringMapErrors(map: unknown, field: string, checkValue: boolean): FieldError[] {
  if (map === undefined || map === null) return [];
  if (!isPlainObject(map)) return [fieldError('FieldValueTypeInvalid', field, 'must be a map of strings', map)];
  return Object.entries(map).flatMap(([key, value]) => {
    const path = `${field}[${key}]`;
    if (typeof value !== 'string') return [fieldError('FieldValueTypeInvalid', path, 'must be a string', value)];
    return [...qualifiedNameErrors(key, field), ...(checkValue ? labelValueErrors(value, path) : [])];
  });
}

function metadataErrors(object: KubeObject): FieldError[] {
  const { metadata } = object;
  const errors: FieldError[] = [];
  if (!metadata.name) errors.push(fieldError('FieldValueRequired', 'metadata.name', 'name or generateName is required'));
  else errors.push(...dns1123SubdomainErrors(metadata.name, 'metadata.name'));
  if (metadata.namespace) errors.push(...dns1123LabelErrors(metadata.namespace, 'metadata.namespace'));
  errors.push(...stringMapErrors(metadata.labels, 'metadata.labels', true));
  errors.push(...stringMapErrors(metadata.annotations, 'metadata.annotations', false));
  const annotationBytes = Object.entries(metadata.annotations ?? {}).reduce((sum, [k, v]) => sum + k.length + String(v).length, 0);
  if (annotationBytes > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push(fieldError('FieldValueTooLong', 'metadata.annotations', `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`));
  }
  if (metadata.finalizers !== undefined && !(Array.isArray(metadata.finalizers) && metadata.finalizers.every((f) => typeof f === 'string'))) {
    errors.push(fieldError('FieldValueTypeInvalid', 'metadata.finalizers', 'must be a list of strings'));
  }
  return [...errors, ...ownerReferenceErrors(metadata.ownerReferences), ...managedFieldsErrors(metadata.managedFields)];
}

function tagErrors(tags: Record<string, string>, root: string): FieldError[] {
  return Object.entries(tags).flatMap(([key, value]) => {
    const field = `${root}.tags[${key}]`;
    if (isReservedTagKey(key) || key.toLowerCase().startsWith('aws:')) return [fieldError('FieldValueForbidden', field, 'tag keys starting with "service-operator.aws/" or "aws:" are reserved')];
    if (key.length === 0 || key.length > TAG_KEY_LIMIT) return [fieldError('FieldValueInvalid', field, `tag keys must be 1 to ${TAG_KEY_LIMIT} characters`, key)];
    if (!TAG_CHARACTERS.test(key) || (typeof value === 'string' && !TAG_CHARACTERS.test(value))) {
      return [fieldError('FieldValueInvalid', field, 'tags may only contain letters, digits, spaces and _ . : / = + - @', value)];
    }
    return [];
  });
}

/** The adoption and management annotations (registry/adoption.ts) take only the values they define. */
function managementErrors(annotations: Record<string, string> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (annotations?.[MANAGEMENT_ANNOTATION] !== undefined && !managementOf(annotations)) {
    errors.push(fieldError('FieldValueNotSupported', `metadata.annotations[${MANAGEMENT_ANNOTATION}]`, `supported values: ${MANAGEMENT_VALUES.map((v) => `"${v}"`).join(', ')}`, annotations[MANAGEMENT_ANNOTATION]));
  }
  const adopt = annotations?.[ADOPT_ANNOTATION];
  if (adopt !== undefined && adopt !== 'true' && adopt !== 'false') {
    errors.push(fieldError('FieldValueNotSupported', `metadata.annotations[${ADOPT_ANNOTATION}]`, 'supported values: "true", "false"', adopt));
  }
  return errors;
}

/**
 * An observe-only object (registry/adoption.ts) takes its spec from AWS: only its metadata, and the
 * field naming the resource, are the request's to get right. Throws a 422 listing every error.
 */
export function admitObserved(kind: KindDefinition, object: KubeObject): void {
  const field = kind.aws.explicitName?.field;
  const named = field === undefined ? undefined : specOf(kind, object)[field];
  const nameErrors = named === undefined || typeof named === 'string' ? [] : [fieldError('FieldValueTypeInvalid', `${specFieldOf(kind)}.${field}`, 'must be a string', named)];
  throwIfInvalid(kind, object.metadata.name ?? '', [...metadataErrors(object), ...managementErrors(object.metadata.annotations), ...nameErrors]);
}

/** A spec that passed admission: the kind's canonical form, and the user's tags apart. */
export interface AdmittedSpec<S extends object> {
  spec: S;
  tags: Record<string, string>;
}

function canonical<S extends object>(kind: KindDefinition<S>, name: string, raw: Record<string, unknown>, current: S | undefined): S {
  try {
    return kind.canonicalSpec(raw, current);
  } catch (error) {
    if (error instanceof SpecInvalid) throw invalid(kind.names.kind, name, error.causes);
    throw error;
  }
}

/**
 * Metadata syntax and the spec against the schema, then the spec in the kind's canonical form (every
 * default filled in; on update, `current` for what keeps AWS's choice) and the kind's semantic rules.
 * Throws a 422 listing every error.
 */
export function admitSpec<S extends object>(kind: KindDefinition<S>, object: KubeObject, identity: ObjectIdentity, current?: S): AdmittedSpec<S> {
  const name = object.metadata.name ?? '';
  const raw = withoutIgnoredFields(specOf(kind, object));
  const meta = [...metadataErrors(object), ...managementErrors(object.metadata.annotations)];
  // The canonical form and the semantic rules assume a schema-valid spec.
  throwIfInvalid(kind, name, [...meta, ...validateAgainstSchema(raw, specSchemaOf(kind), specFieldOf(kind))]);
  const { tags = {}, ...rest } = raw as { tags?: Record<string, string> };
  const spec = canonical(kind, name, rest, current);
  throwIfInvalid(kind, name, [...meta, ...tagErrors(tags, specFieldOf(kind)), ...kind.validate(spec, identity)]);
  return { spec, tags };
}

function readPath(spec: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), spec);
}

/** Immutable spec fields, comparing canonical specs: any change (setting, removing) is a 422 naming the field. */
export function immutableFieldErrors<S extends object>(kind: KindDefinition<S>, current: S, desired: S): FieldError[] {
  const [before, after] = [current as Record<string, unknown>, desired as Record<string, unknown>];
  return kind.immutableFields
    .filter((path) => !deepEqual(readPath(before, path), readPath(after, path)))
    .map((path) => fieldError('FieldValueInvalid', `${specFieldOf(kind)}.${path}`, 'field is immutable', readPath(after, path) ?? null));
}

/** What an update may not do: change an immutable field, or break one of the kind's update rules (422). */
export function admitUpdate<S extends object>(kind: KindDefinition<S>, name: string, current: S, desired: S): void {
  throwIfInvalid(kind, name, [...immutableFieldErrors(kind, current, desired), ...(kind.validateUpdate?.(desired, current) ?? [])]);
}

export function throwIfInvalid(kind: KindDefinition, name: string, errors: FieldError[]): void {
  if (errors.length) throw invalid(kind.names.kind, name, errors);
}
