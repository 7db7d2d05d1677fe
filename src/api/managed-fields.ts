// metadata.managedFields <-> field ownership per manager (apimachinery managedfields/internal/
// managedfields.go): a manager is identified by name, operation, API version (Update only) and
// subresource; entries are written sorted as kube sorts them, with the time each manager last
// changed something.
import { FieldSet } from './smd/set.js';
import type { ManagedSets } from './smd/updater.js';
import { isPlainObject, type ManagedFieldsEntry } from './types.js';

export interface Managed {
  fields: ManagedSets;
  /** Per manager identifier: when it last changed the object (RFC 3339), if known. */
  times: Map<string, string | undefined>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

export interface ManagerInfo {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

/** BuildManagerIdentifier: the entry without fields and time (and, for Apply, without its version). */
export function managerIdentifier(info: ManagerInfo): string {
  const { manager, operation, apiVersion, subresource } = info;
  return JSON.stringify({
    ...(manager ? { manager } : {}),
    operation,
    ...(operation === 'Update' && apiVersion ? { apiVersion } : {}),
    ...(subresource ? { subresource } : {}),
  });
}

export function parseIdentifier(identifier: string): ManagerInfo {
  try {
    return JSON.parse(identifier) as ManagerInfo;
  } catch {
    return { manager: identifier, operation: 'Update' };
  }
}

export class ManagedFieldsError extends Error {}

/** An entry whose fields have the types ManagedFieldsEntry says (what a client wrote can be anything). */
function checkedEntry(entry: unknown, i: number): ManagedFieldsEntry {
  if (!isPlainObject(entry)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
  for (const key of ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource', 'time']) {
    if (entry[key] !== undefined && typeof entry[key] !== 'string') throw new ManagedFieldsError(`${key} of managed fields entry ${i} must be a string`);
  }
  if (typeof entry.time === 'string' && Number.isNaN(Date.parse(entry.time))) throw new ManagedFieldsError(`time of managed fields entry ${i} is not a time`);
  return entry;
}

/** DecodeManagedFields; throws ManagedFieldsError for entries kube would reject. */
export function decodeManagedFields(entries: ManagedFieldsEntry[] | undefined): Managed {
  const managed = emptyManaged();
  if (entries !== undefined && !Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  (entries ?? []).forEach((sent: unknown, i) => {
    const entry = checkedEntry(sent, i);
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (!entry.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    if (!entry.fieldsType) throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (entry.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType "${entry.fieldsType}" in managed fields entry ${i}`);
    const identifier = managerIdentifier({ manager: entry.manager ?? '', operation: entry.operation, apiVersion: entry.apiVersion, ...(entry.subresource ? { subresource: entry.subresource } : {}) });
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
    } catch (error) {
      throw new ManagedFieldsError(`error decoding versioned set: ${error instanceof Error ? error.message : String(error)}`);
    }
    managed.fields.set(identifier, { set, apiVersion: entry.apiVersion, applied: entry.operation === 'Apply' });
    managed.times.set(identifier, entry.time);
  });
  return managed;
}

const seconds = (time: string | undefined): number => (time ? Math.floor(Date.parse(time) / 1000) : 0);

/** sortEncodedManagedFields: Apply before Update, then oldest first, then by manager, version, subresource. */
function compareEntries(p: ManagedFieldsEntry, q: ManagedFieldsEntry): number {
  const by = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return by(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || by(p.manager, q.manager) || by(p.apiVersion, q.apiVersion) || by(p.subresource, q.subresource);
}

/** The managedFields entries; undefined when nobody owns anything. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries = [...managed.fields].map(([identifier, owned]): ManagedFieldsEntry => {
    const info = parseIdentifier(identifier);
    const time = managed.times.get(identifier);
    return {
      ...(info.manager ? { manager: info.manager } : {}),
      operation: owned.applied ? 'Apply' : 'Update',
      apiVersion: owned.apiVersion,
      ...(time ? { time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: owned.set.toFieldsV1(),
      ...(info.subresource ? { subresource: info.subresource } : {}),
    };
  });
  return entries.sort(compareEntries);
}
