// Path elements of field paths (fieldpath/element.go, serialize-pe.go): a field name, the key of an
// item of an associative list (`k:{"name":"x"}`), the value of an item of a set (`v:"a"`), or an
// index. Their order is the one FieldsV1 is written in.
import { compareStrings, compareValues, goJson, valueToString } from './value.js';
import { isPlainObject } from '../types.js';

export type KeyField = [name: string, value: unknown];

export type PathElement = { field: string } | { key: KeyField[] } | { value: unknown } | { index: number };

export type Path = PathElement[];

export const field = (name: string): PathElement => ({ field: name });

/** An associative list item's key, its fields sorted by name. */
export function keyElement(fields: KeyField[]): PathElement {
  return { key: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

function rank(pe: PathElement): number {
  if ('field' in pe) return 0;
  if ('key' in pe) return 1;
  if ('value' in pe) return 2;
  return 3;
}

function compareKeys(a: KeyField[], b: KeyField[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareStrings(a[i][0], b[i][0]) || compareValues(a[i][1], b[i][1]);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

export function comparePathElements(a: PathElement, b: PathElement): number {
  const r = rank(a) - rank(b);
  if (r !== 0) return Math.sign(r);
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) return compareKeys(a.key, (b as { key: KeyField[] }).key);
  if ('value' in a) return compareValues(a.value, (b as { value: unknown }).value);
  return Math.sign(a.index - (b as { index: number }).index);
}

/** The FieldsV1 key of a path element. */
export function serializePathElement(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([name, value]) => `${goJson(name)}:${goJson(value)}`).join(',')}}`;
  if ('value' in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** A FieldsV1 key; undefined for an unknown element type (which kube skips). Throws on malformed JSON. */
export function deserializePathElement(text: string): PathElement | undefined {
  if (text.length < 2 || text[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(text)}`);
  const rest = text.slice(2);
  switch (text[0]) {
    case 'f':
      return { field: rest };
    case 'v':
      return { value: JSON.parse(rest) as unknown };
    case 'k': {
      const parsed = JSON.parse(rest) as unknown;
      if (!isPlainObject(parsed)) throw new Error(`invalid key ${JSON.stringify(text)}`);
      return keyElement(Object.entries(parsed));
    }
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index ${JSON.stringify(text)}`);
      return { index: Number(rest) };
    }
    default:
      return undefined;
  }
}

/** A path as kube prints it in conflicts: `.spec.indexes[indexName="a"].name`. */
export function pathToString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) return `[${pe.key.map(([name, value]) => `${name}=${valueToString(value)}`).join(',')}]`;
      if ('value' in pe) return `[=${valueToString(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}
