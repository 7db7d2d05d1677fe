// The k8s.io/apimachinery meta/v1 schemas our OpenAPI documents reference. Each document must be
// self-contained (kube-aggregator merges them under these well-known names).
import type { Schema } from '../schema.js';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const metaRef = (name: string): string => `${META}.${name}`;

type RefSchema = Schema | { $ref: string; description?: string } | { allOf: { $ref: string }[]; description?: string; default?: unknown };

/** A schema that may hold `$ref`s; `ref()` renders them for v2 (`#/definitions/`) or v3 (`#/components/schemas/`). */
export interface DocSchema {
  [key: string]: unknown;
}

const string = (description: string): Schema => ({ type: 'string', description });
const stringMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string' } });
const ref = (name: string, description?: string): RefSchema => ({ $ref: `#/REF/${metaRef(name)}`, ...(description ? { description } : {}) });

const objectMeta: Record<string, RefSchema> = {
  name: string('Name must be unique within a namespace. Cannot be updated.'),
  generateName: string('Optional prefix used by the server to generate a unique name when name is not provided.'),
  namespace: string('Namespace defines the space within which each name must be unique. Cannot be updated.'),
  selfLink: string('Deprecated. Not set by this server.'),
  uid: string('UID is the unique in time and space value for this object. Set by the server on create; stored on the AWS resource.'),
  resourceVersion: string('An opaque value that represents the internal version of this object, for optimistic concurrency and watch.'),
  generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state (spec).' },
  creationTimestamp: ref('Time', 'When this object was created. Set by the server; stored on the AWS resource.'),
  deletionTimestamp: ref('Time', 'When this object will be deleted; set when deletion was requested and is still pending (finalizers, or AWS deleting).'),
  deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Seconds allowed for graceful termination. Not used by this server.' },
  labels: stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
  annotations: stringMap('Unstructured key value map stored with a resource that may be set by external tools.'),
  ownerReferences: {
    type: 'array',
    description: 'Objects depended on by this object. The garbage collector deletes this object when all owners are gone.',
    items: ref('OwnerReference'),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['uid'],
  },
  finalizers: { type: 'array', description: 'Must be empty before the object is deleted.', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
  managedFields: { type: 'array', description: 'Field ownership for server-side apply.', items: ref('ManagedFieldsEntry'), 'x-kubernetes-list-type': 'atomic' },
};

/** The meta/v1 definitions, keyed by short name, with `#/REF/` placeholders for references. */
export const META_SCHEMAS: Record<string, DocSchema> = {
  Time: { type: 'string', format: 'date-time', description: 'RFC 3339 date and time, in UTC.' },
  FieldsV1: { type: 'object', description: 'Field set, in the FieldsV1 format used by server-side apply.' },
  ObjectMeta: { type: 'object', description: 'Standard object metadata.', properties: objectMeta },
  ListMeta: {
    type: 'object',
    description: 'Metadata of a list.',
    properties: {
      resourceVersion: string('Version of the list, from which a watch sees every later change.'),
      continue: string('Token to fetch the next page when the list was limited.'),
      remainingItemCount: { type: 'integer', format: 'int64', description: 'Items after this page.' },
      selfLink: string('Deprecated.'),
    },
  },
  OwnerReference: {
    type: 'object',
    description: 'Information to identify an owning object.',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: string('API version of the referent.'),
      kind: string('Kind of the referent.'),
      name: string('Name of the referent.'),
      uid: string('UID of the referent.'),
      controller: { type: 'boolean', description: 'If true, this reference points to the managing controller.' },
      blockOwnerDeletion: { type: 'boolean', description: 'If true, the owner cannot be deleted from the key-value store until this reference is removed.' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  ManagedFieldsEntry: {
    type: 'object',
    description: 'A workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
    properties: {
      manager: string('Identifier of the workflow managing these fields.'),
      operation: string('Type of operation which lead to this entry: Apply or Update.'),
      apiVersion: string('Version of the resource that the field set applies to.'),
      time: ref('Time', 'When the fields were last changed.'),
      fieldsType: string('Format of the fields: FieldsV1.'),
      fieldsV1: ref('FieldsV1', 'The field set.'),
      subresource: string('Subresource used to update the object.'),
    },
  },
  Condition: {
    type: 'object',
    description: 'One aspect of the current state of the resource.',
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    properties: {
      type: string('Type of condition, e.g. Ready.'),
      status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'Status of the condition.' },
      observedGeneration: { type: 'integer', format: 'int64', description: 'The metadata.generation the condition was set from.' },
      lastTransitionTime: ref('Time', 'Last time the condition changed status.'),
      reason: string('Programmatic identifier of the reason for the last transition, in CamelCase.'),
      message: string('Human readable message with details about the transition.'),
    },
  },
  StatusCause: {
    type: 'object',
    description: 'More information about what went wrong.',
    properties: { reason: string('Machine-readable cause.'), message: string('Human-readable cause.'), field: string('The field at fault, e.g. spec.readCapacityUnits.') },
  },
  StatusDetails: {
    type: 'object',
    description: 'Additional properties of a Status.',
    properties: {
      name: string('Name of the object concerned.'),
      group: string('Group of the resource concerned.'),
      kind: string('Plural resource name concerned.'),
      uid: string('UID of the object concerned.'),
      causes: { type: 'array', items: ref('StatusCause') as Schema, description: 'Individual causes.' },
      retryAfterSeconds: { type: 'integer', format: 'int32', description: 'Seconds to wait before retrying.' },
    },
  },
  Status: {
    type: 'object',
    description: 'Return value for calls that do not return other objects, and for every error.',
    properties: {
      apiVersion: string('v1'),
      kind: string('Status'),
      metadata: ref('ListMeta') as Schema,
      status: string('Success or Failure.'),
      message: string('Human-readable description of the status.'),
      reason: string('Machine-readable reason, e.g. NotFound.'),
      details: ref('StatusDetails') as Schema,
      code: { type: 'integer', format: 'int32', description: 'HTTP status code.' },
    },
    'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
  },
  Preconditions: {
    type: 'object',
    description: 'Must be fulfilled before an operation is carried out.',
    properties: { resourceVersion: string('Target resourceVersion.'), uid: string('Target UID.') },
  },
  DeleteOptions: {
    type: 'object',
    description: 'Options for deletion.',
    properties: {
      apiVersion: string('API version.'),
      kind: string('DeleteOptions'),
      dryRun: { type: 'array', items: { type: 'string' }, description: 'All: validate only, change nothing in AWS.' },
      gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Ignored: AWS deletions have no grace period.' },
      preconditions: ref('Preconditions') as Schema,
      propagationPolicy: string('Orphan, Background or Foreground; all behave as Background (our kinds have no in-cluster dependents).'),
      orphanDependents: { type: 'boolean', description: 'Deprecated: use propagationPolicy.' },
    },
  },
  Patch: { type: 'object', description: 'A patch document: JSON merge patch, JSON patch, or an apply configuration.' },
  WatchEvent: {
    type: 'object',
    required: ['type', 'object'],
    description: 'One event of a watch stream.',
    properties: {
      type: string('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      object: { type: 'object', description: 'The object (or a Status for ERROR).' },
    },
  },
};

/** A meta/v1 schema with its references inlined: the structural form server-side apply types objects by. */
export function structuralMetaSchema(name: string): Schema {
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (!node || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === 'string') return inline(META_SCHEMAS[record.$ref.slice(`#/REF/${META}.`.length)]);
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, inline(value)]));
  };
  return inline(META_SCHEMAS[name]) as Schema;
}

/** The ObjectMeta fields clients may send; others are unknown fields for fieldValidation. */
export const OBJECT_META_FIELDS = Object.keys(objectMeta);
