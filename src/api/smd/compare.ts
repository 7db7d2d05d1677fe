// Which fields two typed values differ in (typed/compare.go): added, modified and removed paths,
// per leaf, per associative list item, and per atomic list or map as a whole.
import type { Path, PathElement } from './path.js';
import { FieldSet } from './set.js';
import { resolve, type ListAtom, type TypeRef } from './schema.js';
import { asList, asMap, atomsEqual, deduce, fieldType, itemElement, peKey, shapeOf, TypedValueError } from './typed.js';
import { valuesEqual } from './value.js';

export interface Comparison {
  removed: FieldSet;
  modified: FieldSet;
  added: FieldSet;
}

/** The fields `rhs` added, modified and removed relative to `lhs`. */
export function compareValues(lhs: unknown, rhs: unknown, type: TypeRef): Comparison {
  const c: Comparison = { removed: new FieldSet(), modified: new FieldSet(), added: new FieldSet() };
  compareAt(lhs, rhs, type, [], c);
  return c;
}

/**
 * Compares at one path; a map or list that was walked (not compared as one leaf) is itself added or
 * removed when one side lacks it. Values of two shapes of one type are compared in both.
 */
function compareAt(lhs: unknown, rhs: unknown, type: TypeRef | undefined, path: Path, c: Comparison): void {
  const atom = resolve(type);
  const left = deduce(atom, lhs);
  const right = deduce(atom, rhs);
  let leaf: boolean;
  if (rhs === undefined) leaf = compareShaped(left, lhs, rhs, path, c);
  else if (lhs === undefined || atomsEqual(left, right)) leaf = compareShaped(right, lhs, rhs, path, c);
  else {
    compareShaped(left, lhs, rhs, path, c);
    leaf = compareShaped(right, lhs, rhs, path, c);
  }
  if (!leaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

function compareLeaf(lhs: unknown, rhs: unknown, path: Path, c: Comparison): true {
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!valuesEqual(lhs, rhs)) c.modified.insert(path);
  return true;
}

/** Returns whether the values were compared as one leaf. */
function compareShaped(atom: ReturnType<typeof deduce>, lhs: unknown, rhs: unknown, path: Path, c: Comparison): boolean {
  const shape = shapeOf(atom);
  if (!shape) throw new TypedValueError('schema error: invalid atom');
  if ('scalar' in shape) return compareLeaf(lhs, rhs, path, c);
  if ('list' in shape) {
    const l = asList(lhs);
    const r = asList(rhs);
    if (shape.list.relationship === 'atomic' || (!l?.length && !r?.length)) return compareLeaf(lhs, rhs, path, c);
    if (l || r) compareListItems(shape.list, l ?? [], r ?? [], path, c);
    return false;
  }
  const l = asMap(lhs);
  const r = asMap(rhs);
  const emptyL = !l || Object.keys(l).length === 0;
  const emptyR = !r || Object.keys(r).length === 0;
  if (shape.map.relationship === 'atomic' || (emptyL && emptyR)) return compareLeaf(lhs, rhs, path, c);
  for (const key of new Set([...Object.keys(l ?? {}), ...Object.keys(r ?? {})])) {
    compareAt(l?.[key], r?.[key], fieldType(shape.map, key), [...path, { field: key }], c);
  }
  return false;
}

function groupItems(list: ListAtom, items: unknown[], order: PathElement[], seen: Set<string>): Map<string, unknown[]> {
  const groups = new Map<string, unknown[]>();
  for (const item of items) {
    const pe = itemElement(list, item);
    const key = peKey(pe);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)?.push(item);
    if (!seen.has(key)) {
      seen.add(key);
      order.push(pe);
    }
  }
  return groups;
}

function compareListItems(list: ListAtom, lhs: unknown[], rhs: unknown[], path: Path, c: Comparison): void {
  const order: PathElement[] = [];
  const seen = new Set<string>();
  const left = groupItems(list, lhs, order, seen);
  const right = groupItems(list, rhs, order, seen);
  for (const pe of order) {
    const l = left.get(peKey(pe)) ?? [];
    const r = right.get(peKey(pe)) ?? [];
    const itemPath = [...path, pe];
    if (l.length <= 1 && r.length <= 1) compareAt(l[0], r[0], list.elementType, itemPath, c);
    else if (l.length >= 2 && r.length >= 2) {
      if (!valuesEqual(l, r)) c.modified.insert(itemPath);
    } else if (l.length >= 2) {
      if (r.length) compareAt(undefined, r[0], list.elementType, itemPath, c);
      c.removed.insert(itemPath);
    } else {
      if (l.length) compareAt(l[0], undefined, list.elementType, itemPath, c);
      c.added.insert(itemPath);
    }
  }
}

