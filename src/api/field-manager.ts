// The field manager kube-apiserver runs on every write of a custom resource (apimachinery
// managedfields/internal: NewDefaultFieldManager's chain of managers), on JSON objects. Update
// (create, update, non-apply patch) records what the writer changed; Apply merges a configuration
// with structured-merge-diff semantics. Also, as kube does for kubectl: the last-applied annotation
// follows server-side applies, and conflicts with what client-side apply last applied are allowed.
import { badRequest, StatusError, type StatusCause } from './errors.js';
import { decodeManagedFields, emptyManaged, encodeManagedFields, managerIdentifier, parseIdentifier, type Managed } from './managed-fields.js';
import { field, pathToString } from './smd/path.js';
import { compareValues } from './smd/compare.js';
import type { TypeRef } from './smd/schema.js';
import { FieldSet } from './smd/set.js';
import { toFieldSet } from './smd/to-field-set.js';
import { TypedValueError } from './smd/typed.js';
import { ApplyConflicts, Updater, type Conflict } from './smd/updater.js';
import { timestamp } from './time.js';
import { isPlainObject, type KubeObject, type ObjectMeta } from './types.js';
import { goJson } from './smd/value.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const MAX_UPDATE_MANAGERS = 10;
/** kubectl's server-side apply manager: the only one the last-applied annotation is kept in step for. */
const KUBECTL = 'kubectl';

export interface FieldManagerOptions {
  /** The type of a whole object of the kind. */
  type: TypeRef;
  apiVersion: string;
  kind: string;
  /** Fields writes never own (status and other server-set root fields). */
  ignored: FieldSet;
}

/** Fields never tracked for the writer (stripmeta.go). */
const STRIPPED = FieldSet.of(
  [field('apiVersion')],
  [field('kind')],
  [field('metadata')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((name) => [field('metadata'), field(name)]),
);

function conflictStatus(conflicts: Conflict[]): StatusError {
  const who = (identifier: string): string => {
    const info = parseIdentifier(identifier);
    const name = `${JSON.stringify(info.manager ?? '')}${info.subresource ? ` with subresource ${JSON.stringify(info.subresource)}` : ''}`;
    return info.operation === 'Update' ? `${name} using ${info.apiVersion ?? ''}` : name;
  };
  const causes: StatusCause[] = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${who(c.manager)}`, field: pathToString(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${who(conflicts[0].manager)}: ${pathToString(conflicts[0].path)}`;
  else {
    const managers = [...new Set(conflicts.map((c) => c.manager))].sort();
    const lines = managers.flatMap((m) => [`conflicts with ${who(m)}:`, ...conflicts.filter((c) => c.manager === m).map((c) => `- ${pathToString(c.path)}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

function withManagedFields(object: KubeObject, managed: Managed): KubeObject {
  const { managedFields: _old, ...metadata } = object.metadata;
  const entries = encodeManagedFields(managed);
  return { ...object, metadata: { ...metadata, ...(entries ? { managedFields: entries } : {}) } };
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const { managedFields: _old, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** managedFields `[]` or `[{}]` in a write resets ownership (isResetManagedFields). */
function isReset(entries: ObjectMeta['managedFields']): boolean {
  if (entries === undefined) return false;
  return entries.length === 0 || (entries.length === 1 && isPlainObject(entries[0]) && Object.keys(entries[0]).length === 0);
}

export class FieldManager {
  private readonly updater: Updater;

  constructor(private readonly options: FieldManagerOptions) {
    this.updater = new Updater({ type: options.type, version: options.apiVersion, ignored: options.ignored });
  }

  /** An empty object of the kind: what a create is compared with. */
  private empty(): KubeObject {
    return { apiVersion: this.options.apiVersion, kind: this.options.kind, metadata: {} };
  }

  /**
   * Ownership after a create (`live` undefined), update or non-apply patch by `manager`: the new object
   * with its managedFields. As UpdateNoErrors: when ownership cannot be worked out, the live one stays.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string): KubeObject {
    const base = live ?? this.empty();
    try {
      const managed = this.managedForUpdate(base, next);
      const object = withoutManagedFields(next);
      // skipNonApplied: an existing object nobody tracked yet stays untracked until its first apply.
      if (managed.fields.size === 0 && base.metadata.uid) return object;
      return withManagedFields(object, this.recordUpdate(base, object, managed, manager));
    } catch {
      // Never what the request sent (it may be anything): the live entries, or none.
      const { managedFields: _sent, ...metadata } = next.metadata;
      return { ...next, metadata: { ...metadata, ...(base.metadata.managedFields ? { managedFields: base.metadata.managedFields } : {}) } };
    }
  }

  /** decodeLiveOrNew: managedFields the writer sent replace the live ones (kubectl's migration to SSA). */
  private managedForUpdate(live: KubeObject, next: KubeObject): Managed {
    if (isReset(next.metadata.managedFields)) return emptyManaged();
    try {
      const sent = decodeManagedFields(next.metadata.managedFields);
      if (sent.fields.size > 0) return sent;
    } catch {
      // Unreadable managedFields in the request: keep the live ones.
    }
    try {
      return decodeManagedFields(live.metadata.managedFields);
    } catch {
      return emptyManaged();
    }
  }

  /** capManagers(buildManagerInfo(managedFieldsUpdater(stripMeta(structuredMerge)))).Update */
  private recordUpdate(live: KubeObject, next: KubeObject, managed: Managed, manager: string): Managed {
    const identifier = managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: this.options.apiVersion });
    const current = 'current-operation';
    const fields = this.updater.updateOwnership(live, next, managed.fields, current);
    const changed = fields.get(current);
    fields.delete(current);
    const times = new Map(managed.times);
    const changedSet = changed?.set.difference(STRIPPED);
    if (changed && changedSet && !changedSet.empty()) {
      const previous = fields.get(identifier);
      fields.set(identifier, { ...changed, set: previous ? changedSet.union(previous.set) : changedSet });
      times.set(identifier, timestamp());
    }
    return capUpdateManagers({ fields, times }, this.options.apiVersion);
  }

  /**
   * Server-side apply of `config` by `manager` onto `live` (undefined when the object is new). Returns
   * the object to store, which is `live` itself (managedFields included) when nothing changes.
   * Throws a 409 listing the conflicts unless `force`.
   */
  apply(live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean): KubeObject {
    const base = live ?? this.empty();
    if (config.apiVersion !== this.options.apiVersion || config.kind !== this.options.kind) {
      throw badRequest(`invalid object type: ${String(config.apiVersion)}, Kind=${String(config.kind)}`);
    }
    if (config.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
    try {
      toFieldSet(config, this.options.type, false);
    } catch (error) {
      if (!(error instanceof TypedValueError)) throw error;
      // kube answers this with a 500 (kubernetes/kubernetes#139253); it is the request's fault: a 400.
      const where = `${config.metadata.namespace ?? ''}/${config.metadata.name ?? ''}; ${this.options.apiVersion}, Kind=${this.options.kind}`;
      throw badRequest(`failed to create typed patch object (${where}): ${error.message}`);
    }
    let result: KubeObject;
    try {
      result = this.applyAllowingLastApplied(base, config, liveManaged(base), manager, force);
    } catch (error) {
      if (error instanceof ApplyConflicts) throw conflictStatus(error.conflicts);
      throw error;
    }
    return manager === KUBECTL && result.metadata.annotations?.[LAST_APPLIED_ANNOTATION] ? withLastApplied(result, config) : result;
  }

  /** lastAppliedManager: kubectl's first server-side apply may take fields its client-side apply set. */
  private applyAllowingLastApplied(live: KubeObject, config: KubeObject, managed: Managed, manager: string, force: boolean): KubeObject {
    try {
      return this.applyTracked(live, config, managed, manager, force);
    } catch (error) {
      if (manager !== KUBECTL || !(error instanceof ApplyConflicts)) throw error;
      const allowed = this.allowedByLastApplied(live);
      if (!allowed) throw error;
      const remaining = error.conflicts.filter((c) => !allowed.has(c.path));
      if (remaining.length) throw new ApplyConflicts(remaining);
      return this.applyTracked(live, config, managed, manager, true);
    }
  }

  /** The fields of the last-applied configuration that still have the applied values. */
  private allowedByLastApplied(live: KubeObject): FieldSet | undefined {
    const text = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
    if (!text) return undefined;
    try {
      const lastApplied = JSON.parse(text) as unknown;
      if (!isPlainObject(lastApplied) || lastApplied.apiVersion !== this.options.apiVersion) return undefined;
      const c = compareValues(lastApplied, live, this.options.type);
      return toFieldSet(lastApplied, this.options.type).difference(c.modified).difference(c.added).difference(c.removed);
    } catch {
      return undefined;
    }
  }

  /** skipNonApplied + managedFieldsUpdater + stripMeta + structuredMerge, for Apply. */
  private applyTracked(live: KubeObject, config: KubeObject, managed: Managed, manager: string, force: boolean): KubeObject {
    let base = live;
    let current = managed;
    if (current.fields.size === 0) {
      // Ownership of what exists before the first apply goes to "before-first-apply".
      current = this.recordUpdate(this.empty(), withoutManagedFields(live), current, 'before-first-apply');
      base = withManagedFields(live, current);
    }
    const identifier = managerIdentifier({ manager: manager || 'unknown', operation: 'Apply' });
    const { object, managers } = this.updater.apply(base, config, current.fields, identifier, force);
    const applied = managers.get(identifier);
    if (applied) {
      const set = applied.set.difference(STRIPPED);
      if (set.empty()) managers.delete(identifier);
      else managers.set(identifier, { ...applied, set });
    }
    const times = new Map(current.times);
    if (object !== undefined) times.set(identifier, timestamp());
    const stored = object === undefined ? withoutManagedFields(base) : withoutManagedFields(object as KubeObject);
    return withManagedFields(stored, { fields: managers, times });
  }
}

/**
 * The live object's ownership. Writes store only entries that decode, but the metadata lives in AWS
 * tags anyone may edit: entries that do not decode are a reset (kube-apiserver's decodeLiveOrNew
 * does the same for updates), so that the apply makes ownership anew instead of failing.
 */
function liveManaged(live: KubeObject): Managed {
  try {
    return decodeManagedFields(live.metadata.managedFields);
  } catch {
    return emptyManaged();
  }
}

/** buildLastApplied: the applied configuration without the annotation, as Go encodes it. */
function withLastApplied(object: KubeObject, config: KubeObject): KubeObject {
  // An annotations map the configuration had stays, even if emptied (Go's SetAnnotations of an empty map).
  const { [LAST_APPLIED_ANNOTATION]: _previous, ...configAnnotations } = config.metadata.annotations ?? {};
  const applied = { ...config, metadata: { ...config.metadata, ...(config.metadata.annotations ? { annotations: configAnnotations } : {}) } };
  const annotations: Record<string, string> = { ...object.metadata.annotations, [LAST_APPLIED_ANNOTATION]: `${goJson(applied)}\n` };
  const size = Object.entries(annotations).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...object.metadata, annotations } };
}

/** capManagers: past ten Update managers, the oldest are merged into "ancient-changes". */
function capUpdateManagers(managed: Managed, apiVersion: string): Managed {
  const updaters = [...managed.fields].filter(([, owned]) => !owned.applied).map(([identifier]) => identifier);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managed;
  const seconds = (identifier: string) => Math.floor(Date.parse(managed.times.get(identifier) ?? '1970-01-01T00:00:00Z') / 1000);
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const fields = new Map(managed.fields);
  const times = new Map(managed.times);
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const identifier of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const owned = fields.get(identifier);
    if (!owned) continue;
    const bucket = managerIdentifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: owned.apiVersion || apiVersion });
    const first = firstOfVersion.get(owned.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(owned.apiVersion, identifier);
      continue;
    }
    if (!fields.has(bucket)) {
      const firstOwned = fields.get(first);
      fields.delete(first);
      if (firstOwned) fields.set(bucket, firstOwned);
    }
    const bucketOwned = fields.get(bucket);
    fields.set(bucket, { ...owned, set: owned.set.union(bucketOwned?.set ?? new FieldSet()) });
    fields.delete(identifier);
    times.set(bucket, times.get(identifier));
    count--;
  }
  return { fields, times };
}
