// The generic store: Kubernetes verbs for one kind, with the AWS account as the storage. Every write
// is admitted first (schema, canonical form, the kind's rules, on update immutable fields and the
// kind's update rules: dry runs stop only after all of it), then made in AWS with the change set
// computed here once, then read back from AWS; what is returned (and what watchers see) is what AWS
// has. Modelled on k8s.io/apiserver's registry Store with a per-kind strategy.
// Reading (get, list, watch, resync) is in store-reader.ts, creating in store-create.ts; this file
// holds updates, patches, server-side apply and deletes.
import { badRequest, notFound, StatusError, type Status } from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { applyJsonPatch, applyMergePatch, type PatchType } from '../api/patch.js';
import { timestamp } from '../api/time.js';
import { isPlainObject, type KubeObject, type ManagedFieldsEntry } from '../api/types.js';
import { diffTags, isReservedTagKey, userTags, type StoredMetadata } from '../aws/metadata-tags.js';
import { admitObserved, admitUpdate, decodeObject, throwIfInvalid, type AdmittedSpec } from './admission.js';
import { specFieldOf } from './kind.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { DELETION_POLICY_ANNOTATION, quarantineOf, readySinceOf, specOf, storedMetadataOf } from './objects.js';
import { specChange } from './spec-change.js';
import { checkAddressing, checkPreconditions, deletedStatus, placeIn, tagsFor } from './store-support.js';
import { asksToAdopt, isObserveOnly, keptTags, managementChangeErrors, RETAINED_TAG, retainedTag } from './adoption.js';
import { StoreAdopter } from './store-adopt.js';
import type { Found } from './store-reader.js';
import type { DeleteOptions, ListQuery, WriteOptions, WriteResult } from './store-types.js';

export class KindStore extends StoreAdopter {
  async update(namespace: string, name: string, body: unknown, options: WriteOptions): Promise<WriteResult> {
    const { object, warnings } = decodeObject(this.kind, body, options.fieldValidation);
    checkAddressing(object, namespace, name);
    return this.write(namespace, name, async () => {
      const current = this.servable(await this.refresh(namespace, name));
      if (!current) throw notFound(this.plural, name);
      return { object: await this.applyUpdate(current, object, options, warnings), warnings };
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
      return { object: await this.applyUpdate(current, object, options, warnings), warnings };
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
      const { object, managedFields } = serverSideApply(this.kind, current?.object, config, options.fieldManager, options.force);
      if (!current) {
        placeIn(object, namespace);
        if (asksToAdopt(object.metadata.annotations)) return { object: await this.adopt({ namespace, name, object, managedFields, options, warnings }), warnings, created: true };
        const admitted = await this.admit(namespace, object);
        return { object: await this.createObject(namespace, name, object, admitted, managedFields, options.dryRun, warnings), warnings, created: true };
      }
      return { object: await this.applyUpdate(current, object, options, warnings, managedFields), warnings };
    });
  }

  /**
   * An observe-only object's update: its spec is what AWS has, so only its metadata (in our tags) can
   * change; a different spec in the request is ignored with a warning.
   */
  private observedUpdate(current: Found, desired: KubeObject, warnings: string[]): AdmittedSpec<object> {
    admitObserved(this.kind, desired);
    const field = specFieldOf(this.kind);
    const reported = specOf(this.kind, current.object);
    if (!deepEqual(specOf(this.kind, desired), reported)) warnings.push(`${field} is ignored for an observe-only object: it reports the settings AWS has`);
    desired[field] = reported;
    return { spec: current.observed.spec, tags: userTags(current.observed.tags) };
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
    checkPreconditions(this.kind, current.object, desired.metadata.resourceVersion, desired.metadata.uid);
    throwIfInvalid(this.kind, name, managementChangeErrors(current.meta.annotations, desired.metadata.annotations));
    // What AWS has, in the canonical form the desired spec is compared with.
    const currentSpec = this.kind.canonicalSpec({ ...current.observed.spec });
    const admitted = isObserveOnly(current.meta.annotations) ? this.observedUpdate(current, desired, warnings) : await this.admit(namespace, desired, currentSpec);
    if (!isObserveOnly(current.meta.annotations)) admitUpdate(this.kind, name, currentSpec, admitted.spec);

    const change = specChange(currentSpec, admitted.spec);
    const specChanged = change.fields.size > 0;
    const tagsChanged = !deepEqual(userTags(current.observed.tags), admitted.tags);
    const meta = storedMetadataOf(desired, {
      uid: current.meta.uid,
      creationTimestamp: current.meta.creationTimestamp,
      generation: current.meta.generation + (specChanged || tagsChanged ? 1 : 0),
      managedFields: applied ?? this.managedFieldsAfter(current, desired, options.fieldManager),
      ...(current.meta.deletionTimestamp ? { deletionTimestamp: current.meta.deletionTimestamp } : {}),
      readySince: readySinceOf(current.object, current.meta.creationTimestamp),
    });
    const tags = { ...tagsFor(this.kind, this.identity(namespace, name), meta, admitted.tags), ...keptTags(current.observed.tags, meta.annotations) };
    const tagChange = diffTags(current.observed.tags, tags);
    const nothingToDo = !specChanged && Object.keys(tagChange.set).length === 0 && tagChange.remove.length === 0;
    if (nothingToDo) return current.object;
    if (specChanged) await this.checkLinks(namespace, name, admitted.spec, currentSpec);
    if (options.dryRun) return this.preview(namespace, name, admitted.spec, meta, tags, current);

    if (meta.deletionTimestamp && !meta.finalizers?.length) {
      // The last finalizer went: the deletion it held goes ahead instead of this write, so a deletion
      // AWS refuses (a bucket that holds objects) refuses the write too and nothing has changed.
      const gone = await this.finishDeletion({ ...current, meta });
      if (gone.object) return gone.object;
      return { ...current.object, metadata: { ...current.object.metadata, finalizers: [] } };
    }
    const ctx = this.config.context(namespace);
    const report = specChanged ? await this.aws(name, () => this.kind.aws.update(ctx, current.observed, change)) : undefined;
    await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, tagChange));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, changed: [...change.fields], generation: meta.generation }, 'updated AWS resource');
    const updated = specChanged ? await this.refresh(namespace, name) : this.commitWithTags(namespace, name, current.observed, tags, meta);
    if (!updated) throw notFound(this.plural, name);
    this.recordEvents(updated.object, report?.events);
    await this.afterWrite(updated.object, warnings);
    return updated.object;
  }

  // ---------------------------------------------------------------- deleting

  async delete(namespace: string, name: string, options: DeleteOptions): Promise<{ object?: KubeObject; status?: Status }> {
    return this.write(namespace, name, async () => {
      const current = this.servable(await this.refresh(namespace, name));
      if (!current) throw notFound(this.plural, name);
      checkPreconditions(this.kind, current.object, options.preconditions?.resourceVersion, options.preconditions?.uid);
      if (options.dryRun || current.object.metadata.deletionTimestamp) return { object: current.object };
      if (current.meta.finalizers?.length) return { object: await this.markForDeletion(current) };
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

  /** Finalizers still hold the object: record the deletion request on the resource and wait for them. */
  private async markForDeletion(current: Found): Promise<KubeObject> {
    const { namespace, name } = current.object.metadata as { namespace: string; name: string };
    const meta: StoredMetadata = { ...current.meta, deletionTimestamp: timestamp(), readySince: readySinceOf(current.object, current.meta.creationTimestamp) };
    const tags = { ...tagsFor(this.kind, this.identity(namespace, name), meta, userTags(current.observed.tags)), ...keptTags(current.observed.tags, meta.annotations) };
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
