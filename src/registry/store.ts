// The generic store: Kubernetes verbs for one kind, with the AWS account as the storage. Every write
// goes through kube's field manager (ownership, server-side apply), then is admitted (schema, canonical
// form, the kind's rules, on update immutable fields and the kind's update rules: dry runs stop only
// after all of it), then made in AWS with the change set computed here once, then read back from AWS;
// what is returned (and what watchers see) is what AWS has, in the form users wrote it while AWS
// agrees (spec-shape.ts). Modelled on k8s.io/apiserver's registry Store with a per-kind strategy.
// Reading (get, list, watch, resync) is in store-reader.ts, creating in store-create.ts; this file
// holds updates, patches, server-side apply and deletes.
import { badRequest, notFound, StatusError, type Status } from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { applyJsonPatch, applyMergePatch, type PatchType } from '../api/patch.js';
import { timestamp } from '../api/time.js';
import { isPlainObject, type KubeObject } from '../api/types.js';
import { diffTags, isReservedTagKey, userTags, type StoredMetadata } from '../aws/metadata-tags.js';
import { admitObserved, admitUpdate, decodeObject, throwIfInvalid } from './admission.js';
import { asksToAdopt, isObserveOnly, keptTags, managementChangeErrors, RETAINED_TAG, retainedTag } from './adoption.js';
import { specFieldOf } from './kind.js';
import { awsSpecOf, DELETION_POLICY_ANNOTATION, quarantineOf, readySinceOf, specOf, storedMetadataOf } from './objects.js';
import { renderSpec, withoutPassThroughDefaults } from './spec-shape.js';
import { specChange } from './spec-change.js';
import { checkAddressing, checkPreconditions, checkUpdatePreconditions, deletedStatus, placeIn, tagsFor } from './store-support.js';
import { StoreAdopter } from './store-adopt.js';
import type { Desired } from './store-create.js';
import { isWaiting, type Found } from './store-reader.js';
import type { DeleteOptions, ListQuery, WriteOptions, WriteResult } from './store-types.js';
import { objectKey } from './view.js';

/** kube's garbage collector's finalizers (metav1.FinalizerDeleteDependents, FinalizerOrphanDependents). */
const FOREGROUND_FINALIZER = 'foregroundDeletion';
const ORPHAN_FINALIZER = 'orphan';

/** An object as a deletion that waits for finalizers leaves it (for dry runs). */
function pendingDeletion(object: KubeObject, finalizers: string[]): KubeObject {
  return { ...object, metadata: { ...object.metadata, deletionTimestamp: timestamp(), finalizers } };
}

/** How the store writes a waiting object again: as it is, by nobody (managedFields stay). */
const RETRY: WriteOptions = { dryRun: false, fieldValidation: 'Ignore', fieldManager: '', force: false };

/** An object being deleted whose last finalizer is gone. */
const isReleased = (meta: StoredMetadata): boolean => meta.deletionTimestamp !== undefined && !meta.finalizers?.length;

export class KindStore extends StoreAdopter {
  /** The last failure of a retry per waiting object, so that an Event says only what is new. */
  private readonly retryFailures = new Map<string, string>();

  async update(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    checkAddressing(object, namespace, name);
    return this.write(namespace, name, async () => {
      const current = this.servable(await this.refresh(namespace, name));
      if (!current) throw notFound(this.plural, name);
      const next = this.fieldManager.update(current.object, object, options.fieldManager);
      return { object: await this.applyUpdate(current, next, options, warnings), warnings };
    });
  }

  async patch(namespace: string, name: string, type: PatchType, patch: unknown, options: WriteOptions): Promise<WriteResult> {
    if (type === 'apply') return this.apply(namespace, name, patch, options);
    return this.write(namespace, name, async () => {
      const current = this.servable(await this.refresh(namespace, name));
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
      const current = this.servable(await this.refresh(namespace, name));
      const merged = this.fieldManager.apply(current?.object, config, options.fieldManager, options.force);
      if (!current) {
        placeIn(merged, namespace);
        if (asksToAdopt(merged.metadata.annotations)) return { object: await this.adopt({ namespace, name, object: merged, options, warnings }), warnings, created: true };
        const desired = await this.admit(namespace, merged, specOf(this.kind, merged));
        return { object: await this.createObject(namespace, name, merged, desired, options.dryRun, warnings), warnings, created: true };
      }
      return { object: await this.applyUpdate(current, merged, options, warnings), warnings };
    });
  }

  /**
   * An observe-only object's update: its spec is what AWS has, so only its metadata (in our tags) can
   * change; a different spec in the request is ignored with a warning.
   */
  private observedUpdate(current: Found, currentSpec: object, next: KubeObject, warnings: string[]): Desired {
    admitObserved(this.kind, next);
    if (!deepEqual(specOf(this.kind, next), specOf(this.kind, current.object))) {
      warnings.push(`${specFieldOf(this.kind)} is ignored for an observe-only object: it reports the settings AWS has`);
    }
    return { spec: currentSpec, tags: userTags(current.observed.tags), shape: current.meta.specShape };
  }

  /** What a write of an existing object asks for, admitted as an update of what AWS has. */
  private async desiredUpdate(current: Found, currentSpec: object, next: KubeObject): Promise<Desired> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const aws = awsSpecOf(current.observed);
    const previous = { spec: specOf(this.kind, current.object), managedFields: current.object.metadata.managedFields };
    const requested = withoutPassThroughDefaults(this.kind, specOf(this.kind, next), next.metadata.managedFields, previous, aws);
    const desired = await this.admit(namespace, next, requested, currentSpec);
    admitUpdate(this.kind, name, currentSpec, desired.spec);
    return desired;
  }

  /** A write of an existing object, as the field manager left it: AWS is changed only where it differs. */
  private async applyUpdate(current: Found, next: KubeObject, options: WriteOptions, warnings: string[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    checkUpdatePreconditions(this.kind, current.object, next);
    throwIfInvalid(this.kind, name, managementChangeErrors(current.meta.annotations, next.metadata.annotations));
    // What AWS has, in the canonical form the desired spec is compared with.
    const currentSpec = this.kind.canonicalSpec({ ...current.observed.spec });
    const desired = isObserveOnly(current.meta.annotations) ? this.observedUpdate(current, currentSpec, next, warnings) : await this.desiredUpdate(current, currentSpec, next);

    const change = specChange(currentSpec, desired.spec);
    const specChanged = change.fields.size > 0;
    // What AWS runs already passed them: an unchanged spec (a GitOps re-apply) makes no AWS call.
    if (specChanged) await this.verify(namespace, name, desired.spec);
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
    const { tags: ownTags, stored } = tagsFor(this.kind, this.identity(namespace, name), meta, desired.tags);
    const tags = { ...ownTags, ...keptTags(current.observed.tags, meta.annotations) };
    const tagChange = diffTags(current.observed.tags, tags);
    const nothingToDo = !specChanged && Object.keys(tagChange.set).length === 0 && tagChange.remove.length === 0;
    if (nothingToDo) return current.object;
    if (specChanged) await this.checkLinks(namespace, name, desired.spec, currentSpec);
    if (options.dryRun) return this.preview(namespace, name, desired.spec, stored, tags, current);

    if (isReleased(stored)) {
      // The last finalizer went: the deletion it held goes ahead instead of this write, so a deletion
      // AWS refuses (a bucket that holds objects) refuses the write too and nothing has changed.
      const gone = await this.finishDeletion({ ...current, meta: stored });
      return gone.object ?? { ...current.object, metadata: { ...current.object.metadata, finalizers: [] } };
    }
    if (current.observed.lifecycle.phase === 'Waiting') return this.rewriteWaiting(current, desired.spec, tags, warnings);
    const ctx = this.config.context(namespace);
    const report = specChanged ? await this.aws(name, () => this.kind.aws.update(ctx, current.observed, change)) : undefined;
    await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, tagChange));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, changed: [...change.fields], generation: stored.generation }, 'updated AWS resource');
    const updated = specChanged ? await this.refresh(namespace, name) : this.commitWithTags(namespace, name, current.observed, tags, stored);
    if (!updated) throw notFound(this.plural, name);
    this.recordEvents(updated.object, report?.events);
    await this.afterWrite(updated.object, warnings);
    return updated.object;
  }

  /**
   * A write of an object the kind keeps until objects its spec names exist (Lifecycle `Waiting`): the
   * kind creates it again, in AWS once it can (it keeps the object as it waits until then).
   */
  private async rewriteWaiting(current: Found, spec: object, tags: Record<string, string>, warnings: string[]): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const ref = await this.aws(name, () => this.kind.aws.create(this.config.context(namespace), current.ref, spec, tags));
    const updated = await this.refresh(namespace, name);
    if (!updated) throw notFound(this.plural, name);
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref, waiting: updated.observed.lifecycle.phase === 'Waiting' }, 'wrote waiting object');
    await this.afterWrite(updated.object, warnings);
    return updated.object;
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
          const current = this.servable(await this.refresh(where, name));
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

  // ---------------------------------------------------------------- deleting

  async delete(namespace: string, name: string, options: DeleteOptions): Promise<{ object?: KubeObject; status?: Status }> {
    return this.write(namespace, name, async () => {
      const current = this.servable(await this.refresh(namespace, name));
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
   * the first failure is the answer, so that the namespace controller reports it and tries again. A
   * quarantined object cannot be deleted safely (its finalizers and deletion policy are unknown): it
   * stays, listed as such, and is no failure of the others.
   */
  async deleteCollection(query: ListQuery, options: DeleteOptions): Promise<KubeObject[]> {
    const deleted: KubeObject[] = [];
    let failure: Error | undefined;
    for (const item of this.list(query).items.filter((object) => !quarantineOf(object))) {
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
    const tags = { ...tagsFor(this.kind, this.identity(namespace, name), meta, userTags(current.observed.tags)).tags, ...keptTags(current.observed.tags, meta.annotations) };
    await this.aws(name, () => this.kind.aws.setTags(this.config.context(namespace), current.observed, diffTags(current.observed.tags, tags)));
    const updated = await this.refresh(namespace, name);
    return updated?.object ?? current.object;
  }

  /** Deletes (or, with the retain policy, releases) the AWS resource. */
  private async finishDeletion(current: Found): Promise<{ object?: KubeObject; status?: Status }> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const ctx = this.config.context(namespace);
    const observed = isObserveOnly(current.meta.annotations);
    if (observed || current.meta.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain') {
      // Released: our tags go. A retained resource is marked so that only its namespace may adopt it again;
      // an observed one keeps whatever mark it had.
      const mark = observed ? {} : retainedTag(this.identity(namespace, name));
      const ours = Object.keys(current.observed.tags).filter((key) => isReservedTagKey(key) && !(key in mark) && !(observed && key === RETAINED_TAG));
      await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, { set: mark, remove: ours }));
      this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: current.ref, observed }, 'released AWS resource (observe-only, or deletion policy retain)');
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
