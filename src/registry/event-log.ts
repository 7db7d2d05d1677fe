// The per-kind history that watches are served from: the last N changes in resourceVersion order, and
// the subscribers that receive new ones. A watch may resume from any version whose later events are
// all still held; older versions are answered 410 Expired so the client relists.
import type { KubeObject } from '../api/types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: EventType;
  /** The object after the change (for DELETED: its last state), carrying `resourceVersion`. */
  object: KubeObject;
  /** The object before the change (MODIFIED only), so a filtered watch can tell entering from leaving. */
  previous?: KubeObject;
  resourceVersion: number;
}

export type ChangeListener = (event: ChangeEvent) => void;

export class EventLog {
  private readonly events: ChangeEvent[] = [];
  private readonly listeners = new Set<ChangeListener>();
  /** Watches may start from this version or any later one. */
  private oldestServable: number;

  constructor(
    origin: number,
    private readonly capacity: number,
  ) {
    this.oldestServable = origin;
  }

  append(event: ChangeEvent): void {
    this.events.push(event);
    if (this.events.length > this.capacity) {
      const evicted = this.events.shift() as ChangeEvent;
      this.oldestServable = evicted.resourceVersion;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** The events after `resourceVersion`, or undefined when some of them are no longer held. */
  since(resourceVersion: number): ChangeEvent[] | undefined {
    if (resourceVersion < this.oldestServable) return undefined;
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.events[mid].resourceVersion <= resourceVersion) low = mid + 1;
      else high = mid;
    }
    return this.events.slice(low);
  }

  /**
   * Forgets every change up to `resourceVersion`, so watches from those versions get 410 and relist.
   * Used when this replica becomes the leader: versions handed out before then may have been issued
   * by another replica for other states.
   */
  expireThrough(resourceVersion: number): void {
    const kept = this.events.filter((event) => event.resourceVersion > resourceVersion);
    this.events.splice(0, this.events.length, ...kept);
    this.oldestServable = Math.max(this.oldestServable, resourceVersion);
  }

  get oldest(): number {
    return this.oldestServable;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}
