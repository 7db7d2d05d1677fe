// Reading, for the generic store: AWS read now (get, and before every write), the in-memory view
// (list, watch), and the resync that keeps the view fresh against changes made outside the server.
// Writes are in store.ts, which extends this.
import { conflict, invalid, notFound } from '../api/errors.js';
import { timestamp } from '../api/time.js';
import type { KubeObject } from '../api/types.js';
import { mapAwsError } from '../aws/errors.js';
import { readIdentity, readMetadataTags, readOwner, sameOwner, type OwnerIdentity, type StoredMetadata } from '../aws/metadata-tags.js';
import { forEachConcurrently } from './concurrency.js';
import { EventLog } from './event-log.js';
import { ResourceConflict, SpecInvalid, type KindContext, type KindDefinition, type Listed, type Observed } from './kind.js';
import { KeyedMutex } from './keyed-mutex.js';
import { listResourceVersion } from './list-version.js';
import { isAbandoned, isHalfMade, isHalfMadeBy, vouchedFor } from './half-made.js';
import { METADATA_UNREADABLE, quarantineMessage, quarantineOf, recoveredMetadata, renderObject, WAITING_FOR_REFERENCES, withAccountUnavailable } from './objects.js';
import { Paginator, type Page } from './pagination.js';
import { planResync, tagsFingerprint, type ResyncRead } from './resync-plan.js';
import type { ListQuery, PageRequest, ResyncPartition, StoreConfig } from './store-types.js';
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
  /**
   * Why its metadata tags cannot be read, when they cannot: the object is then quarantined, listed
   * (Ready=False, MetadataUnreadable) but never served by GET nor written, since its labels,
   * annotations, finalizers and owner references are unknown.
   */
  quarantine?: string;
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

  /**
   * Reads the object's AWS resource now; undefined when it does not exist, is not this object's, or is
   * half made (a create under way or abandoned: registry/half-made.ts), which is not an object yet.
   */
  protected async observe(namespace: string, name: string, readAt: number = performance.now()): Promise<Omit<Found, 'object'> | undefined> {
    const owner = this.identity(namespace, name);
    const known = this.view.get(namespace, name)?.ref;
    const candidates = known ? [known] : [this.kind.aws.physicalName(owner)];
    const ctx = this.config.context(namespace);
    for (const ref of candidates) {
      const observed = await this.aws(name, () => this.kind.aws.find(ctx, ref));
      if (observed && sameOwner(readIdentity(observed.tags), owner) && !isHalfMade(observed.tags)) return this.found(observed, namespace, name, readAt);
    }
    return undefined;
  }

  /**
   * What a read found: the metadata stored in the resource's tags; for a resource that has none
   * (created or tagged out of band), metadata recovered from it, its creation time the one first shown
   * when AWS does not say, so that re-reading it does not change the object; for one whose metadata
   * tags cannot be read, recovered metadata and a quarantine.
   */
  protected found(observed: Observed, namespace: string, name: string, readAt: number): Omit<Found, 'object'> {
    const reading = readMetadataTags(observed.tags);
    if (reading.state === 'readable') return { ref: observed.ref, observed, meta: reading.meta, readAt };
    const shown = this.view.get(namespace, name)?.object.metadata.creationTimestamp;
    const meta = recoveredMetadata(observed, observed.createdAt ?? shown ?? timestamp());
    return { ref: observed.ref, observed, meta, readAt, ...(reading.state === 'unreadable' ? { quarantine: quarantineMessage(observed, reading.reason) } : {}) };
  }

  /**
   * Renders what was found and records it in the view (new resourceVersion only if it changed). Should
   * rendering fail on something AWS holds, the object is quarantined rather than the read failing.
   */
  protected commit(namespace: string, name: string, found: Omit<Found, 'object'>): Found {
    const previous = this.view.get(namespace, name)?.object;
    let rendered: { object: KubeObject; quarantine?: string };
    try {
      rendered = { object: this.render(found.observed, found.meta, namespace, name, previous, found.quarantine), ...(found.quarantine ? { quarantine: found.quarantine } : {}) };
    } catch (error) {
      const quarantine = quarantineMessage(found.observed, `it could not be rendered: ${error instanceof Error ? error.message : String(error)}`);
      const meta = recoveredMetadata(found.observed, previous?.metadata.creationTimestamp ?? timestamp());
      rendered = { object: this.render({ ...found.observed, spec: {}, status: {}, outputs: {} }, meta, namespace, name, previous, quarantine), quarantine };
    }
    const object = this.view.commit(found.ref, rendered.object, tagsFingerprint(found.observed.tags), found.readAt);
    if (rendered.quarantine && quarantineOf(previous) !== rendered.quarantine) this.reportQuarantine(object, rendered.quarantine);
    return { ...found, object, ...(rendered.quarantine ? { quarantine: rendered.quarantine } : {}) };
  }

  private reportQuarantine(object: KubeObject, message: string): void {
    this.config.log.warn({ kind: this.kind.names.kind, namespace: object.metadata.namespace, name: object.metadata.name, reason: message }, 'quarantined an object whose metadata tags cannot be read');
    this.config.hooks?.recordEvent?.(this.kind, object, { type: 'Warning', reason: METADATA_UNREADABLE, message });
  }

  /** An object requests may read or change: a quarantined one is a 409 saying why and what to do. */
  protected servable<T extends Found | undefined>(found: T): T {
    if (found?.quarantine) throw conflict(this.plural, found.object.metadata.name as string, found.quarantine);
    return found;
  }

  protected render(observed: Observed, meta: StoredMetadata, namespace: string, name: string, previous: KubeObject | undefined, quarantine?: string): KubeObject {
    const object = renderObject(this.kind, observed, meta, namespace, name, previous, timestamp(), quarantine);
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
    const found = this.servable(await this.refreshConsistently(namespace, name));
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
   * What a full resync reads, and why, is in resync-plan.ts; `readBudget` 0 reads only what the
   * listing shows changed (a relist for a change event).
   */
  async resync(onlyTransitional = false, readBudget = this.config.resyncReadBudget): Promise<void> {
    const reread = (entry: ViewEntry) => this.tolerated(entry.ref, () => this.rereadInBackground(entry.object.metadata.namespace as string, entry.object.metadata.name as string));
    if (onlyTransitional) {
      await forEachConcurrently(this.view.list().filter((entry) => !isSettled(entry.object)), RESYNC_READS_IN_FLIGHT, reread);
      return;
    }
    const { listing, unlisted } = await this.listPartitions();
    const plan = planResync(listing, this.view, this.config.clusterName, readBudget);
    // Objects of an account that could not be listed keep their last state, Ready=False saying why.
    const unreachable = (entry: ViewEntry) => unlisted.find((partition) => partition.holds(entry.object.metadata.namespace as string));
    plan.missing = plan.missing.filter((entry) => !unreachable(entry));
    for (const entry of this.view.list()) {
      const partition = unreachable(entry);
      // An empty fingerprint: the next listing that reaches the account reads the object again.
      if (partition) this.view.commit(entry.ref, withAccountUnavailable(entry.object, partition.problem ?? 'its AWS account cannot be reached'), '', entry.readAt);
    }
    const abandoned = plan.halfMade.filter((item) => isAbandoned(item.tags)).map((item) => ({ ref: item.ref, owner: item.owner }));
    await forEachConcurrently([...plan.changed, ...plan.spotChecks], RESYNC_READS_IN_FLIGHT, (read) => this.tolerated(read.ref, () => this.resyncRead(read, abandoned)));
    // The listing can lag behind AWS: confirm each disappearance with a direct read before reporting it.
    await forEachConcurrently(plan.missing, RESYNC_READS_IN_FLIGHT, reread);
    if (this.config.mayCleanUp?.() ?? true) await forEachConcurrently(abandoned, RESYNC_READS_IN_FLIGHT, (read) => this.tolerated(read.ref, () => this.discardAbandoned(read)));
  }

  /**
   * Lists the kind in every account partition (one account and region: store-types.ts). A resource is
   * taken from a partition only if its owner's namespace lives there, so tags written in one account
   * can never make an object of a namespace that lives in another. A partition that cannot be listed
   * (its role cannot be assumed, say) does not hold up the others; the server's own fails the resync.
   */
  private async listPartitions(): Promise<{ listing: (string | Listed)[]; unlisted: (ResyncPartition & { problem?: string })[] }> {
    const partitions = this.config.partitions?.() ?? [{ key: '', context: () => this.config.context(), holds: () => true, own: true }];
    const listing: (string | Listed)[] = [];
    const unlisted: (ResyncPartition & { problem?: string })[] = [];
    for (const partition of partitions) {
      try {
        for await (const item of this.kind.aws.enumerate(partition.context(), this.config.clusterName)) {
          const namespace = typeof item === 'string' ? undefined : readOwner(item.tags)?.namespace;
          if (namespace === undefined ? partitions.length === 1 : partition.holds(namespace)) listing.push(item);
        }
      } catch (error) {
        if (partition.own) throw error;
        unlisted.push({ ...partition, problem: error instanceof Error ? error.message : String(error) });
        this.config.log.warn({ kind: this.kind.names.kind, partition: partition.key, err: error instanceof Error ? error.message : error }, 'could not list an AWS account; its objects keep their last state');
      }
    }
    return { listing, unlisted };
  }

  /** Removes a resource whose create never finished, with the kind's discard (else its delete). */
  protected async discard(name: string, ctx: KindContext, observed: Observed): Promise<void> {
    await this.aws(name, async () => {
      await (this.kind.aws.discard ?? this.kind.aws.delete)(ctx, observed);
    });
  }

  /**
   * Removes a half-made resource whose create was abandoned (the process died, or its rollback
   * failed): nobody was told it exists. In line with writes to its object, and only if a fresh read
   * still finds it half made and abandoned, so a create that is finishing it meanwhile wins.
   */
  private async discardAbandoned(read: Required<ResyncRead>): Promise<void> {
    const { namespace, name } = read.owner;
    const journal = this.config.journal;
    await this.mutex.run(objectKey(namespace, name), async () => {
      const ctx = this.config.context(namespace);
      const observed = await this.aws(name, () => this.kind.aws.find(ctx, read.ref));
      if (!observed || !isHalfMadeBy(observed.tags, this.identity(namespace, name)) || !isAbandoned(observed.tags)) return;
      const key = this.journalKey(namespace, name);
      const record = journal && (await this.aws(name, () => journal.read(key)));
      if (!vouchedFor(record, this.kind.aws.physicalName(this.identity(namespace, name), observed.spec), observed.tags)) {
        this.config.log.warn({ kind: this.kind.names.kind, namespace, name, ref: observed.ref }, 'a half-made AWS resource no create record vouches for stays hidden: apply its object again to finish it, or remove it in AWS');
        return;
      }
      await this.discard(name, ctx, observed);
      await this.aws(name, async () => journal?.forget(key));
      this.config.log.warn({ kind: this.kind.names.kind, namespace, name, ref: observed.ref }, 'removed a half-made AWS resource whose create was abandoned');
    });
  }

  /** The object's key in the create journal. */
  protected journalKey(namespace: string, name: string): string {
    return `${this.plural}/${namespace}/${name}`;
  }

  /**
   * One background step for one resource (a read, the removal of an abandoned half-made one): if it
   * fails (a resource AWS will not describe to us, a call that timed out, a bucket that holds objects),
   * that object keeps its last state and the next resync tries again; the kind's resync goes on.
   */
  private async tolerated(ref: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch (error) {
      this.config.log.warn({ kind: this.kind.names.kind, ref, err: error instanceof Error ? error.message : error }, 'a resync step for one resource failed; it keeps its last state and is tried again next period');
    }
  }

  /** Re-reads one object in the background (a change event named it): MODIFIED, or DELETED if gone. */
  reread(namespace: string, name: string): Promise<void> {
    return this.rereadInBackground(namespace, name);
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

  /**
   * Reads a listed resource by its ref (it may be unknown to the view) and applies it like
   * rereadInBackground. A half-made one found abandoned joins `abandoned` (listings without tags
   * cannot tell).
   */
  private async resyncRead(read: ResyncRead, abandoned: Required<ResyncRead>[]): Promise<void> {
    const readAt = performance.now();
    // Each read has a deadline of its own: one that hangs ends without holding up the others.
    const observed = await this.aws(read.ref, () => this.kind.aws.find(this.config.context(read.owner?.namespace), read.ref));
    const owner = observed && readIdentity(observed.tags);
    if (observed && owner && isHalfMade(observed.tags) && isAbandoned(observed.tags) && !abandoned.some((item) => item.ref === read.ref)) {
      abandoned.push({ ref: observed.ref, owner: { namespace: owner.namespace, name: owner.name } });
    }
    if (!observed || !owner || owner.cluster !== this.config.clusterName || isHalfMade(observed.tags)) {
      // Listed but gone (or no longer ours) by the time it was read: settle what the view holds for it.
      if (read.owner && this.view.get(read.owner.namespace, read.owner.name)) await this.rereadInBackground(read.owner.namespace, read.owner.name);
      return;
    }
    if (this.view.knowsNewer(owner.namespace, owner.name, readAt)) return;
    this.commit(owner.namespace, owner.name, this.found(observed, owner.namespace, owner.name, readAt));
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
