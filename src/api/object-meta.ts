// ObjectMeta as kube-apiserver decodes it. Every field has one JSON type: a body that gives another
// (`"name": 12345`, `"ownerReferences": "x"`) is not an object of the kind at all, a 400 in Go's json
// wording, rather than an invalid one (422). Null stands for the zero value, as in Go, so it is dropped.
// What a well-typed field may hold (non-empty owner reference uids, known managedFields operations)
// is checked afterwards, with the other 422 field rules.
import { fieldError, type FieldError } from './errors.js';
import { isPlainObject, type ManagedFieldsEntry, type OwnerReference } from './types.js';

type JsonType = 'string' | 'integer' | 'boolean' | 'object';

/** Field name → its JSON type and Go type (for the message). */
type Shape = Record<string, [JsonType, string]>;

const OWNER_REFERENCE: Shape = {
  apiVersion: ['string', 'string'],
  kind: ['string', 'string'],
  name: ['string', 'string'],
  uid: ['string', 'types.UID'],
  controller: ['boolean', 'bool'],
  blockOwnerDeletion: ['boolean', 'bool'],
};

const MANAGED_FIELDS_ENTRY: Shape = {
  manager: ['string', 'string'],
  operation: ['string', 'v1.ManagedFieldsOperationType'],
  apiVersion: ['string', 'string'],
  time: ['string', 'v1.Time'],
  fieldsType: ['string', 'string'],
  fieldsV1: ['object', 'v1.FieldsV1'],
  subresource: ['string', 'string'],
};

const SCALARS: Shape = {
  name: ['string', 'string'],
  generateName: ['string', 'string'],
  namespace: ['string', 'string'],
  selfLink: ['string', 'string'],
  uid: ['string', 'types.UID'],
  resourceVersion: ['string', 'string'],
  generation: ['integer', 'int64'],
  creationTimestamp: ['string', 'v1.Time'],
  deletionTimestamp: ['string', 'v1.Time'],
  deletionGracePeriodSeconds: ['integer', 'int64'],
};

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'number' ? `number ${value}` : typeof value;
}

function hasType(value: unknown, type: JsonType): boolean {
  if (type === 'integer') return Number.isSafeInteger(value);
  if (type === 'object') return isPlainObject(value);
  return typeof value === type;
}

function unmarshalError(value: unknown, struct: string, field: string, goType: string): string {
  return `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${struct}.${field} of type ${goType}`;
}

/** Drops null fields and returns the first field whose type is wrong, in Go's words. */
function checkFields(holder: Record<string, unknown>, shape: Shape, struct: string, path: string): string | undefined {
  for (const [key, [type, goType]] of Object.entries(shape)) {
    if (holder[key] === null) delete holder[key];
    if (holder[key] !== undefined && !hasType(holder[key], type)) return unmarshalError(holder[key], struct, `${path}.${key}`, goType);
  }
  return undefined;
}

function checkList(metadata: Record<string, unknown>, key: string, item: Shape, struct: string): string | undefined {
  const list = metadata[key];
  if (list === undefined) return undefined;
  const field = `metadata.${key}`;
  if (!Array.isArray(list)) return unmarshalError(list, 'ObjectMeta', field, `[]v1.${struct}`);
  for (const entry of list) {
    if (!isPlainObject(entry)) return unmarshalError(entry, 'ObjectMeta', field, `v1.${struct}`);
    const wrong = checkFields(entry, item, struct, field);
    if (wrong) return wrong;
  }
  return undefined;
}

/** Why `metadata` cannot be decoded as ObjectMeta (nulls are dropped on the way), or undefined. */
export function metadataTypeError(metadata: Record<string, unknown>): string | undefined {
  for (const key of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields']) if (metadata[key] === null) delete metadata[key];
  return (
    checkFields(metadata, SCALARS, 'ObjectMeta', 'metadata') ??
    checkList(metadata, 'ownerReferences', OWNER_REFERENCE, 'OwnerReference') ??
    checkList(metadata, 'managedFields', MANAGED_FIELDS_ENTRY, 'ManagedFieldsEntry')
  );
}

/** kube's ValidateOwnerReferences: every reference names its owner completely; at most one controller. */
export function ownerReferenceErrors(references: OwnerReference[] | undefined): FieldError[] {
  const errors = (references ?? []).flatMap((reference, i) =>
    (['apiVersion', 'kind', 'name', 'uid'] as const)
      .filter((key) => !reference[key])
      .map((key) => fieldError('FieldValueInvalid', `metadata.ownerReferences[${i}].${key}`, `${key} must not be empty`, reference[key] ?? '')),
  );
  const controllers = (references ?? []).filter((reference) => reference.controller).length;
  if (controllers > 1) errors.push(fieldError('FieldValueInvalid', 'metadata.ownerReferences', 'Only one reference can have Controller set to true', controllers));
  return errors;
}

/** kube's ValidateManagedFields: a known operation and field set type for every entry. */
export function managedFieldsErrors(entries: ManagedFieldsEntry[] | undefined): FieldError[] {
  return (entries ?? []).flatMap((entry, i) => [
    ...(entry.operation === 'Apply' || entry.operation === 'Update'
      ? []
      : [fieldError('FieldValueNotSupported', `metadata.managedFields[${i}].operation`, 'supported values: "Apply", "Update"', entry.operation ?? '')]),
    ...(entry.fieldsType === 'FieldsV1' ? [] : [fieldError('FieldValueNotSupported', `metadata.managedFields[${i}].fieldsType`, 'supported values: "FieldsV1"', entry.fieldsType ?? '')]),
  ]);
}

function stringMapError(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) return `${field} is not a map of strings`;
  const key = Object.keys(value).find((k) => typeof value[k] !== 'string');
  return key === undefined ? undefined : `${field}[${key}] is not a string`;
}

/**
 * Why metadata read back from storage (AWS tags) cannot be the metadata of an object, or undefined:
 * the types of ObjectMeta, and what the server always writes (a uid, a creation time, a generation).
 * Tags can be edited by anyone who may tag the resource, so nothing in them is taken on trust.
 */
export function storedMetadataError(metadata: Record<string, unknown>): string | undefined {
  const typeError = metadataTypeError(metadata);
  if (typeError) return typeError.replace(/^json: /, '');
  if (!metadata.uid) return 'uid is missing';
  if (typeof metadata.creationTimestamp !== 'string' || Number.isNaN(Date.parse(metadata.creationTimestamp))) return 'creationTimestamp is not a time';
  if (!(Number(metadata.generation) >= 1)) return 'generation is not a positive integer';
  const finalizers = metadata.finalizers;
  if (finalizers !== undefined && !(Array.isArray(finalizers) && finalizers.every((f) => typeof f === 'string'))) return 'finalizers is not a list of strings';
  return stringMapError(metadata.labels, 'labels') ?? stringMapError(metadata.annotations, 'annotations');
}
