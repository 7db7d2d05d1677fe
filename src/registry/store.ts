// The generic store: Kubernetes verbs for one kind, with the AWS account as the storage. Every write
// is validated first, then made in AWS, then read back from AWS; what is returned (and what watchers
// see) is what AWS has. Modelled on k8s.io/apiserver's registry Store with a per-kind strategy.
import { randomUUID, randomBytes } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  fieldError,
  invalid,
  notFound,
  STALE_OBJECT_MESSAGE,
  StatusError,
  type Status,
} from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { applyJsonPatch, applyMergePatch, type PatchType } from '../api/patch.js';
import type { FieldSelector, Selector } from '../api/selectors.js';
import { timestamp } from '../api/time.js';
import { GROUP, isPlainObject, type KubeObject, type ManagedFieldsEntry } from '../api/types.js';
import { mapAwsError } from '../aws/errors.js';
import {
  decodeMetadataTags,
  diffTags,
  encodeMetadataTags,
  isReservedTagKey,
  MetadataTooLargeError,
  readIdentity,
  sameOwner,
  type OwnerIdentity,
  type StoredMetadata,
} from '../aws/metadata-tags.js';
import type { Logger } from '../log.js';
import { decodeObject, immutableFieldErrors, objectErrors, throwIfInvalid, type FieldValidation } from './admission.js';
import { EventLog } from './event-log.js';
import { forEachConcurrently } from './concurrency.js';
import { ResourceConflict, SpecInvalid, type KindContext, type KindDefinition, type Listed, type Observed, type SiblingLookup } from './kind.js';
import { KeyedMutex } from './keyed-mutex.js';
import { listResourceVersion, type ListVersionRequest } from './list-version.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { withoutIgnoredFields } from './kind-schemas.js';
import { DELETION_POLICY_ANNOTATION, recoveredMetadata, renderObject, storedMetadataOf } from './objects.js';
import type { ResourceVersionClock } from './resource-version.js';
import { Paginator, type Page } from './pagination.js';
import { planResync, tagsFingerprint, type ResyncRead } from './resync-plan.js';
import { objectKey, ObjectView, type ViewEntry } from './view.js';
import { startWatch, type WatchRequest, type WatchSink } from './watch.js';

/** AWS reads a resync keeps in flight per kind. */
const RESYNC_READS_IN_FLIGHT = 4;

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Who is writing, for managedFields (the fieldManager parameter, or the User-Agent's product). */
  fieldManager: string;
  /** Apply only: take ownership of conflicting fields. */
  force: boolean;
}

export interface DeleteOptions {
  dryRun: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** An apply that created the object (answered 201). */
  created?: boolean;
}

export interface ListQuery {
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: FieldSelector;
}

/** Which part of a list, at which resourceVersion (see list-version.ts). */
export interface PageRequest extends ListVersionRequest {
  /** 0 or absent: everything. */
  limit?: number;
  continue?: string;
}

export interface StoreHooks {
  /**
   * Admission for a new object, after it passed validation and before AWS is touched (dry runs
   * included), e.g. namespace lifecycle. Refuses by throwing a StatusError.
   */
  admitCreate?(kind: KindDefinition, namespace: string, name: string): Promise<void>;
  /**
   * Called after an object was created or changed in AWS (e.g. to publish its outputs ConfigMap).
   * Returns warnings for the response: the AWS write has happened and is not undone.
   */
  afterWrite?(kind: KindDefinition, object: KubeObject): Promise<string[]>;
  /** Root fields every rendering of an object carries besides spec/status/output (e.g. additionalResources). */
  extraRootFields?(object: KubeObject): Record<string, unknown>;
}

export interface StoreConfig {
  kind: KindDefinition;
  clusterName: string;
  clock: ResourceVersionClock;
  /** A context for AWS calls, with a fresh deadline for waits. */
  context: () => KindContext;
  log: Logger;
  /** How many changes the event log keeps for resuming watches. */
  eventCapacity: number;
  /** Objects a full resync re-reads beyond those the listing shows changed (see resync-plan.ts). */
  resyncReadBudget: number;
  hooks?: StoreHooks;
  /** The store of another kind (by plural), for kinds whose specs name objects of other kinds. */
  siblings?: (plural: string) => KindStore | undefined;
}

/** An object as found in AWS now. */
interface Found {
  ref: string;
  observed: Observed;
  meta: StoredMetadata;
  object: KubeObject;
  /** When the read that found it started (performance.now()). */
  readAt: number;
}

export class KindStore {
  readonly kind: KindDefinition;
  readonly view: ObjectView;
  private readonly mutex = new KeyedMutex();
  private readonly paginator = new Paginator();
  /** Per object: bumped when a write starts and ends, so a read that raced one can tell. */
  private readonly writeSerial = new Map<string, number>();

  constructor(private readonly config: StoreConfig) {
    this.kind = config.kind;
    this.view = new ObjectView(config.clock, new EventLog(config.clock.origin, config.eventCapacity));
  }

  private get plural(): string {
    return this.kind.names.plural;
  }

  private identity(namespace: string, name: string): OwnerIdentity & { clusterName: string } {
    return { cluster: this.config.clusterName, clusterName: this.config.clusterName, namespace, name };
  }

  /** Runs one AWS interaction, turning whatever it throws into a Status for this object. */
  private async aws<T>(name: string, call: () => Promise<T>): Promise<T> {
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
  private async observe(namespace: string, name: string, readAt: number = performance.now()): Promise<Omit<Found, 'object'> | undefined> {
    const owner = this.identity(namespace, name);
    const known = this.view.get(namespace, name)?.ref;
    const candidates = known ? [known] : [this.kind.aws.physicalName({}, owner)];
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
  private metadataOf(observed: Observed, namespace: string, name: string): StoredMetadata {
    const shown = this.view.get(namespace, name)?.object.metadata.creationTimestamp;
    return decodeMetadataTags(observed.tags) ?? recoveredMetadata(observed, observed.createdAt ?? shown ?? timestamp());
  }

  /** Renders what was found and records it in the view (new resourceVersion only if it changed). */
  private commit(namespace: string, name: string, found: Omit<Found, 'object'>): Found {
    const previous = this.view.get(namespace, name)?.object;
    return { ...found, object: this.view.commit(found.ref, this.render(found.observed, found.meta, namespace, name, previous), tagsFingerprint(found.observed.tags), found.readAt) };
  }

  private render(observed: Observed, meta: StoredMetadata, namespace: string, name: string, previous: KubeObject | undefined): KubeObject {
    const object = renderObject(this.kind, observed, meta, namespace, name, previous, timestamp());
    return { ...object, ...this.config.hooks?.extraRootFields?.(object) };
  }

  /** Observes and commits, or forgets the object when AWS no longer has it. */
  private async refresh(namespace: string, name: string): Promise<Found | undefined> {
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
  private async refreshConsistently(namespace: string, name: string): Promise<Found | undefined> {
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

  // ---------------------------------------------------------------- writing

  private async write<T>(namespace: string, name: string, task: () => Promise<T>): Promise<T> {
    const key = objectKey(namespace, name);
    const bump = (): void => {
      this.writeSerial.set(key, (this.writeSerial.get(key) ?? 0) + 1);
    };
    return this.mutex.run(key, async () => {
      bump();
      try {
        return await task();
      } finally {
        bump();
      }
    });
  }

  /** The full AWS tag set for an object: identity, encoded metadata, and the user's tags. */
  private tagsFor(namespace: string, name: string, meta: StoredMetadata, spec: Record<string, unknown>): Record<string, string> {
    const user = (spec.tags ?? {}) as Record<string, string>;
    try {
      return { ...user, ...encodeMetadataTags(this.identity(namespace, name), meta, this.kind.tagLimit, Object.keys(user).length) };
    } catch (error) {
      if (!(error instanceof MetadataTooLargeError)) throw error;
      throw invalid(this.kind.names.kind, name, [
        fieldError(
          'FieldValueTooLong',
          'metadata',
          `labels, annotations, finalizers and owner references are stored in AWS tags and ${error.message}; shorten annotations or use fewer spec.tags`,
        ),
      ]);
    }
  }

  private withoutTags(spec: Record<string, unknown>): Record<string, unknown> {
    const { tags: _tags, ...rest } = spec;
    return rest;
  }

  /** An object as it would be, for dry runs: the desired spec over what AWS has (or nothing yet). */
  private preview(namespace: string, name: string, spec: Record<string, unknown>, meta: StoredMetadata, tags: Record<string, string>, base?: Found): KubeObject {
    const observed: Observed = base
      ? { ...base.observed, spec: this.withoutTags(spec), tags }
      : { ref: '', arn: '', tags, spec: this.withoutTags(spec), status: {}, outputs: {}, lifecycle: { state: 'CREATING', phase: 'Creating' } };
    const object = this.render(observed, meta, namespace, name, base?.object);
    if (base) object.metadata.resourceVersion = base.object.metadata.resourceVersion;
    return object;
  }

  /** Fills in what the spec's names of sibling objects stand for in AWS (kinds without references: unchanged). */
  private async resolveReferences(namespace: string, name: string, spec: Record<string, unknown>, current?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolve = this.kind.resolveReferences?.bind(this.kind);
    if (!resolve) return spec;
    const lookup: SiblingLookup = async (plural, sibling) => {
      const store = this.config.siblings?.(plural);
      if (!store) throw new Error(`${this.kind.names.kind} refers to ${plural}, which this server does not serve`);
      try {
        return await store.get(namespace, sibling);
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) return undefined;
        throw error;
      }
    };
    const references = { identity: this.identity(namespace, name), lookup, ...(current ? { current } : {}) };
    return this.aws(name, () => resolve(this.config.context(), spec, references));
  }

  /** Runs the afterWrite hook, adding its warnings to the response's. */
  private async afterWrite(object: KubeObject, warnings: string[]): Promise<void> {
    warnings.push(...((await this.config.hooks?.afterWrite?.(this.kind, object)) ?? []));
  }

  async create(namespace: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const name = object.metadata.name ?? '';
    await this.prepareNew(namespace, object);
    return this.write(namespace, name, async () => {
      if (await this.observe(namespace, name)) throw alreadyExists(this.plural, name);
      const managedFields = recordUpdate(this.kind, undefined, object, options.fieldManager);
      return { object: await this.createObject(namespace, name, object, managedFields, options.dryRun, warnings), warnings };
    });
  }

  /** Defaults and validates a new object, and resolves its references to sibling objects. */
  private async prepareNew(namespace: string, object: KubeObject): Promise<void> {
    if (object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = namespace;
    object.spec = this.kind.canonicalSpec(this.kind.defaults(withoutIgnoredFields(object.spec ?? {})));
    const name = object.metadata.name ?? '';
    throwIfInvalid(this.kind, name, objectErrors(this.kind, object, this.identity(namespace, name)));
    object.spec = await this.resolveReferences(namespace, name, object.spec);
  }

  /** Creates the AWS resource for a prepared object; the caller holds its lock and knows it is new. */
  private async createObject(namespace: string, name: string, object: KubeObject, managedFields: ManagedFieldsEntry[], dryRun: boolean, warnings: string[]): Promise<KubeObject> {
    await this.config.hooks?.admitCreate?.(this.kind, namespace, name);
    const spec = object.spec as Record<string, unknown>;
    const physicalName = this.kind.aws.physicalName(spec, this.identity(namespace, name));
    const ctx = this.config.context();
    const taken = await this.aws(name, () => this.kind.aws.find(ctx, physicalName));
    if (taken) throw this.nameTaken(namespace, name, physicalName, taken);
    const meta = storedMetadataOf(object, { uid: randomUUID(), creationTimestamp: timestamp(), generation: 1, managedFields });
    const tags = this.tagsFor(namespace, name, meta, spec);
    if (dryRun) return this.preview(namespace, name, spec, meta, tags);

    const ref = await this.aws(name, () => this.kind.aws.create(ctx, physicalName, this.withoutTags(spec), tags));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref }, 'created AWS resource');
    const found = (await this.observe(namespace, name)) ?? (await this.readBack(ref, meta));
    const committed = this.commit(namespace, name, found).object;
    await this.afterWrite(committed, warnings);
    return committed;
  }

  /** After a create, AWS may briefly not list the new resource by name; read it by its ref instead. */
  private async readBack(ref: string, meta: StoredMetadata): Promise<Omit<Found, 'object'>> {
    const readAt = performance.now();
    const observed = await this.aws(ref, () => this.kind.aws.find(this.config.context(), ref));
    if (!observed) throw new StatusError(500, 'InternalError', `Internal error occurred: AWS does not show the resource ${ref} just created`);
    return { ref: observed.ref, observed, meta, readAt };
  }

  private nameTaken(namespace: string, name: string, physicalName: string, taken: Observed): StatusError {
    const owner = readIdentity(taken.tags);
    // Ours already (e.g. created by another replica under an explicit physical name): a plain duplicate.
    if (sameOwner(owner, this.identity(namespace, name))) return alreadyExists(this.plural, name);
    const whose = !owner
      ? 'it is not managed by this server (it has no service-operator.aws ownership tags), so it will not be adopted or overwritten'
      : owner.cluster !== this.config.clusterName
        ? `it belongs to another cluster ("${owner.cluster}")`
        : `it belongs to ${this.kind.names.singular} "${owner.name}" in namespace "${owner.namespace}"`;
    return alreadyExists(this.plural, name, `the AWS resource "${physicalName}" already exists and ${whose}; choose another physical name in spec`);
  }

  async update(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    this.checkAddressing(object, namespace, name);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      return { object: await this.applyUpdate(current, object, options, warnings), warnings };
    });
  }

  async patch(namespace: string, name: string, type: PatchType, patch: unknown, options: WriteOptions): Promise<WriteResult> {
    if (type === 'apply') return this.apply(namespace, name, patch, options);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      const patched = type === 'merge' ? applyMergePatch(current.object, patch) : applyJsonPatch(current.object, patch);
      const { object, warnings } = decodeObject(this.kind, patched, options.fieldValidation);
      this.checkAddressing(object, namespace, name);
      return { object: await this.applyUpdate(current, object, options, warnings), warnings };
    });
  }

  /** Server-side apply: merges the manager's configuration (creating the object when it is new). */
  private async apply(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    if (isPlainObject(body) && isPlainObject(body.metadata) && body.metadata.managedFields !== undefined) {
      throw badRequest('metadata.managedFields must be nil');
    }
    const { object: config, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    this.checkAddressing(config, namespace, name);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      const { object, managedFields } = serverSideApply(this.kind, current?.object, config, options.fieldManager, options.force);
      if (!current) {
        await this.prepareNew(namespace, object);
        return { object: await this.createObject(namespace, name, object, managedFields, options.dryRun, warnings), warnings, created: true };
      }
      return { object: await this.applyUpdate(current, object, options, warnings, managedFields), warnings };
    });
  }

  private checkAddressing(object: KubeObject, namespace: string, name: string): void {
    if (object.metadata.name !== name) {
      throw badRequest(`the name of the object (${object.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    if (object.metadata.namespace && object.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = namespace;
  }

  private checkPreconditions(current: Found, resourceVersion: string | undefined, uid: string | undefined): void {
    if (uid && uid !== current.meta.uid) {
      throw conflict(this.plural, current.object.metadata.name as string, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.meta.uid}`);
    }
    if (resourceVersion && resourceVersion !== current.object.metadata.resourceVersion) {
      throw conflict(this.plural, current.object.metadata.name as string, STALE_OBJECT_MESSAGE);
    }
  }

  /**
   * Ownership after a write: as decided by an apply; as the client set it explicitly (kubectl rewrites
   * managedFields when it moves an object to server-side apply); else the writer owns what it changed.
   */
  private managedFieldsAfter(current: Found, desired: KubeObject, manager: string): ManagedFieldsEntry[] {
    const given = desired.metadata.managedFields;
    const unchanged = given === undefined || deepEqual(given, current.object.metadata.managedFields ?? []);
    return unchanged ? recordUpdate(this.kind, current.object, desired, manager) : given;
  }

  private async applyUpdate(current: Found, desired: KubeObject, options: WriteOptions, warnings: string[], applied?: ManagedFieldsEntry[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    this.checkPreconditions(current, desired.metadata.resourceVersion, desired.metadata.uid);
    const currentSpec = current.object.spec ?? {};
    desired.spec = this.kind.canonicalSpec(this.kind.defaults(withoutIgnoredFields(desired.spec ?? {}), currentSpec));
    throwIfInvalid(this.kind, name, objectErrors(this.kind, desired, this.identity(namespace, name)));
    desired.spec = await this.resolveReferences(namespace, name, desired.spec, currentSpec);
    throwIfInvalid(this.kind, name, immutableFieldErrors(this.kind, currentSpec, desired.spec));

    const specChanged = !deepEqual(this.kind.canonicalSpec(this.withoutTags(currentSpec)), this.withoutTags(desired.spec));
    const tagsChanged = !deepEqual(currentSpec.tags ?? {}, desired.spec.tags ?? {});
    const meta = storedMetadataOf(desired, {
      uid: current.meta.uid,
      creationTimestamp: current.meta.creationTimestamp,
      generation: current.meta.generation + (specChanged || tagsChanged ? 1 : 0),
      managedFields: applied ?? this.managedFieldsAfter(current, desired, options.fieldManager),
      ...(current.meta.deletionTimestamp ? { deletionTimestamp: current.meta.deletionTimestamp } : {}),
    });
    const tags = this.tagsFor(namespace, name, meta, desired.spec);
    const tagChange = diffTags(current.observed.tags, tags);
    const nothingToDo = !specChanged && Object.keys(tagChange.set).length === 0 && tagChange.remove.length === 0;
    if (nothingToDo) return current.object;
    if (options.dryRun) return this.preview(namespace, name, desired.spec, meta, tags, current);

    const ctx = this.config.context();
    if (specChanged) await this.aws(name, () => this.kind.aws.update(ctx, current.observed, this.withoutTags(desired.spec as Record<string, unknown>)));
    await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, tagChange));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, specChanged, generation: meta.generation }, 'updated AWS resource');

    if (meta.deletionTimestamp && !meta.finalizers?.length) {
      const gone = await this.finishDeletion(current);
      if (gone.object) return gone.object;
      return { ...current.object, metadata: { ...current.object.metadata, finalizers: [] } };
    }
    const updated = await this.refresh(namespace, name);
    if (!updated) throw notFound(this.plural, name);
    await this.afterWrite(updated.object, warnings);
    return updated.object;
  }

  // ---------------------------------------------------------------- deleting

  async delete(namespace: string, name: string, options: DeleteOptions): Promise<{ object?: KubeObject; status?: Status }> {
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      this.checkPreconditions(current, options.preconditions?.resourceVersion, options.preconditions?.uid);
      if (options.dryRun || current.object.metadata.deletionTimestamp) return { object: current.object };
      if (current.meta.finalizers?.length) return { object: await this.markForDeletion(current) };
      return this.finishDeletion(current);
    });
  }

  /** Deletes every matching object; returns them as they were (or are, when AWS deletes asynchronously). */
  async deleteCollection(query: ListQuery, options: DeleteOptions): Promise<KubeObject[]> {
    const deleted: KubeObject[] = [];
    for (const item of this.list(query).items) {
      const { namespace, name } = item.metadata as { namespace: string; name: string };
      try {
        const result = await this.delete(namespace, name, options);
        deleted.push(result.object ?? item);
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) throw error;
      }
    }
    return deleted;
  }

  /** Finalizers still hold the object: record the deletion request on the resource and wait for them. */
  private async markForDeletion(current: Found): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const meta: StoredMetadata = { ...current.meta, deletionTimestamp: timestamp() };
    const tags = this.tagsFor(namespace, name, meta, current.object.spec ?? {});
    await this.aws(name, () => this.kind.aws.setTags(this.config.context(), current.observed, diffTags(current.observed.tags, tags)));
    const updated = await this.refresh(namespace, name);
    return updated?.object ?? current.object;
  }

  private successStatus(name: string, uid: string): Status {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: GROUP, kind: this.plural, uid }, code: 200 };
  }

  /** Deletes (or, with the retain policy, releases) the AWS resource. */
  private async finishDeletion(current: Found): Promise<{ object?: KubeObject; status?: Status }> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const ctx = this.config.context();
    if (current.meta.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain') {
      const ours = Object.keys(current.observed.tags).filter(isReservedTagKey);
      await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, { set: {}, remove: ours }));
      this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: current.ref }, 'released AWS resource (deletion policy retain)');
      this.view.remove(namespace, name);
      return { status: this.successStatus(name, current.meta.uid) };
    }
    const outcome = await this.aws(name, () => this.kind.aws.delete(ctx, current.observed));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: current.ref, outcome: outcome.state }, 'deleting AWS resource');
    if (outcome.state === 'deleted') {
      this.view.remove(namespace, name);
      return { status: this.successStatus(name, current.meta.uid) };
    }
    const pending = await this.refresh(namespace, name);
    return pending ? { object: pending.object } : { status: this.successStatus(name, current.meta.uid) };
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

/** Ready, or failed for good: nothing AWS is still doing that a fast re-read would pick up. */
function isSettled(object: KubeObject): boolean {
  const ready = (object.status?.conditions as { type: string; status: string; reason: string }[] | undefined)?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' || ready?.reason === 'Failed';
}
