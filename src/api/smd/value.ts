// Values as sigs.k8s.io/structured-merge-diff compares, orders and prints them (value/value.go):
// a total order across types (numbers < strings < booleans < lists < maps < null), numbers compared
// numerically, and the JSON encoding Go's encoding/json produces (which kube puts in FieldsV1 keys).
import { isPlainObject } from '../types.js';

function typeRank(value: unknown): number {
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return 1;
  if (typeof value === 'boolean') return 2;
  if (Array.isArray(value)) return 3;
  if (isPlainObject(value)) return 4;
  return 5;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Go's strings.Compare: byte order of the UTF-8 encodings. */
export function compareStrings(a: string, b: string): number {
  return a === b ? 0 : sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function compareValues(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return sign(rank);
  if (typeof a === 'number') return sign(a - (b as number));
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    for (let i = 0; i < Math.min(a.length, other.length); i++) {
      const c = compareValues(a[i], other[i]);
      if (c !== 0) return c;
    }
    return sign(a.length - other.length);
  }
  if (isPlainObject(a)) return compareMaps(a, b as Record<string, unknown>);
  return 0;
}

/** Maps compare by their sorted entries, key first, then value (value.MapCompare). */
function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ak = Object.keys(a).sort(compareStrings);
  const bk = Object.keys(b).sort(compareStrings);
  for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
    const c = compareStrings(ak[i], bk[i]) || compareValues(a[ak[i]], b[bk[i]]);
    if (c !== 0) return c;
  }
  return sign(ak.length - bk.length);
}

/** Deep equality; a key holding null is not the same as a missing key. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && valuesEqual(a[key], b[key]));
  }
  return false;
}

/** JSON as Go's encoding/json writes it: map keys sorted, and <, >, &, U+2028, U+2029 escaped. */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort(compareStrings)
      .map((key) => `${goString(key)}:${goJson(value[key])}`)
      .join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value) ?? 'null';
}

function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How a value appears in a path printed for people (value.ToString): strings quoted, maps as k=v. */
export function valueToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(valueToString).join(',')}]`;
  if (isPlainObject(value)) return Object.entries(value).map(([k, v]) => `${k}=${valueToString(v)}`).join('');
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
