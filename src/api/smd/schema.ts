// The type model of structured-merge-diff (schema/elements.go) and its construction from a
// structural OpenAPI schema, as k8s.io/kube-openapi's schemaconv builds it for CRDs: objects with
// properties are structs, additionalProperties make maps, lists are atomic unless
// x-kubernetes-list-type says set or map, x-kubernetes-map-type: atomic makes a map one value, and
// x-kubernetes-preserve-unknown-fields (inherited downwards) lets unknown fields in, deduced.
import type { Schema } from '../schema.js';

export type ScalarType = 'numeric' | 'string' | 'boolean' | 'untyped';

export interface ListAtom {
  elementType: TypeRef;
  /** atomic: one value; associative: items identified by `keys` (a map list) or by value (a set). */
  relationship: 'atomic' | 'associative';
  keys: string[];
}

export interface MapAtom {
  fields: Map<string, TypeRef>;
  defaults: Map<string, unknown>;
  /** The type of keys that are not fields; undefined: such keys are not allowed. */
  elementType?: TypeRef;
  relationship: 'granular' | 'atomic';
}

export interface Atom {
  scalar?: ScalarType;
  list?: ListAtom;
  map?: MapAtom;
}

/** Types are inlined atoms here (no named types), so a type reference is the atom itself. */
export type TypeRef = Atom;

export function resolve(type: TypeRef | undefined): Atom {
  return type ?? {};
}

/** `__untyped_atomic_`: anything, as one value. */
export const UNTYPED_ATOMIC: Atom = { scalar: 'untyped' };
UNTYPED_ATOMIC.list = { elementType: UNTYPED_ATOMIC, relationship: 'atomic', keys: [] };
UNTYPED_ATOMIC.map = { fields: new Map(), defaults: new Map(), elementType: UNTYPED_ATOMIC, relationship: 'atomic' };

/** `__untyped_deduced_`: maps are granular all the way down, lists atomic. */
export const DEDUCED: Atom = { scalar: 'untyped', list: { elementType: UNTYPED_ATOMIC, relationship: 'atomic', keys: [] } };
DEDUCED.map = { fields: new Map(), defaults: new Map(), elementType: DEDUCED, relationship: 'granular' };

function primitive(schema: Schema): Atom {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return { scalar: 'numeric' };
    case 'boolean':
      return { scalar: 'boolean' };
    default:
      // Strings with a format other than byte (date-time, int-or-string...) are untyped scalars.
      return { scalar: schema.format && schema.format !== 'byte' ? 'untyped' : 'string' };
  }
}

function listOf(schema: Schema, preserve: boolean): ListAtom {
  const type = schema['x-kubernetes-list-type'];
  const relationship = type === 'set' || type === 'map' ? 'associative' : 'atomic';
  const elementType = schema.items ? toAtom(schema.items, preserve) : UNTYPED_ATOMIC;
  return { elementType, relationship, keys: type === 'map' ? (schema['x-kubernetes-list-map-keys'] ?? []) : [] };
}

function mapOf(schema: Schema, preserve: boolean): MapAtom {
  const fields = new Map<string, TypeRef>();
  const defaults = new Map<string, unknown>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    fields.set(name, toAtom(property, preserve));
    if (property.default !== undefined) defaults.set(name, property.default);
  }
  const extra = schema.additionalProperties;
  let elementType: TypeRef | undefined;
  if (extra === undefined) elementType = preserve || fields.size === 0 ? DEDUCED : undefined;
  else if (typeof extra === 'object') elementType = toAtom(extra, preserve);
  else if (extra) elementType = DEDUCED;
  return { fields, defaults, ...(elementType ? { elementType } : {}), relationship: schema['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : 'granular' };
}

const converted = new WeakMap<Schema, Atom>();

/** The structured-merge-diff type of a structural schema. */
export function toAtom(schema: Schema, inheritedPreserve = false): Atom {
  const cached = inheritedPreserve ? undefined : converted.get(schema);
  if (cached) return cached;
  const preserve = inheritedPreserve || schema['x-kubernetes-preserve-unknown-fields'] === true;
  let atom: Atom;
  if (schema.type === 'object') atom = { map: mapOf(schema, preserve) };
  else if (schema.type === 'array') atom = { list: listOf(schema, preserve) };
  else if (schema.type) atom = primitive(schema);
  else atom = { scalar: 'untyped', list: listOf(schema, preserve), map: mapOf(schema, preserve) };
  if (!inheritedPreserve) converted.set(schema, atom);
  return atom;
}
