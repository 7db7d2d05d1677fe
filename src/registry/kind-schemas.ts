// The schemas every kind shares, composed with the kind's own: `spec.tags`, the common status fields,
// and the whole-object schema used to find unknown fields.
import type { Schema } from '../api/schema.js';
import { OBJECT_META_FIELDS } from '../api/openapi/meta-schemas.js';
import { userTagLimit } from '../aws/metadata-tags.js';
import type { KindDefinition } from './kind.js';

const memo = new WeakMap<KindDefinition, { spec: Schema; object: Schema }>();

function tagsSchema(kind: KindDefinition): Schema {
  return {
    type: 'object',
    description: `AWS tags for the resource (at most ${userTagLimit(kind.tagLimit)}). Keys starting with "service-operator.aws/" or "aws:" are reserved.`,
    additionalProperties: { type: 'string', maxLength: 256 },
    maxProperties: userTagLimit(kind.tagLimit),
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

function schemasOf(kind: KindDefinition): { spec: Schema; object: Schema } {
  let schemas = memo.get(kind);
  if (!schemas) {
    const spec: Schema = { ...kind.specSchema, properties: { ...kind.specSchema.properties, tags: tagsSchema(kind) } };
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
        spec,
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
