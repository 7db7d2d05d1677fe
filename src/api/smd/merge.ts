// Merging an applied configuration into a live object (typed/merge.go with the keep-right rule):
// the configuration's values win, structs and granular maps merge by key, associative lists by item.
import type { PathElement } from './path.js';
import { resolve, type ListAtom, type MapAtom, type TypeRef } from './schema.js';
import { asList, asMap, deduce, fieldType, itemElement, peKey, shapeOf, TypedValueError } from './typed.js';

/** Merges `rhs` (an applied configuration) into `lhs` (the live object); undefined when both are. */
export function mergeValues(lhs: unknown, rhs: unknown, type: TypeRef | undefined): unknown {
  const atom = resolve(type);
  const left = deduce(atom, lhs);
  const right = deduce(atom, rhs);
  // When the two sides take different shapes of the type, the configuration's shape wins.
  return rhs === undefined ? mergeShaped(left, lhs, undefined) : mergeShaped(right, lhs, rhs);
}

function keepRight(lhs: unknown, rhs: unknown): unknown {
  return rhs !== undefined ? rhs : lhs;
}

function mergeShaped(atom: ReturnType<typeof deduce>, lhs: unknown, rhs: unknown): unknown {
  const shape = shapeOf(atom);
  if (!shape) throw new TypedValueError('schema error: invalid atom');
  if ('scalar' in shape) return keepRight(lhs, rhs);
  if ('list' in shape) {
    const l = asList(lhs);
    const r = asList(rhs);
    if (shape.list.relationship === 'atomic' || (!l?.length && !r?.length)) return keepRight(lhs, rhs);
    return mergeListItems(shape.list, l ?? [], r ?? []);
  }
  const l = asMap(lhs);
  const r = asMap(rhs);
  const emptyL = !l || Object.keys(l).length === 0;
  const emptyR = !r || Object.keys(r).length === 0;
  if (shape.map.relationship === 'atomic' || (emptyL && emptyR)) return keepRight(lhs, rhs);
  return mergeMapItems(shape.map, l ?? {}, r ?? {});
}

function mergeMapItems(map: MapAtom, lhs: Record<string, unknown>, rhs: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(lhs), ...Object.keys(rhs)])) {
    const merged = mergeValues(lhs[key], rhs[key], fieldType(map, key));
    if (merged !== undefined) out[key] = merged;
  }
  return Object.keys(out).length ? out : undefined;
}

interface Indexed {
  pes: PathElement[];
  /** Per element: the item, or null for an element that appears more than once. */
  byKey: Map<string, unknown>;
}

function index(list: ListAtom, items: unknown[], allowDuplicates: boolean): Indexed {
  const pes: PathElement[] = [];
  const byKey = new Map<string, unknown>();
  for (const item of items) {
    const pe = itemElement(list, item);
    const key = peKey(pe);
    if (byKey.has(key)) {
      if (!allowDuplicates) throw new TypedValueError(`duplicate entries for key ${peKey(pe)}`);
      byKey.set(key, null);
    } else byKey.set(key, item);
    pes.push(pe);
  }
  return { pes, byKey };
}

/**
 * Merges two associative lists by item: live items keep their order, and items of the configuration
 * come in the configuration's order relative to the live items they share (visitListItems).
 */
function mergeListItems(list: ListAtom, lhs: unknown[], rhs: unknown[]): unknown {
  const right = index(list, rhs, false);
  const left = index(list, lhs, true);
  const shared = right.pes.filter((pe) => left.byKey.has(peKey(pe)));
  let nextShared: PathElement | undefined = shared.shift();
  const mergedRight = new Set<string>();
  const out: unknown[] = [];
  const emit = (l: unknown, r: unknown): void => {
    const merged = mergeValues(l, r, list.elementType);
    if (merged !== undefined) out.push(merged);
  };
  const advanceShared = (): void => {
    nextShared = shared.shift();
  };
  let li = 0;
  let ri = 0;
  while (li < left.pes.length || ri < right.pes.length) {
    if (li < left.pes.length && ri < right.pes.length) {
      const pe = left.pes[li];
      if (peKey(pe) === peKey(right.pes[ri])) {
        mergedRight.add(peKey(pe));
        emit(left.byKey.get(peKey(pe)), right.byKey.get(peKey(pe)));
        li++;
        ri++;
        advanceShared();
        continue;
      }
      if (right.byKey.has(peKey(pe)) && nextShared !== undefined && peKey(nextShared) !== peKey(pe)) {
        li++;
        continue;
      }
    }
    if (li < left.pes.length) {
      const pe = left.pes[li];
      if (!right.byKey.has(peKey(pe))) {
        emit(lhs[li], undefined);
        li++;
        continue;
      } else if (mergedRight.has(peKey(pe))) li++;
    }
    if (ri < right.pes.length) {
      const pe = right.pes[ri];
      mergedRight.add(peKey(pe));
      emit(left.byKey.get(peKey(pe)), right.byKey.get(peKey(pe)));
      ri++;
      if (nextShared !== undefined && peKey(nextShared) === peKey(pe)) advanceShared();
    }
  }
  return out.length ? out : undefined;
}

