// What every walk over a typed value shares (typed/helpers.go): which part of a type a value takes
// (a type may allow a scalar, a list and a map), and how an item of an associative list is named.
// Values are plain JSON; `undefined` is an absent value, `null` an explicit null.
import { isPlainObject } from '../types.js';
import { keyElement, serializePathElement, type KeyField, type PathElement } from './path.js';
import { resolve, type Atom, type ListAtom, type MapAtom, type TypeRef } from './schema.js';

/** A value that the schema cannot place (duplicate keys in a list, an item without its keys...). */
export class TypedValueError extends Error {}

/** Narrows a type that allows several shapes to the one the value has (deduceAtom). */
export function deduce(type: TypeRef | undefined, value: unknown): Atom {
  const atom = resolve(type);
  if (value === undefined || value === null) return atom;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return atom.scalar ? { scalar: atom.scalar } : atom;
  if (Array.isArray(value)) return atom.list ? { list: atom.list } : atom;
  if (isPlainObject(value)) return atom.map ? { map: atom.map } : atom;
  return atom;
}

/** Which handler a (deduced) type goes to, in handleAtom's order: map, scalar, list. */
export type Shape = { map: MapAtom } | { scalar: true } | { list: ListAtom } | undefined;

export function shapeOf(atom: Atom): Shape {
  if (atom.map) return { map: atom.map };
  if (atom.scalar) return { scalar: true };
  if (atom.list) return { list: atom.list };
  return undefined;
}

export function atomsEqual(a: Atom, b: Atom): boolean {
  return a.map === b.map && a.scalar === b.scalar && a.list === b.list;
}

/** The map inside a value, if it is one (null and other shapes: none). */
export function asMap(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

export function asList(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** The type of a map's key: its field's, else the map's element type. */
export function fieldType(map: MapAtom, key: string): TypeRef | undefined {
  return map.fields.get(key) ?? map.elementType;
}

/** The path element naming an item of an associative list: its key fields, or (a set) its value. */
export function itemElement(list: ListAtom, item: unknown): PathElement {
  if (list.relationship !== 'associative') throw new TypedValueError('invalid indexing of non-associative list');
  if (list.keys.length === 0) {
    if (isPlainObject(item)) throw new TypedValueError("associative list without keys has an element that's a map type");
    if (Array.isArray(item)) throw new TypedValueError('not supported: associative list with lists as elements');
    if (item === null) throw new TypedValueError("associative list without keys has an element that's an explicit null");
    return { value: item };
  }
  if (item === null) throw new TypedValueError('associative list with keys may not have a null element');
  if (!isPlainObject(item)) throw new TypedValueError('associative list with keys may not have non-map elements');
  const itemMap = resolve(list.elementType).map;
  const fields: KeyField[] = [];
  for (const name of list.keys) {
    if (name in item) fields.push([name, item[name]]);
    else if (itemMap?.defaults.has(name)) fields.push([name, itemMap.defaults.get(name)]);
  }
  if (fields.length === 0) {
    throw new TypedValueError(`associative list with keys has an element that omits all key fields ${JSON.stringify(list.keys)} (and doesn't have default values for any key fields)`);
  }
  return keyElement(fields);
}

/** Path elements as map keys: the FieldsV1 form is canonical (key fields sorted, values in Go's JSON). */
export const peKey = serializePathElement;
