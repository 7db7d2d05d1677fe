// The schemas every kind shares, composed with the kind's own: `spec.tags`, the common status fields,
// the whole-object schema used to find unknown fields, and the description the OpenAPI documents get.
import type { ResourceDocument } from '../api/resource.js';
import type { Schema } from '../api/schema.js';
import { OBJECT_META_FIELDS } from '../api/openapi/meta-schemas.js';
import { userTagLimit } from '../aws/metadata-tags.js';
import { specFieldOf, type KindDefinition } from './kind.js';

const memo = new WeakMap<KindDefinition, { spec: Schema; object: Schema }>();

/** How many tags of its own a user may give an object of this kind. */
export function userTagLimitOf(kind: KindDefinition): number {
  return Math.min(kind.userTagLimit ?? Infinity, userTagLimit(kind.tagLimit));
}

function tagsSchema(kind: KindDefinition): Schema {
  const limit = userTagLimitOf(kind);
  return {
    type: 'object',
    description: `AWS tags for the resource (at most ${limit}). Keys starting with "service-operator.aws/" or "aws:" are reserved.`,
    additionalProperties: { type: 'string', maxLength: 256 },
    maxProperties: limit,
  };
}

/** The kind's spec schema with the common `tags` field. */
export function specSchemaOf(kind: KindDefinition): Schema {
  return schemasOf(kind).spec;
}

/** The whole object, structurally: what a client may send. Status and outputs are server-set. */
export function objectSchemaOf(kind: KindDefinition): Schema {
  return schemasOf(kind).object;
}

/**
 * Every spec of the original operator also had these (they steered its CloudFormation stacks). Its
 * manifests must apply unchanged, so they are accepted, and ignored: they mean nothing here.
 */
const ORIGINAL_OPERATOR_FIELDS: Record<string, Schema> = {
  cloudFormationTemplateName: { type: 'string', description: 'Accepted for compatibility with the original operator; ignored.' },
  cloudFormationTemplateNamespace: { type: 'string', description: 'Accepted for compatibility with the original operator; ignored.' },
  rollbackCount: { type: 'integer', description: 'Accepted for compatibility with the original operator; ignored.' },
};

/** The spec without the original operator's ignored fields. */
export function withoutIgnoredFields(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec).filter(([key]) => !(key in ORIGINAL_OPERATOR_FIELDS)));
}

function schemasOf(kind: KindDefinition): { spec: Schema; object: Schema } {
  let schemas = memo.get(kind);
  if (!schemas) {
    const spec: Schema = { ...kind.specSchema, properties: { ...kind.specSchema.properties, ...ORIGINAL_OPERATOR_FIELDS, tags: tagsSchema(kind) } };
    const preserved: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const metadata: Schema = {
      type: 'object',
      properties: Object.fromEntries(OBJECT_META_FIELDS.map((field) => [field, { 'x-kubernetes-preserve-unknown-fields': true }])),
    };
    const object: Schema = {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata,
        [specFieldOf(kind)]: spec,
        status: preserved,
        output: preserved,
        additionalResources: preserved,
      },
    };
    schemas = { spec, object };
    memo.set(kind, schemas);
  }
  return schemas;
}

/** Status fields the registry adds to every kind's own. */
export const COMMON_STATUS_FIELDS: Record<string, Schema> = {
  resourceStatus: {
    type: 'string',
    description: 'Lifecycle in the original operator\'s (CloudFormation) words: CREATE_IN_PROGRESS, CREATE_COMPLETE, UPDATE_IN_PROGRESS, UPDATE_COMPLETE, DELETE_IN_PROGRESS, CREATE_FAILED, UPDATE_FAILED.',
  },
  observedGeneration: { type: 'integer', format: 'int64', description: 'The metadata.generation that AWS reflects.' },
};

/** The kind as the OpenAPI documents describe it: every root field, common parts included. */
export function resourceDocumentOf(kind: KindDefinition): ResourceDocument {
  const status: Schema = {
    type: 'object',
    description: `What AWS has for this ${kind.names.kind}, read on every GET.`,
    properties: { ...kind.statusSchema.properties, ...COMMON_STATUS_FIELDS },
  };
  return {
    names: kind.names,
    description: kind.description,
    fields: { [specFieldOf(kind)]: specSchemaOf(kind), status, output: kind.outputSchema, additionalResources: ADDITIONAL_RESOURCES_SCHEMA },
  };
}

/** The original operator's `additionalResources` root field: what the server keeps in the cluster for the object. */
export const ADDITIONAL_RESOURCES_SCHEMA: Schema = {
  type: 'object',
  description: 'Kubernetes objects the server maintains for this object (set when the server runs in a cluster).',
  properties: {
    configMaps: {
      type: 'array',
      items: { type: 'string' },
      description: 'The outputs ConfigMap: same name and namespace as this object, data = output, owned by this object.',
    },
  },
};
