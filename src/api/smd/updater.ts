// Field ownership on update and apply (merge/update.go's Updater): an update gives the writer what
// it changed and takes it from everyone else; an apply merges the configuration, prunes what the
// manager applied before and no longer does (unless someone else owns it), and conflicts with every
// other manager owning a field the apply changes, unless forced.
import { compareValues, type Comparison } from './compare.js';
import { mergeValues } from './merge.js';
import type { Path } from './path.js';
import { removeItems } from './remove.js';
import type { TypeRef } from './schema.js';
import { FieldSet } from './set.js';
import { toFieldSet } from './to-field-set.js';
import { valuesEqual } from './value.js';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Per manager identifier (see field-manager.ts), the fields it owns. */
export type ManagedSets = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

export class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflicts`);
  }
}

export interface UpdaterOptions {
  type: TypeRef;
  /** The version objects are written in; managers of other versions are dropped (kube cannot convert them). */
  version: string;
  /** Fields no write may own (kube's reset fields: status for a resource with a status subresource). */
  ignored: FieldSet;
}

export class Updater {
  constructor(private readonly options: UpdaterOptions) {}

  private filter(set: FieldSet): FieldSet {
    return set.recursiveDifference(this.options.ignored);
  }

  private compare(oldObject: unknown, newObject: unknown): Comparison {
    const c = compareValues(oldObject, newObject, this.options.type);
    return { removed: this.filter(c.removed), modified: this.filter(c.modified), added: this.filter(c.added) };
  }

  /** Takes changed fields from every manager but `workflow` (409 unless forced), and removed fields from all. */
  private update(oldObject: unknown, newObject: unknown, managers: ManagedSets, workflow: string, force: boolean): { managers: ManagedSets; compare: Comparison } {
    const compare = this.compare(oldObject, newObject);
    const changed = compare.modified.union(compare.added);
    const conflicts = new Map<string, FieldSet>();
    const result: ManagedSets = new Map();
    for (const [manager, owned] of managers) {
      if (manager !== workflow && owned.apiVersion !== this.options.version) continue;
      result.set(manager, owned);
      if (manager === workflow) continue;
      const conflicting = owned.set.intersection(changed);
      if (!conflicting.empty()) conflicts.set(manager, conflicting);
    }
    if (!force && conflicts.size) {
      throw new ApplyConflicts([...conflicts].flatMap(([manager, set]) => set.paths().map((path) => ({ manager, path }))));
    }
    for (const [manager, owned] of result) {
      if (manager === workflow) continue;
      const lost = conflicts.get(manager);
      const set = (lost ? owned.set.difference(lost) : owned.set).difference(compare.removed);
      if (set.empty()) result.delete(manager);
      else result.set(manager, { ...owned, set });
    }
    return { managers: result, compare };
  }

  /** A create, update or non-apply patch by `manager`: the new object is kept as it is. */
  updateOwnership(liveObject: unknown, newObject: unknown, managers: ManagedSets, manager: string): ManagedSets {
    const { managers: result, compare } = this.update(liveObject, newObject, managers, manager, true);
    const previous = result.get(manager)?.set ?? new FieldSet();
    const set = this.filter(previous.difference(compare.removed).union(compare.modified).union(compare.added));
    if (set.empty()) result.delete(manager);
    else result.set(manager, { set, apiVersion: this.options.version, applied: false });
    return result;
  }

  /** An apply: the merged object (undefined when it equals the live one) and the new ownership. */
  apply(liveObject: unknown, config: unknown, managers: ManagedSets, manager: string, force: boolean): { object: unknown; managers: ManagedSets } {
    const { type, version } = this.options;
    let merged = mergeValues(liveObject, config, type);
    const lastSet = managers.get(manager);
    const withApplier: ManagedSets = new Map(managers);
    withApplier.set(manager, { set: this.filter(toFieldSet(config, type)), apiVersion: version, applied: true });
    merged = this.prune(merged, withApplier, lastSet);
    const { managers: result } = this.update(liveObject, merged, withApplier, manager, force);
    return { object: valuesEqual(liveObject, merged) ? undefined : merged, managers: result };
  }

  /** Removes what the manager applied last time and not now, unless another manager owns it. */
  private prune(merged: unknown, managers: ManagedSets, lastSet: VersionedSet | undefined): unknown {
    if (!lastSet || lastSet.set.empty() || lastSet.apiVersion !== this.options.version) return merged;
    const { type } = this.options;
    const ensure = (set: FieldSet) => set.ensureNamedFieldsAreMembers(type);
    let pruned = removeItems(merged, ensure(lastSet.set), type);
    // Add back what anyone (the applier's new configuration included) still owns.
    const owned = [...managers.values()].reduce((all, m) => all.union(m.set), new FieldSet());
    const mergedSet = ensure(toFieldSet(merged, type));
    pruned = removeItems(merged, mergedSet.difference(ensure(toFieldSet(pruned, type)).union(ensure(owned))), type);
    // Only remove what this manager owned before: put back unowned or updater-owned leftovers.
    const prunedSet = ensure(toFieldSet(pruned, type));
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(ensure(lastSet.set)), type);
  }
}
