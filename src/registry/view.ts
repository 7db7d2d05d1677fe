// The in-memory view of this cluster's objects of one kind, the server's only state besides AWS itself.
// It holds each object as last read from AWS with the resourceVersion it was given; a new version is
// issued exactly when the rendered object changes, and every change is appended to the kind's event log.
import { createHash } from 'node:crypto';
import { stableStringify } from '../api/json.js';
import type { KubeObject } from '../api/types.js';
import type { EventLog } from './event-log.js';
import type { ResourceVersionClock } from './resource-version.js';

export interface ViewEntry {
  /** How the kind addresses the AWS resource (table name, queue URL...). */
  ref: string;
  object: KubeObject;
  hash: string;
  /** Fingerprint of the AWS tags the object was last read with: a listing that shows others means a change. */
  tagsFingerprint: string;
  /** When the read now in the view started (performance.now()), whether or not it found a change. */
  readAt: number;
}

/** Objects found gone that the view remembers, so that an older read that still saw one cannot revive it. */
const REMEMBERED_REMOVALS = 10_000;

function contentHash(object: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return createHash('sha1').update(stableStringify({ ...object, metadata })).digest('base64');
}

export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ObjectView {
  private readonly entries = new Map<string, ViewEntry>();
  /** Keys in list order, kept until an object is added or removed (lists are far more frequent). */
  private sortedKeys: string[] | undefined;
  /** When the read that found each recently removed object gone started, oldest first. */
  private readonly removedAt = new Map<string, number>();

  constructor(
    private readonly clock: ResourceVersionClock,
    readonly log: EventLog,
  ) {}

  get(namespace: string, name: string): ViewEntry | undefined {
    return this.entries.get(objectKey(namespace, name));
  }

  /** Every entry, in namespace/name order (the order etcd lists in). */
  list(): ViewEntry[] {
    this.sortedKeys ??= [...this.entries.keys()].sort();
    return this.sortedKeys.map((key) => this.entries.get(key) as ViewEntry);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Seconds since the object read longest ago was read (0 with no objects). */
  oldestReadAge(): number {
    let oldest = Infinity;
    for (const entry of this.entries.values()) oldest = Math.min(oldest, entry.readAt);
    return oldest === Infinity ? 0 : (performance.now() - oldest) / 1000;
  }

  /**
   * Whether the view holds the result of a read that started after `readAt` (the object as read, or
   * its absence): a background read that started at `readAt` is then stale and must not be applied.
   */
  knowsNewer(namespace: string, name: string, readAt: number): boolean {
    const key = objectKey(namespace, name);
    return (this.entries.get(key)?.readAt ?? this.removedAt.get(key) ?? -Infinity) > readAt;
  }

  /** Records the object as read from AWS and returns it with its (possibly new) resourceVersion. */
  commit(ref: string, object: KubeObject, tagsFingerprint = '', readAt: number = performance.now()): KubeObject {
    const key = objectKey(object.metadata.namespace as string, object.metadata.name as string);
    this.removedAt.delete(key);
    const hash = contentHash(object);
    const existing = this.entries.get(key);
    if (existing && existing.hash === hash && existing.ref === ref) {
      existing.tagsFingerprint = tagsFingerprint;
      existing.readAt = readAt;
      return existing.object;
    }
    const resourceVersion = this.clock.next();
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(resourceVersion) } };
    if (!existing) this.sortedKeys = undefined;
    this.entries.set(key, { ref, object: stored, hash, tagsFingerprint, readAt });
    this.log.append(existing ? { type: 'MODIFIED', object: stored, previous: existing.object, resourceVersion } : { type: 'ADDED', object: stored, resourceVersion });
    return stored;
  }

  /** Forgets an object that is gone from AWS; watchers get DELETED with its last state. */
  remove(namespace: string, name: string, readAt: number = performance.now()): KubeObject | undefined {
    const key = objectKey(namespace, name);
    this.removedAt.delete(key);
    this.removedAt.set(key, readAt);
    if (this.removedAt.size > REMEMBERED_REMOVALS) this.removedAt.delete(this.removedAt.keys().next().value as string);
    const existing = this.entries.get(key);
    if (!existing) return undefined;
    this.entries.delete(key);
    this.sortedKeys = undefined;
    const resourceVersion = this.clock.next();
    const last: KubeObject = { ...existing.object, metadata: { ...existing.object.metadata, resourceVersion: String(resourceVersion) } };
    this.log.append({ type: 'DELETED', object: last, resourceVersion });
    return last;
  }
}
