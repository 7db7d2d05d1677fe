// The generic store: Kubernetes verbs for one kind, with the AWS account as the storage. Every write
// is validated first, then made in AWS, then read back from AWS; what is returned (and what watchers
// see) is what AWS has. Modelled on k8s.io/apiserver's registry Store with a per-kind strategy.
// Reading (get, list, watch, resync) is in store-reader.ts, creating in store-create.ts; this file
// holds updates, patches, server-side apply and deletes.
import { badRequest, notFound, StatusError, type Status } from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { applyJsonPatch, applyMergePatch, type PatchType } from '../api/patch.js';
import { timestamp } from '../api/time.js';
import { isPlainObject, type KubeObject, type ManagedFieldsEntry } from '../api/types.js';
import { diffTags, isReservedTagKey, type StoredMetadata } from '../aws/metadata-tags.js';
import { decodeObject, immutableFieldErrors, objectErrors, observedObjectErrors, throwIfInvalid } from './admission.js';
import { withoutIgnoredFields } from './kind-schemas.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { DELETION_POLICY_ANNOTATION, quarantineOf, storedMetadataOf } from './objects.js';
import { checkAddressing, checkPreconditions, deletedStatus, tagsFor, withoutTags } from './store-support.js';
import { isObserveOnly, keptTags, managementChangeErrors, RETAINED_TAG, retainedTag } from './adoption.js';
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
        await this.prepareNew(namespace, object);
        return { object: await this.createObject(namespace, name, object, managedFields, options, warnings), warnings, created: true };
      }
      return { object: await this.applyUpdate(current, object, options, warnings, managedFields), warnings };
    });
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
    const currentSpec = current.object.spec ?? {};
    throwIfInvalid(this.kind, name, managementChangeErrors(current.meta.annotations, desired.metadata.annotations));
    if (isObserveOnly(current.meta.annotations)) {
      // An observe-only object's spec is what AWS has: only its metadata (in our tags) can change.
      throwIfInvalid(this.kind, name, observedObjectErrors(this.kind, desired));
      if (!deepEqual(desired.spec ?? {}, currentSpec)) warnings.push('spec is ignored for an observe-only object: it reports the settings AWS has');
      desired.spec = currentSpec;
    } else {
      desired.spec = this.kind.canonicalSpec(this.kind.defaults(withoutIgnoredFields(desired.spec ?? {}), currentSpec));
      throwIfInvalid(this.kind, name, objectErrors(this.kind, desired, this.identity(namespace, name)));
      desired.spec = await this.resolveReferences(namespace, name, desired.spec, currentSpec);
      throwIfInvalid(this.kind, name, immutableFieldErrors(this.kind, currentSpec, desired.spec));
    }

    const specChanged = !deepEqual(this.kind.canonicalSpec(withoutTags(currentSpec)), withoutTags(desired.spec));
    const tagsChanged = !deepEqual(currentSpec.tags ?? {}, desired.spec.tags ?? {});
    const meta = storedMetadataOf(desired, {
      uid: current.meta.uid,
      creationTimestamp: current.meta.creationTimestamp,
      generation: current.meta.generation + (specChanged || tagsChanged ? 1 : 0),
      managedFields: applied ?? this.managedFieldsAfter(current, desired, options.fieldManager),
      ...(current.meta.deletionTimestamp ? { deletionTimestamp: current.meta.deletionTimestamp } : {}),
    });
    const tags = { ...tagsFor(this.kind, this.identity(namespace, name), meta, desired.spec), ...keptTags(current.observed.tags, meta.annotations) };
    const tagChange = diffTags(current.observed.tags, tags);
    const nothingToDo = !specChanged && Object.keys(tagChange.set).length === 0 && tagChange.remove.length === 0;
    if (nothingToDo) return current.object;
    if (specChanged) await this.checkLinks(namespace, name, desired.spec, currentSpec);
    if (options.dryRun) return this.preview(namespace, name, desired.spec, meta, tags, current);

    if (meta.deletionTimestamp && !meta.finalizers?.length) {
      // The last finalizer went: the deletion it held goes ahead instead of this write, so a deletion
      // AWS refuses (a bucket that holds objects) refuses the write too and nothing has changed.
      const gone = await this.finishDeletion({ ...current, meta });
      if (gone.object) return gone.object;
      return { ...current.object, metadata: { ...current.object.metadata, finalizers: [] } };
    }
    const ctx = this.config.context(namespace);
    if (specChanged) await this.aws(name, () => this.kind.aws.update(ctx, current.observed, withoutTags(desired.spec as Record<string, unknown>)));
    await this.aws(name, () => this.kind.aws.setTags(ctx, current.observed, tagChange));
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, specChanged, generation: meta.generation }, 'updated AWS resource');
    const updated = specChanged ? await this.refresh(namespace, name) : this.commitWithTags(namespace, name, current.observed, tags, meta);
    if (!updated) throw notFound(this.plural, name);
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

  /** Deletes every matching object; returns them as they were (or are, when AWS deletes asynchronously). */
  async deleteCollection(query: ListQuery, options: DeleteOptions): Promise<KubeObject[]> {
    const deleted: KubeObject[] = [];
    // A quarantined object cannot be deleted safely (its finalizers and deletion policy are unknown);
    // it stays, listed as such, and does not stop the others from going.
    for (const item of this.list(query).items.filter((object) => !quarantineOf(object))) {
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
    const tags = { ...tagsFor(this.kind, this.identity(namespace, name), meta, current.object.spec ?? {}), ...keptTags(current.observed.tags, meta.annotations) };
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
