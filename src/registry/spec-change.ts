// The change set of an update, computed once by the store: which top-level fields of the canonical
// spec differ between what AWS has and what is desired.
import { deepEqual } from '../api/json.js';
import type { SpecChange } from './kind.js';

export function specChange<S extends object>(current: S, desired: S): SpecChange<S> {
  // Specs are plain JSON objects; their fields are compared by name.
  const [before, after] = [current as Record<string, unknown>, desired as Record<string, unknown>];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const fields = new Set([...names].filter((field) => !deepEqual(before[field], after[field])));
  return { current, desired, fields };
}
