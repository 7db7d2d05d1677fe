// The field manager of each kind (api/field-manager.ts), typed by the kind's schema the way kube
// types a custom resource: ObjectMeta from meta/v1, the spec (or data) from the kind, and the server-set root
// fields (status, the original operator's output, additionalResources) never owned by writes, as
// status is for a custom resource with a status subresource.
import { FieldManager } from '../api/field-manager.js';
import { structuralMetaSchema } from '../api/openapi/meta-schemas.js';
import type { Schema } from '../api/schema.js';
import { field } from '../api/smd/path.js';
import { toAtom } from '../api/smd/schema.js';
import { FieldSet } from '../api/smd/set.js';
import { GROUP_VERSION } from '../api/types.js';
import { specFieldOf, type KindDefinition } from './kind.js';
import { specSchemaOf } from './kind-schemas.js';

/** Root fields the server sets from AWS. */
export const SERVER_SET_ROOT_FIELDS = ['status', 'output', 'additionalResources'];

const managers = new WeakMap<KindDefinition, FieldManager>();

/** The whole object as server-side apply types it. */
export function applySchemaOf(kind: KindDefinition): Schema {
  const serverSet: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: structuralMetaSchema('ObjectMeta'),
      [specFieldOf(kind)]: specSchemaOf(kind),
      ...Object.fromEntries(SERVER_SET_ROOT_FIELDS.map((name) => [name, serverSet])),
    },
  };
}

export function fieldManagerOf(kind: KindDefinition): FieldManager {
  let manager = managers.get(kind);
  if (!manager) {
    manager = new FieldManager({
      type: toAtom(applySchemaOf(kind)),
      apiVersion: GROUP_VERSION,
      kind: kind.names.kind,
      ignored: FieldSet.of(...SERVER_SET_ROOT_FIELDS.map((name) => [field(name)])),
    });
    managers.set(kind, manager);
  }
  return manager;
}
