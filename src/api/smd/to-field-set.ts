// The fields a typed value sets (typed/tofieldset.go): leaves, associative list items, and maps that
// are empty or null; an atomic list or map is one field.
import { isPlainObject } from '../types.js';
import { pathToString, type Path, type PathElement } from './path.js';
import { FieldSet } from './set.js';
import type { ListAtom, TypeRef } from './schema.js';
import { asList, asMap, deduce, fieldType, itemElement, peKey, shapeOf, TypedValueError } from './typed.js';

/**
 * Every field path the value sets: leaves, associative list items, and empty or null maps. Items a
 * list cannot be keyed by are a TypedValueError naming where, as kube's typed conversion words it; so
 * are duplicate items, unless allowed (they are in live objects, never in an applied configuration).
 */
export function toFieldSet(value: unknown, type: TypeRef, allowDuplicates = true): FieldSet {
  const set = new FieldSet();
  collectFields(value, type, [], set, allowDuplicates);
  return set;
}

function collectFields(value: unknown, type: TypeRef | undefined, path: Path, set: FieldSet, allowDuplicates: boolean): void {
  const shape = shapeOf(deduce(type, value));
  if (!shape) return;
  if ('scalar' in shape) {
    set.insert(path);
  } else if ('list' in shape) {
    if (shape.list.relationship === 'atomic') return set.insert(path);
    const items = asList(value);
    if (items) collectListItems(shape.list, items, path, set, allowDuplicates);
  } else {
    if (shape.map.relationship === 'atomic') return set.insert(path);
    const map = asMap(value);
    if (!map) return;
    for (const [key, child] of Object.entries(map)) {
      const childPath = [...path, { field: key }];
      collectFields(child, fieldType(shape.map, key), childPath, set, allowDuplicates);
      const emptyMap = isPlainObject(child) && Object.keys(child).length === 0;
      if (child === null || emptyMap || !shape.map.fields.has(key)) set.insert(childPath);
    }
  }
}

function collectListItems(list: ListAtom, items: unknown[], path: Path, set: FieldSet, allowDuplicates: boolean): void {
  const elements = items.map((item, i): PathElement => {
    try {
      return itemElement(list, item);
    } catch (error) {
      throw error instanceof TypedValueError ? new TypedValueError(`${pathToString(path)}: element ${i}: ${error.message}`) : error;
    }
  });
  const counts = new Map<string, number>();
  for (const pe of elements) counts.set(peKey(pe), (counts.get(peKey(pe)) ?? 0) + 1);
  const seenDuplicates = new Set<string>();
  elements.forEach((pe, i) => {
    const key = peKey(pe);
    if ((counts.get(key) ?? 0) > 1) {
      if (!allowDuplicates) throw new TypedValueError(`${pathToString(path)}: duplicate entries for key ${pathToString([pe])}`);
      // Duplicated items are owned as a whole, once.
      if (!seenDuplicates.has(key)) set.insert([...path, pe]);
      seenDuplicates.add(key);
      return;
    }
    collectFields(items[i], list.elementType, [...path, pe], set, allowDuplicates);
    set.insert([...path, pe]);
  });
}
