// The generic store: Kubernetes verbs for one kind, with the AWS account as the storage. Every write
// goes through kube's field manager (ownership, server-side apply), then is admitted (schema, canonical
// form, the kind's rules, on update immutable fields and the kind's update rules: dry runs stop only
// after all of it), then made in AWS with the change set computed here once, then read back from AWS;
// what is returned (and what watchers see) is what AWS has, in the form users wrote it while AWS
// agrees (spec-shape.ts). Modelled on k8s.io/apiserver's registry Store with a per-kind strategy.
// Reading (get, list, watch, resync) is in store-reader.ts; this file holds the writes.
import { randomUUID, randomBytes } from 'node:crypto';
import { alreadyExists, badRequest, invalid, notFound, StatusError, type Status } from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { applyJsonPatch, applyMergePatch, type PatchType } from '../api/patch.js';
import { timestamp } from '../api/time.js';
import { isPlainObject, type KubeObject } from '../api/types.js';
import { diffTags, isReservedTagKey, userTags, type StoredMetadata } from '../aws/metadata-tags.js';
import { admitSpec, admitUpdate, decodeObject, type AdmittedSpec } from './admission.js';
import { specFieldOf, type ConfigMapLookup, type KindEvent, type Observed, type SiblingLookup } from './kind.js';
import { fieldManagerOf } from './managed-fields.js';
import { awsSpecOf, DELETION_POLICY_ANNOTATION, readySinceOf, specOf, storedMetadataOf } from './objects.js';
import { renderSpec, specShapeOf, withoutPassThroughDefaults } from './spec-shape.js';
import { specChange } from './spec-change.js';
import { checkAddressing, checkPreconditions, checkUpdatePreconditions, deletedStatus, physicalNameTaken, placeIn, tagsFor } from './store-support.js';
import { isWaiting, StoreReader, type Found } from './store-reader.js';
import type { DeleteOptions, ListQuery, WriteOptions, WriteResult } from './store-types.js';
import { objectKey } from './view.js';

/** kube's garbage collector's finalizers (metav1.FinalizerDeleteDependents, FinalizerOrphanDependents). */
const FOREGROUND_FINALIZER = 'foregroundDeletion';
const ORPHAN_FINALIZER = 'orphan';

/** An object as a deletion that waits for finalizers leaves it (for dry runs). */
function pendingDeletion(object: KubeObject, finalizers: string[]): KubeObject {
  return { ...object, metadata: { ...object.metadata, deletionTimestamp: timestamp(), finalizers } };
}

/** What passed admission, and the user's form of the spec to remember (spec-shape.ts). */
interface Desired extends AdmittedSpec<object> {
  shape: Record<string, unknown> | undefined;
}

/** How the store writes a waiting object again: as it is, by nobody (managedFields stay). */
const RETRY: WriteOptions = { dryRun: false, fieldValidation: 'Ignore', fieldManager: '', force: false };

/** An object being deleted whose last finalizer is gone. */
const isReleased = (meta: StoredMetadata): boolean => meta.deletionTimestamp !== undefined && !meta.finalizers?.length;

export class KindStore extends StoreReader {
  private readonly fieldManager = fieldManagerOf(this.kind);
  /** The last failure of a retry per waiting object, so that an Event says only what is new. */
  private readonly retryFailures = new Map<string, string>();

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

  /** An object as it would be, for dry runs: the desired spec over what AWS has (or nothing yet). */
  private preview(namespace: string, name: string, spec: object, meta: StoredMetadata, tags: Record<string, string>, base?: Found): KubeObject {
    const observed: Observed = base
      ? { ...base.observed, spec, tags }
      : { ref: '', arn: '', tags, spec, status: {}, outputs: {}, lifecycle: { state: 'CREATING', phase: 'Creating' } };
    const object = this.render(observed, meta, namespace, name, base?.object);
    if (base) object.metadata.resourceVersion = base.object.metadata.resourceVersion;
    return object;
  }

  /** Fills in what the spec's names of sibling objects (and ConfigMap keys) stand for (kinds without references: unchanged). */
  private async resolveReferences(namespace: string, name: string, spec: object, current?: object): Promise<object> {
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
    const configMap: ConfigMapLookup = async (configMapName) => this.config.configMaps?.(namespace, configMapName);
    const references = { identity: this.identity(namespace, name), lookup, configMap, ...(current ? { current } : {}) };
    return this.aws(name, () => resolve(this.config.context(), spec, references));
  }

  /** The kind's read-only AWS checks of a spec (422 with their causes). */
  private async verify(name: string, spec: object): Promise<void> {
    const verify = this.kind.verify?.bind(this.kind);
    if (!verify) return;
    const errors = await this.aws(name, () => verify(this.config.context(), spec));
    if (errors.length) throw invalid(this.kind.names.kind, name, errors);
  }

  /**
   * Admits the spec an object asks for (`requested`: the spec written, without defaults that merely
   * passed through) and resolves its references; with the user's form of it to remember. The kind's
   * AWS checks (verify) are the caller's: an update runs them only when the spec changes.
   */
  private async admit(namespace: string, object: KubeObject, requested: Record<string, unknown>, current?: object): Promise<Desired> {
    const name = object.metadata.name ?? '';
    const admitted = admitSpec(this.kind, { ...object, [specFieldOf(this.kind)]: requested }, this.identity(namespace, name), current);
    const spec = await this.resolveReferences(namespace, name, admitted.spec, current);
    return { spec, tags: admitted.tags, shape: specShapeOf(this.kind, requested, awsSpecOf({ spec, tags: admitted.tags })) };
  }

  /** Runs the afterWrite hook, adding its warnings to the response's; then tells the server the namespace changed. */
  private async afterWrite(object: KubeObject, warnings: string[]): Promise<void> {
    warnings.push(...((await this.config.hooks?.afterWrite?.(this.kind, object)) ?? []));
    this.config.written?.(object.metadata.namespace as string);
  }

  /** Records what the kind reported about a write as Events on the object. */
  private recordEvents(object: KubeObject, events: KindEvent[] | undefined): void {
    for (const event of events ?? []) {
      this.config.log.info({ kind: this.kind.names.kind, namespace: object.metadata.namespace, name: object.metadata.name, reason: event.reason }, event.message);
      this.config.hooks?.recordEvent?.(this.kind, object, event);
    }
  }

  async create(namespace: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    const name = object.metadata.name ?? '';
    placeIn(object, namespace);
    const desired = await this.admit(namespace, object, specOf(this.kind, object));
    return this.write(namespace, name, async () => {
      if (await this.observe(namespace, name)) throw alreadyExists(this.plural, name);
      const tracked = this.fieldManager.update(undefined, object, options.fieldManager);
      return { object: await this.createObject(namespace, name, tracked, desired, options.dryRun, warnings), warnings };
    });
  }

  /** Creates the AWS resource for an admitted object; the caller holds its lock and knows it is new. */
  private async createObject(namespace: string, name: string, object: KubeObject, desired: Desired, dryRun: boolean, warnings: string[]): Promise<KubeObject> {
    await this.config.hooks?.admitCreate?.(this.kind, namespace, name);
    const { spec } = desired;
    await this.verify(name, spec);
    const physicalName = this.kind.aws.physicalName(this.identity(namespace, name), spec);
    const ctx = this.config.context();
    const taken = await this.aws(name, () => this.kind.aws.find(ctx, physicalName));
    if (taken) throw physicalNameTaken(this.kind, this.identity(namespace, name), physicalName, taken);
    const creationTimestamp = timestamp();
    const meta = storedMetadataOf(object, {
      uid: randomUUID(),
      creationTimestamp,
      generation: 1,
      managedFields: object.metadata.managedFields,
      readySince: readySinceOf(undefined, creationTimestamp),
      specShape: desired.shape,
    });
    const { tags, stored } = tagsFor(this.kind, this.identity(namespace, name), meta, desired.tags);
    if (dryRun) return this.preview(namespace, name, spec, stored, tags);

    const ref = await this.aws(name, () => this.kind.aws.create(ctx, physicalName, spec, tags));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref }, 'created AWS resource');
    const found = (await this.observe(namespace, name)) ?? (await this.readBack(ref, stored));
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

  async update(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    checkAddressing(object, namespace, name);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      const next = this.fieldManager.update(current.object, object, options.fieldManager);
      return { object: await this.applyUpdate(current, next, options, warnings), warnings };
    });
  }

  async patch(namespace: string, name: string, type: PatchType, patch: unknown, options: WriteOptions): Promise<WriteResult> {
    if (type === 'apply') return this.apply(namespace, name, patch, options);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      const patched = type === 'merge' ? applyMergePatch(current.object, patch) : applyJsonPatch(current.object, patch);
      const { object, warnings } = decodeObject(this.kind, patched, options.fieldValidation);
      checkAddressing(object, namespace, name);
      const next = this.fieldManager.update(current.object, object, options.fieldManager);
      return { object: await this.applyUpdate(current, next, options, warnings), warnings };
    });
  }

  /** Server-side apply: merges the manager's configuration (creating the object when it is new). */
  private async apply(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    if (isPlainObject(body) && isPlainObject(body.metadata) && body.metadata.managedFields !== undefined) {
      throw badRequest('metadata.managedFields must be nil');
    }
    const { object: config, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    checkAddressing(config, namespace, name);
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      const merged = this.fieldManager.apply(current?.object, config, options.fieldManager, options.force);
      if (!current) {
        placeIn(merged, namespace);
        const desired = await this.admit(namespace, merged, specOf(this.kind, merged));
        return { object: await this.createObject(namespace, name, merged, desired, options.dryRun, warnings), warnings, created: true };
      }
      return { object: await this.applyUpdate(current, merged, options, warnings), warnings };
    });
  }

  /** A write of an existing object, as the field manager left it: AWS is changed only where it differs. */
  private async applyUpdate(current: Found, next: KubeObject, options: WriteOptions, warnings: string[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    checkUpdatePreconditions(this.kind, current.object, next);
    // What AWS has, in the canonical form the desired spec is compared with.
    const currentSpec = this.kind.canonicalSpec({ ...current.observed.spec });
    const aws = awsSpecOf(current.observed);
    const previous = { spec: specOf(this.kind, current.object), managedFields: current.object.metadata.managedFields };
    const requested = withoutPassThroughDefaults(this.kind, specOf(this.kind, next), next.metadata.managedFields, previous, aws);
    const desired = await this.admit(namespace, next, requested, currentSpec);
    admitUpdate(this.kind, name, currentSpec, desired.spec);

    const change = specChange(currentSpec, desired.spec);
    const specChanged = change.fields.size > 0;
    // What AWS runs already passed them: an unchanged spec (a GitOps re-apply) makes no AWS call.
    if (specChanged) await this.verify(name, desired.spec);
    const shown = renderSpec(this.kind, awsSpecOf({ spec: desired.spec, tags: desired.tags }), desired.shape);
    const meta = storedMetadataOf(next, {
      uid: current.meta.uid,
      creationTimestamp: current.meta.creationTimestamp,
      // As for a custom resource: any change of the spec (as shown) is a new generation.
      generation: current.meta.generation + (deepEqual(shown, specOf(this.kind, current.object)) ? 0 : 1),
      managedFields: next.metadata.managedFields,
      ...(current.meta.deletionTimestamp ? { deletionTimestamp: current.meta.deletionTimestamp } : {}),
      readySince: readySinceOf(current.object, current.meta.creationTimestamp),
      specShape: desired.shape,
    });
    const { tags, stored } = tagsFor(this.kind, this.identity(namespace, name), meta, desired.tags);
    const tagChange = diffTags(current.observed.tags, tags);
    const nothingToDo = !specChanged && Object.keys(tagChange.set).length === 0 && tagChange.remove.length === 0;
    if (nothingToDo) return current.object;
    if (options.dryRun) return this.preview(namespace, name, desired.spec, stored, tags, current);

    if (current.observed.lifecycle.phase === 'Waiting') return this.rewriteWaiting(current, desired.spec, tags, stored, warnings);
    const ctx = this.config.context();
    const report = specChanged ? await this.aws(name, () => this.kind.aws.update(ctx, current.observed, change)) : undefined;
    await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, tagChange));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, changed: [...change.fields], generation: stored.generation }, 'updated AWS resource');

    if (isReleased(stored)) return this.finishReleased(current);
    const updated = specChanged ? await this.refresh(namespace, name) : this.commitRetagged(current, tags, stored);
    if (!updated) throw notFound(this.plural, name);
    this.recordEvents(updated.object, report?.events);
    await this.afterWrite(updated.object, warnings);
    return updated.object;
  }

  /**
   * A write of an object the kind keeps until objects its spec names exist (Lifecycle `Waiting`): the
   * kind creates it again, in AWS once it can; its last finalizer gone, it is deleted instead.
   */
  private async rewriteWaiting(current: Found, spec: object, tags: Record<string, string>, stored: StoredMetadata, warnings: string[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    if (isReleased(stored)) return this.finishReleased(current);
    const ref = await this.aws(name, () => this.kind.aws.create(this.config.context(), current.ref, spec, tags));
    const updated = await this.refresh(namespace, name);
    if (!updated) throw notFound(this.plural, name);
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref, waiting: updated.observed.lifecycle.phase === 'Waiting' }, 'wrote waiting object');
    await this.afterWrite(updated.object, warnings);
    return updated.object;
  }

  /** An update removed the last finalizer of an object being deleted: it goes now. */
  private async finishReleased(current: Found): Promise<KubeObject> {
    const gone = await this.finishDeletion(current);
    return gone.object ?? { ...current.object, metadata: { ...current.object.metadata, finalizers: [] } };
  }

  /**
   * Writes each object that waits for others (Lifecycle `Waiting`), of one namespace or of all, again
   * as it is: the kind makes it in AWS once what it names exists. Called after every write of the
   * namespace (server.ts) and after every full resync; what still waits changes nothing. A failure is
   * logged, and recorded as an Event on the object when it is news; the next retry tries again.
   */
  async retryWaiting(namespace?: string): Promise<void> {
    const waiting = this.view.list().map((entry) => entry.object).filter((o) => isWaiting(o) && (namespace === undefined || o.metadata.namespace === namespace));
    if (namespace === undefined) {
      const keys = new Set(waiting.map((o) => objectKey(o.metadata.namespace as string, o.metadata.name as string)));
      for (const key of this.retryFailures.keys()) if (!keys.has(key)) this.retryFailures.delete(key);
    }
    for (const object of waiting) {
      const { namespace: where, name } = object.metadata as { namespace: string; name: string };
      try {
        await this.write(where, name, async () => {
          const current = await this.refresh(where, name);
          if (current?.observed.lifecycle.phase === 'Waiting') await this.applyUpdate(current, current.object, RETRY, []);
        });
        this.retryFailures.delete(objectKey(where, name));
      } catch (error) {
        this.retryFailed(object, error);
      }
    }
  }

  private retryFailed(object: KubeObject, error: unknown): void {
    const { namespace, name } = object.metadata as { namespace: string; name: string };
    const message = error instanceof Error ? error.message : String(error);
    this.config.log.warn({ kind: this.kind.names.kind, namespace, name, err: message }, 'a waiting object could not be created; will retry');
    if (this.retryFailures.get(objectKey(namespace, name)) === message) return;
    this.retryFailures.set(objectKey(namespace, name), message);
    this.config.hooks?.recordEvent?.(this.kind, object, { type: 'Warning', reason: 'CreateFailed', message: `the ${this.kind.names.kind} could not be created in AWS (retried after writes in its namespace and every resync): ${message}` });
  }

  /**
   * After a change of tags only (labels, annotations, managed fields, spec.tags), the resource is what
   * was read a moment ago with the tags AWS just accepted: no second read, which halves such a write.
   */
  private commitRetagged(current: Found, tags: Record<string, string>, meta: StoredMetadata): Found {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const systemTags = Object.fromEntries(Object.entries(current.observed.tags).filter(([key]) => key.startsWith('aws:')));
    return this.commit(namespace, name, { ...current, observed: { ...current.observed, tags: { ...systemTags, ...tags } }, meta, readAt: performance.now() });
  }

  // ---------------------------------------------------------------- deleting

  async delete(namespace: string, name: string, options: DeleteOptions): Promise<{ object?: KubeObject; status?: Status }> {
    return this.write(namespace, name, async () => {
      const current = await this.refresh(namespace, name);
      if (!current) throw notFound(this.plural, name);
      checkPreconditions(this.kind, current.object, options.preconditions?.resourceVersion, options.preconditions?.uid);
      if (current.object.metadata.deletionTimestamp) return { object: current.object };
      const finalizers = this.deletionFinalizers(current.meta.finalizers ?? [], options.propagationPolicy);
      if (options.dryRun) return finalizers.length ? { object: pendingDeletion(current.object, finalizers) } : { status: deletedStatus(this.kind, name, current.meta.uid) };
      if (finalizers.length) return { object: await this.markForDeletion(current, finalizers) };
      return this.finishDeletion(current);
    });
  }

  /**
   * Deletes every matching object; returns them as they were (or are, when AWS deletes asynchronously).
   * One object that cannot be deleted (a non-empty bucket) never keeps the others: each is tried, and
   * the first failure is the answer, so that the namespace controller reports it and tries again.
   */
  async deleteCollection(query: ListQuery, options: DeleteOptions): Promise<KubeObject[]> {
    const deleted: KubeObject[] = [];
    let failure: Error | undefined;
    for (const item of this.list(query).items) {
      const { namespace, name } = item.metadata as { namespace: string; name: string };
      try {
        const result = await this.delete(namespace, name, options);
        deleted.push(result.object ?? item);
      } catch (error) {
        if (!(error instanceof StatusError && error.code === 404)) failure ??= error as Error;
      }
    }
    if (failure !== undefined) throw failure;
    return deleted;
  }

  /**
   * The finalizers a deletion waits for: the object's own, and, as kube's registry adds them, the
   * garbage collector's for Foreground (dependents first) and Orphan (dependents kept) deletions.
   * Without a garbage collector (a direct server) there are no dependents and both mean Background.
   */
  private deletionFinalizers(finalizers: string[], policy: DeleteOptions['propagationPolicy']): string[] {
    const own = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
    if (!this.config.hooks?.garbageCollector || !policy || policy === 'Background') return own;
    return [...own, policy === 'Foreground' ? FOREGROUND_FINALIZER : ORPHAN_FINALIZER];
  }

  /** Finalizers still hold the object: record the deletion request on the resource and wait for them. */
  private async markForDeletion(current: Found, finalizers: string[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const meta: StoredMetadata = { ...current.meta, finalizers, deletionTimestamp: timestamp(), readySince: readySinceOf(current.object, current.meta.creationTimestamp) };
    const { tags } = tagsFor(this.kind, this.identity(namespace, name), meta, userTags(current.observed.tags));
    await this.aws(name, () => this.kind.aws.setTags(this.config.context(), current.observed, diffTags(current.observed.tags, tags)));
    const updated = await this.refresh(namespace, name);
    return updated?.object ?? current.object;
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
      return { status: deletedStatus(this.kind, name, current.meta.uid) };
    }
    const outcome = await this.aws(name, () => this.kind.aws.delete(ctx, current.observed));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: current.ref, outcome: outcome.state }, 'deleting AWS resource');
    if (outcome.state === 'deleted') {
      this.view.remove(namespace, name);
      return { status: deletedStatus(this.kind, name, current.meta.uid) };
    }
    const pending = await this.refresh(namespace, name);
    return pending ? { object: pending.object } : { status: deletedStatus(this.kind, name, current.meta.uid) };
  }
}
