// Field ownership (metadata.managedFields) and server-side apply, after k8s.io/apiserver's field
// manager: an Apply merges the manager's configuration into the object, removes fields it applied
// before and no longer does (unless someone else owns them), and conflicts with other managers that
// own a field it sets to a different value, unless forced. Other writes (Update) take ownership of
// the fields they change.
import { StatusError } from '../api/errors.js';
import {
  changedPaths,
  describePath,
  difference,
  fieldSetOf,
  intersection,
  isEmpty,
  pathsOf,
  removeAt,
  setOf,
  union,
  valueAt,
  type FieldPath,
  type FieldSet,
} from '../api/fieldsets.js';
import { deepEqual } from '../api/json.js';
import type { Schema } from '../api/schema.js';
import { timestamp } from '../api/time.js';
import { GROUP, GROUP_VERSION, isPlainObject, type KubeObject, type ManagedFieldsEntry } from '../api/types.js';
import { specFieldOf, type KindDefinition } from './kind.js';
import { specSchemaOf } from './kind-schemas.js';

export type Operation = 'Apply' | 'Update';

const granularMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

const memo = new WeakMap<KindDefinition, Schema>();

/** The parts of an object whose ownership is tracked: user metadata and the spec (not identity, not status). */
export function ownershipSchema(kind: KindDefinition): Schema {
  let schema = memo.get(kind);
  if (!schema) {
    schema = {
      type: 'object',
      properties: {
        metadata: {
          type: 'object',
          properties: {
            labels: granularMap,
            annotations: granularMap,
            finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            ownerReferences: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'] },
          },
        },
        [specFieldOf(kind)]: specSchemaOf(kind),
      },
    };
    memo.set(kind, schema);
  }
  return schema;
}

/** What ownership is computed over: the tracked metadata fields that are set, and the spec (or data). */
function trackedParts(object: KubeObject): Record<string, unknown> {
  const { labels, annotations, finalizers, ownerReferences } = object.metadata;
  const metadata = Object.fromEntries(Object.entries({ labels, annotations, finalizers, ownerReferences }).filter(([, v]) => v !== undefined));
  const roots = Object.fromEntries(['spec', 'data'].filter((root) => object[root] !== undefined).map((root) => [root, object[root]]));
  return { ...(Object.keys(metadata).length ? { metadata } : {}), ...roots };
}

interface Manager {
  entry: ManagedFieldsEntry;
  fields: FieldSet;
}

function managersOf(entries: ManagedFieldsEntry[] | undefined): Manager[] {
  return (entries ?? []).map((entry) => ({ entry, fields: (isPlainObject(entry.fieldsV1) ? entry.fieldsV1 : {}) as FieldSet }));
}

function sameManager(entry: ManagedFieldsEntry, manager: string, operation: Operation): boolean {
  return entry.manager === manager && entry.operation === operation && !entry.subresource;
}

function toEntries(managers: Manager[]): ManagedFieldsEntry[] {
  return managers.filter((m) => !isEmpty(m.fields)).map((m) => ({ ...m.entry, fieldsType: 'FieldsV1', fieldsV1: m.fields }));
}

function withOwner(managers: Manager[], manager: string, operation: Operation, fields: FieldSet): Manager[] {
  const others = managers.filter((m) => !sameManager(m.entry, manager, operation));
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion: GROUP_VERSION, time: timestamp(), fieldsType: 'FieldsV1' };
  return [...others, { entry, fields }];
}

/** Ownership after a non-apply write: the writer owns what it changed; nobody owns what it removed. */
export function recordUpdate(kind: KindDefinition, before: KubeObject | undefined, after: KubeObject, manager: string): ManagedFieldsEntry[] {
  const schema = ownershipSchema(kind);
  const managers = managersOf(before?.metadata.managedFields);
  const changed = changedPaths(before ? trackedParts(before) : {}, trackedParts(after), schema);
  if (changed.length === 0) return before?.metadata.managedFields ?? [];
  const changedSet = setOf(changed);
  const present = setOf(changed.filter((p) => valueAt(trackedParts(after), p) !== undefined));
  const stripped = managers.map((m) => ({ ...m, fields: difference(m.fields, changedSet) }));
  const mine = stripped.find((m) => sameManager(m.entry, manager, 'Update'))?.fields ?? {};
  return toEntries(withOwner(stripped, manager, 'Update', union(mine, present)));
}

/** The 409 kube-apiserver answers to a conflicting apply (managedfields/internal/conflict.go wording). */
function conflictError(plural: string, name: string, conflicts: { manager: string; path: FieldPath }[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict' as const, message: `conflict with "${c.manager}" using ${GROUP_VERSION}`, field: describePath(c.path) }));
  const count = `${causes.length} conflict${causes.length === 1 ? '' : 's'}`;
  const message = `Apply failed with ${count}: ${causes.map((c) => `${c.message}: ${c.field}`).join('\n')}`;
  return new StatusError(409, 'Conflict', message, { name, group: GROUP, kind: plural, causes });
}

/** Merges an apply configuration into the live object: objects merge, keyed lists merge by key, sets unite, the rest replaces. */
function merge(current: unknown, config: unknown, schema: Schema | undefined): unknown {
  if (config === null) return current;
  if (isPlainObject(config) && schema?.['x-kubernetes-map-type'] !== 'atomic') {
    const result: Record<string, unknown> = isPlainObject(current) ? { ...current } : {};
    for (const [key, value] of Object.entries(config)) {
      const child = schema?.properties?.[key] ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (value !== null) result[key] = merge(result[key], value, child);
    }
    return result;
  }
  const listType = schema?.['x-kubernetes-list-type'];
  if (Array.isArray(config) && Array.isArray(current) && (listType === 'map' || listType === 'set')) {
    const result: unknown[] = [...(current as unknown[])];
    for (const item of config) {
      const keys = schema?.['x-kubernetes-list-map-keys'] ?? [];
      const at = listType === 'set' ? result.findIndex((x) => deepEqual(x, item)) : result.findIndex((x) => isPlainObject(x) && keys.every((k) => deepEqual(x[k], (item as Record<string, unknown>)[k])));
      if (at < 0) result.push(item);
      else if (listType === 'map') result[at] = merge(result[at], item, schema?.items);
    }
    return result;
  }
  return structuredClone(config);
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `config` by `manager` onto `current` (undefined when the object is new).
 * Throws a 409 listing the conflicts unless `force`.
 */
export function serverSideApply(kind: KindDefinition, current: KubeObject | undefined, config: KubeObject, manager: string, force: boolean): ApplyResult {
  const schema = ownershipSchema(kind);
  const applied = fieldSetOf(trackedParts(config), schema);
  const live = current ? trackedParts(current) : {};
  const managers = managersOf(current?.metadata.managedFields);
  const previous = managers.find((m) => sameManager(m.entry, manager, 'Apply'))?.fields ?? {};
  const others = managers.filter((m) => !sameManager(m.entry, manager, 'Apply'));

  const conflicts = others.flatMap((m) =>
    intersection(applied, m.fields)
      .filter((path) => !deepEqual(valueAt(trackedParts(config), path), valueAt(live, path)))
      .map((path) => ({ manager: m.entry.manager ?? '', path })),
  );
  if (conflicts.length && !force) throw conflictError(kind.names.plural, config.metadata.name ?? '', conflicts);
  const taken = setOf(conflicts.map((c) => c.path));
  const remaining = others.map((m) => ({ ...m, fields: difference(m.fields, taken) }));

  const root = specFieldOf(kind);
  const merged = merge(current ?? {}, config, { type: 'object', properties: { metadata: schema.properties?.metadata as Schema, [root]: schema.properties?.[root] as Schema } }) as KubeObject;
  const ownedByOthers = remaining.reduce<FieldSet>((all, m) => union(all, m.fields), {});
  for (const path of pathsOf(difference(difference(previous, applied), ownedByOthers))) removeAt(merged, path);
  // A resourceVersion in the configuration is a precondition; otherwise the apply is unconditional.
  const resourceVersion = config.metadata.resourceVersion ?? current?.metadata.resourceVersion;
  merged.metadata = { ...merged.metadata, name: config.metadata.name, ...(resourceVersion ? { resourceVersion } : {}) };
  return { object: merged, managedFields: toEntries(withOwner(remaining, manager, 'Apply', applied)) };
}
