// Reading, for the generic store: AWS read now (get, and before every write), the in-memory view
// (list, watch), and the resync that keeps the view fresh against changes made outside the server.
// Writes are in store.ts, which extends this.
import { conflict, invalid, notFound } from '../api/errors.js';
import { timestamp } from '../api/time.js';
import type { KubeObject } from '../api/types.js';
import { mapAwsError } from '../aws/errors.js';
import { decodeMetadataTags, readIdentity, sameOwner, type OwnerIdentity, type StoredMetadata } from '../aws/metadata-tags.js';
import { forEachConcurrently } from './concurrency.js';
import { EventLog } from './event-log.js';
import { ResourceConflict, SpecInvalid, type KindContext, type KindDefinition, type Listed, type Observed } from './kind.js';
import { KeyedMutex } from './keyed-mutex.js';
import { listResourceVersion } from './list-version.js';
import { recoveredMetadata, renderObject, WAITING_FOR_REFERENCES } from './objects.js';
import { Paginator, type Page } from './pagination.js';
import { planResync, tagsFingerprint, type ResyncRead } from './resync-plan.js';
import type { ListQuery, PageRequest, StoreConfig } from './store-types.js';
import { objectKey, ObjectView, type ViewEntry } from './view.js';
import { startWatch, type WatchRequest, type WatchSink } from './watch.js';

/** AWS reads a resync keeps in flight per kind. */
const RESYNC_READS_IN_FLIGHT = 4;

/** An object as found in AWS now. */
export interface Found {
  ref: string;
  observed: Observed;
  meta: StoredMetadata;
  object: KubeObject;
  /** When the read that found it started (performance.now()). */
  readAt: number;
}

export abstract class StoreReader {
  readonly kind: KindDefinition;
  readonly view: ObjectView;
  protected readonly mutex = new KeyedMutex();
  private readonly paginator = new Paginator();
  /** Per object: bumped when a write starts and ends, so a read that raced one can tell. */
  protected readonly writeSerial = new Map<string, number>();

  constructor(protected readonly config: StoreConfig) {
    this.kind = config.kind;
    this.view = new ObjectView(config.clock, new EventLog(config.clock.origin, config.eventCapacity));
  }

  protected get plural(): string {
    return this.kind.names.plural;
  }

  protected identity(namespace: string, name: string): OwnerIdentity & { clusterName: string } {
    return { cluster: this.config.clusterName, clusterName: this.config.clusterName, namespace, name };
  }

  /** Runs one AWS interaction, turning whatever it throws into a Status for this object. */
  protected async aws<T>(name: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ResourceConflict) throw conflict(this.plural, name, error.message);
      if (error instanceof SpecInvalid) throw invalid(this.kind.names.kind, name, error.causes);
      throw mapAwsError(error, { kind: this.kind.names.kind, plural: this.plural, name });
    }
  }

  // ---------------------------------------------------------------- reading

  /** Reads the object's AWS resource now; undefined when it does not exist or is not this object's. */
  protected async observe(namespace: string, name: string, readAt: number = performance.now()): Promise<Omit<Found, 'object'> | undefined> {
    const owner = this.identity(namespace, name);
    const known = this.view.get(namespace, name)?.ref;
    const candidates = known ? [known] : [this.kind.aws.physicalName(owner)];
    const ctx = this.config.context();
    for (const ref of candidates) {
      const observed = await this.aws(name, () => this.kind.aws.find(ctx, ref));
      if (observed && sameOwner(readIdentity(observed.tags), owner)) {
        return { ref: observed.ref, observed, meta: this.metadataOf(observed, namespace, name), readAt };
      }
    }
    return undefined;
  }

  /**
   * The metadata stored in the resource's tags, or, for a resource that has none (created or edited out
   * of band), metadata recovered from it; its creation time stays the one first shown when AWS does not
   * say, so that re-reading it does not change the object.
   */
  protected metadataOf(observed: Observed, namespace: string, name: string): StoredMetadata {
    const shown = this.view.get(namespace, name)?.object.metadata.creationTimestamp;
    return decodeMetadataTags(observed.tags) ?? recoveredMetadata(observed, observed.createdAt ?? shown ?? timestamp());
  }

  /** Renders what was found and records it in the view (new resourceVersion only if it changed). */
  protected commit(namespace: string, name: string, found: Omit<Found, 'object'>): Found {
    const previous = this.view.get(namespace, name)?.object;
    return { ...found, object: this.view.commit(found.ref, this.render(found.observed, found.meta, namespace, name, previous), tagsFingerprint(found.observed.tags), found.readAt) };
  }

  protected render(observed: Observed, meta: StoredMetadata, namespace: string, name: string, previous: KubeObject | undefined): KubeObject {
    const object = renderObject(this.kind, observed, meta, namespace, name, previous, timestamp());
    return { ...object, ...this.config.hooks?.extraRootFields?.(object) };
  }

  /** Observes and commits, or forgets the object when AWS no longer has it. */
  protected async refresh(namespace: string, name: string): Promise<Found | undefined> {
    const readAt = performance.now();
    const found = await this.observe(namespace, name, readAt);
    if (!found) {
      this.view.remove(namespace, name, readAt);
      return undefined;
    }
    return this.commit(namespace, name, found);
  }

  /**
   * Reads optimistically; if a write to the same object happened meanwhile, reads again in line with
   * writes, so the view never goes back to a state older than one already committed.
   */
  protected async refreshConsistently(namespace: string, name: string): Promise<Found | undefined> {
    const key = objectKey(namespace, name);
    const serial = this.writeSerial.get(key) ?? 0;
    const readAt = performance.now();
    const found = await this.observe(namespace, name, readAt);
    if ((this.writeSerial.get(key) ?? 0) !== serial) return this.mutex.run(key, () => this.refresh(namespace, name));
    if (!found) {
      this.view.remove(namespace, name, readAt);
      return undefined;
    }
    return this.commit(namespace, name, found);
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const found = await this.refreshConsistently(namespace, name);
    if (!found) throw notFound(this.plural, name);
    return found.object;
  }

  /**
   * Objects from the view (kept fresh by writes and the resync), in namespace/name order; with `limit`,
   * one page, and `continue` for the pages after it.
   */
  list(query: ListQuery, request: PageRequest = {}): Page {
    if (request.continue) return this.paginator.next(request.continue, request.limit ?? 0);
    const resourceVersion = listResourceVersion(request, this.config.clock, this.view.log);
    const items = this.view
      .list()
      .map((entry) => entry.object)
      .filter((o) => (query.namespace === undefined || o.metadata.namespace === query.namespace) && query.labelSelector(o.metadata.labels ?? {}) && query.fieldSelector.matches(o));
    return this.paginator.first(items, resourceVersion, request.limit ?? 0);
  }

  watch(request: WatchRequest, sink: WatchSink): () => void {
    return startWatch({ view: this.view, log: this.view.log, clock: this.config.clock }, request, sink);
  }

  /** The collection's current resourceVersion (for bookmarks). */
  currentResourceVersion(): string {
    return String(this.config.clock.current());
  }

  // ---------------------------------------------------------------- resync

  /**
   * Re-reads this cluster's resources from AWS: out-of-band creations, changes and deletions become
   * ADDED/MODIFIED/DELETED events. With `onlyTransitional`, re-reads just objects AWS is still changing.
   * What a full resync reads, and why, is in resync-plan.ts.
   */
  async resync(onlyTransitional = false): Promise<void> {
    const reread = (entry: ViewEntry) => this.rereadInBackground(entry.object.metadata.namespace as string, entry.object.metadata.name as string);
    if (onlyTransitional) {
      await forEachConcurrently(this.view.list().filter((entry) => !isSettled(entry.object)), RESYNC_READS_IN_FLIGHT, reread);
      return;
    }
    const ctx = this.config.context();
    const listing: (string | Listed)[] = [];
    for await (const item of this.kind.aws.enumerate(ctx, this.config.clusterName)) listing.push(item);
    const plan = planResync(listing, this.view, this.config.clusterName, this.config.resyncReadBudget);
    await forEachConcurrently([...plan.changed, ...plan.spotChecks], RESYNC_READS_IN_FLIGHT, (read) => this.resyncRead(ctx, read));
    // The listing can lag behind AWS: confirm each disappearance with a direct read before reporting it.
    await forEachConcurrently(plan.missing, RESYNC_READS_IN_FLIGHT, reread);
  }

  /**
   * Background reads race with requests and writes; each is applied only if no read that started later
   * has been applied meanwhile, so the view never goes back to an older state, nor revives an object
   * a later read found gone.
   */
  private async rereadInBackground(namespace: string, name: string): Promise<void> {
    const readAt = performance.now();
    const found = await this.observe(namespace, name, readAt);
    if (this.view.knowsNewer(namespace, name, readAt)) return;
    if (found) this.commit(namespace, name, found);
    else this.view.remove(namespace, name, readAt);
  }

  /** Reads a listed resource by its ref (it may be unknown to the view) and applies it like rereadInBackground. */
  private async resyncRead(ctx: KindContext, read: ResyncRead): Promise<void> {
    const readAt = performance.now();
    const observed = await this.aws(read.ref, () => this.kind.aws.find(ctx, read.ref));
    const owner = observed && readIdentity(observed.tags);
    if (!observed || !owner || owner.cluster !== this.config.clusterName) {
      // Listed but gone (or no longer ours) by the time it was read: settle what the view holds for it.
      if (read.owner && this.view.get(read.owner.namespace, read.owner.name)) await this.rereadInBackground(read.owner.namespace, read.owner.name);
      return;
    }
    if (this.view.knowsNewer(owner.namespace, owner.name, readAt)) return;
    this.commit(owner.namespace, owner.name, { ref: observed.ref, observed, meta: this.metadataOf(observed, owner.namespace, owner.name), readAt });
  }
}

/** The Ready condition of an object as rendered. */
function readyOf(object: KubeObject): { status: string; reason: string } | undefined {
  return (object.status?.conditions as { type: string; status: string; reason: string }[] | undefined)?.find((c) => c.type === 'Ready');
}

/** Kept by the kind until objects its spec names exist (Lifecycle's `Waiting`). */
export function isWaiting(object: KubeObject): boolean {
  return readyOf(object)?.reason === WAITING_FOR_REFERENCES;
}

/**
 * Ready, failed for good, or waiting for other objects: nothing AWS is still doing that a fast re-read
 * would pick up (waiting objects are retried after writes and full resyncs instead).
 */
function isSettled(object: KubeObject): boolean {
  const ready = readyOf(object);
  return ready?.status === 'True' || ready?.reason === 'Failed' || isWaiting(object);
}
