// A typed value without some of its fields (typed/remove.go, RemoveItems): what pruning a manager's
// dropped fields uses. A struct or map whose fields all go becomes null, as in kube.
import type { FieldSet } from './set.js';
import type { TypeRef } from './schema.js';
import { asList, asMap, deduce, fieldType, itemElement, shapeOf } from './typed.js';

/** The value without the fields in `set` (a struct whose fields all go becomes null, as in kube). */
export function removeItems(value: unknown, set: FieldSet, type: TypeRef | undefined): unknown {
  const shape = shapeOf(deduce(type, value));
  if (!shape) return undefined;
  if ('scalar' in shape) return value;
  if ('list' in shape) {
    const items = asList(value);
    if (!items) return undefined;
    if (items.length === 0 || shape.list.relationship === 'atomic') return undefined;
    const kept: unknown[] = [];
    for (const item of items) {
      const pe = itemElement(shape.list, item);
      if (set.has([pe])) continue;
      const under = set.withPrefix(pe);
      kept.push(under.empty() ? item : (removeItems(item, under, shape.list.elementType) ?? null));
    }
    return kept.length ? kept : undefined;
  }
  const map = asMap(value);
  if (!map) return undefined;
  if (Object.keys(map).length === 0 || shape.map.relationship === 'atomic') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(map)) {
    const pe = { field: key };
    if (set.has([pe])) continue;
    const under = set.withPrefix(pe);
    out[key] = under.empty() ? child : (removeItems(child, under, fieldType(shape.map, key)) ?? null);
  }
  return Object.keys(out).length ? out : undefined;
}
