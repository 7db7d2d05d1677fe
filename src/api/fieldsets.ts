// Field sets in the FieldsV1 format of server-side apply (sigs.k8s.io/structured-merge-diff): which
// fields of an object a manager owns. `f:<name>` is a field, `k:<json>` an item of a list keyed by
// x-kubernetes-list-map-keys, `v:<json>` an item of a set list, `.` the item itself. The structural
// schema says which lists are keyed, sets, or atomic (owned as a whole).
import { deepEqual } from './json.js';
import type { Schema } from './schema.js';
import { isPlainObject } from './types.js';

export interface FieldSet {
  [segment: string]: FieldSet;
}

/** One owned field: the segments from the root, e.g. ['f:spec', 'f:billingMode']. */
export type FieldPath = string[];

function childSchema(schema: Schema | undefined, key: string): Schema | undefined {
  if (!schema) return undefined;
  return schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
}

function isAtomic(schema: Schema | undefined): boolean {
  return !schema || schema['x-kubernetes-map-type'] === 'atomic' || schema['x-kubernetes-preserve-unknown-fields'] === true;
}

function itemKey(item: unknown, schema: Schema): string | undefined {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') return `v:${JSON.stringify(item)}`;
  const keys = schema['x-kubernetes-list-map-keys'];
  if (type !== 'map' || !keys || !isPlainObject(item)) return undefined;
  return `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]])))}`;
}

/** The fields a (partial) object sets, per its schema. Nulls set nothing. */
export function fieldSetOf(value: unknown, schema: Schema | undefined): FieldSet {
  if (isPlainObject(value) && !isAtomic(schema)) {
    const set: FieldSet = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === null || child === undefined) continue;
      set[`f:${key}`] = fieldSetOf(child, childSchema(schema, key));
    }
    return set;
  }
  if (Array.isArray(value) && schema?.items && (schema['x-kubernetes-list-type'] === 'map' || schema['x-kubernetes-list-type'] === 'set')) {
    const set: FieldSet = {};
    for (const item of value) {
      const key = itemKey(item, schema);
      if (key) set[key] = key.startsWith('v:') ? {} : { '.': {}, ...fieldSetOf(item, schema.items) };
    }
    return set;
  }
  return {};
}

/** Every owned path: the leaves of the tree (an object field with children is not itself owned). */
export function pathsOf(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const entries = Object.entries(set);
  if (entries.length === 0) return prefix.length ? [prefix] : [];
  return entries.flatMap(([segment, child]) => pathsOf(child, [...prefix, segment]));
}

export function setOf(paths: FieldPath[]): FieldSet {
  const root: FieldSet = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) node = node[segment] ??= {};
  }
  return root;
}

const keyOf = (path: FieldPath): string => JSON.stringify(path);

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return setOf([...pathsOf(a), ...pathsOf(b)]);
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  const remove = new Set(pathsOf(b).map(keyOf));
  return setOf(pathsOf(a).filter((p) => !remove.has(keyOf(p))));
}

export function intersection(a: FieldSet, b: FieldSet): FieldPath[] {
  const inB = new Set(pathsOf(b).map(keyOf));
  return pathsOf(a).filter((p) => inB.has(keyOf(p)));
}

export function isEmpty(set: FieldSet): boolean {
  return Object.keys(set).length === 0;
}

function findItem(list: unknown[], segment: string): number {
  const wanted = JSON.parse(segment.slice(2)) as unknown;
  if (segment.startsWith('v:')) return list.findIndex((item) => deepEqual(item, wanted));
  return list.findIndex((item) => isPlainObject(item) && Object.entries(wanted as Record<string, unknown>).every(([k, v]) => deepEqual(item[k], v)));
}

/** The value at a path; undefined when absent. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const segment of path) {
    if (segment === '.') continue;
    if (segment.startsWith('f:')) node = isPlainObject(node) ? node[segment.slice(2)] : undefined;
    else node = Array.isArray(node) ? node[findItem(node, segment)] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes the value at a path (a field, or a whole list item for `.`/`v:`), in place. */
export function removeAt(root: unknown, path: FieldPath): void {
  const itemPath = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  const parent = valueAt(root, itemPath.slice(0, -1));
  const last = itemPath[itemPath.length - 1];
  if (last.startsWith('f:') && isPlainObject(parent)) delete parent[last.slice(2)];
  else if (Array.isArray(parent)) {
    const index = findItem(parent, last);
    if (index >= 0) parent.splice(index, 1);
  }
}

/**
 * The paths whose value differs between two objects (set in one, absent or different in the other).
 * A list item's own path (`.`) changes only when the item appears or disappears.
 */
export function changedPaths(before: unknown, after: unknown, schema: Schema | undefined): FieldPath[] {
  const all = union(fieldSetOf(before, schema), fieldSetOf(after, schema));
  return pathsOf(all).filter((p) =>
    p[p.length - 1] === '.' ? (valueAt(before, p) === undefined) !== (valueAt(after, p) === undefined) : !deepEqual(valueAt(before, p), valueAt(after, p)),
  );
}

/** Kube's way to print a path in a conflict message: `.spec.indexes[indexName="x"].name`. */
export function describePath(path: FieldPath): string {
  return path
    .filter((s) => s !== '.')
    .map((segment) => {
      if (segment.startsWith('f:')) return `.${segment.slice(2)}`;
      const value = JSON.parse(segment.slice(2)) as unknown;
      if (segment.startsWith('v:')) return `[${JSON.stringify(value)}]`;
      return `[${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}
