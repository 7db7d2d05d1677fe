// The generic store's creates, and what every write shares (the per-object lock, kube's field manager,
// admission with reference resolution and the kind's read-only checks, dry-run previews, the
// afterWrite hook, the kind's Events). A create goes through the field manager, is admitted, checked
// against AWS (physical name, linked resources, the kind's prechecks), and made crash-safe
// (registry/half-made.ts). The other writes are in store.ts, which extends this; reading is in
// store-reader.ts.
import { randomBytes } from 'node:crypto';
import { alreadyExists, conflict, invalid, notFound, StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { diffTags, readMetadataTags, type OwnerIdentity, type StoredMetadata } from '../aws/metadata-tags.js';
import { admitSpec, decodeObject, immutableFieldErrors, throwIfInvalid, type AdmittedSpec } from './admission.js';
import { asksToAdopt } from './adoption.js';
import { isHalfMadeBy, madeByCreate, pendingTags } from './half-made.js';
import { specFieldOf, type ConfigMapLookup, type KindContext, type KindEvent, type Observed, type SiblingLookup } from './kind.js';
import { fieldManagerOf } from './managed-fields.js';
import { awsSpecOf, newObjectMetadata, specOf } from './objects.js';
import { specShapeOf } from './spec-shape.js';
import { specChange } from './spec-change.js';
import { linkRefusal, physicalNameTaken, placeIn, reservedNameErrors, tagsFor } from './store-support.js';
import { StoreReader, type Found } from './store-reader.js';
import type { Creation, WriteOptions, WriteResult } from './store-types.js';
import { objectKey } from './view.js';

/** Attempts at each step that completes a create, and the backoff before the second. */
const FINISHING_ATTEMPTS = 5;
const FINISHING_BACKOFF_MS = 100;
/** When StoreConfig does not say: how long after a create starts its half-made resource is abandoned. */
const DEFAULT_ABANDON_AFTER_MS = 120_000;

/** What passed admission, and the user's form of the spec to remember (spec-shape.ts). */
export interface Desired extends AdmittedSpec<object> {
  shape: Record<string, unknown> | undefined;
}

/** A resource a create made (or found made): `complete` when its create call returned. */
interface Made {
  observed: Observed;
  complete: boolean;
}

export abstract class StoreCreator extends StoreReader {
  protected readonly fieldManager = fieldManagerOf(this.kind);

  /** Takes over the existing resource a new object asks to adopt, or refuses (store-adopt.ts). */
  protected abstract adopt(creation: Creation): Promise<KubeObject>;

  private get abandonAfterMs(): number {
    return this.config.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS;
  }

  // ---------------------------------------------------------------- writing

  protected async write<T>(namespace: string, name: string, task: () => Promise<T>): Promise<T> {
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
  protected preview(namespace: string, name: string, spec: object, meta: StoredMetadata, tags: Record<string, string>, base?: Found): KubeObject {
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
    return this.aws(name, () => resolve(this.config.context(namespace), spec, references));
  }

  /** The kind's read-only AWS checks of a spec (422 with their causes). */
  protected async verify(namespace: string, name: string, spec: object): Promise<void> {
    const verify = this.kind.verify?.bind(this.kind);
    if (!verify) return;
    const errors = await this.aws(name, () => verify(this.config.context(namespace), spec));
    if (errors.length) throw invalid(this.kind.names.kind, name, errors);
  }

  /**
   * Admits the spec an object asks for (`requested`: the spec written, without defaults that merely
   * passed through) and resolves its references; with the user's form of it to remember. A new object
   * (no `current`) may not take a physical name of the shape default names have. The kind's AWS
   * checks (verify) are the caller's: an update runs them only when the spec changes.
   */
  protected async admit(namespace: string, object: KubeObject, requested: Record<string, unknown>, current?: object): Promise<Desired> {
    const name = object.metadata.name ?? '';
    const identity = this.identity(namespace, name);
    const admitted = admitSpec(this.kind, { ...object, [specFieldOf(this.kind)]: requested }, identity, current);
    if (!current) throwIfInvalid(this.kind, name, reservedNameErrors(this.kind, admitted.spec, identity));
    const spec = await this.resolveReferences(namespace, name, admitted.spec, current);
    return { spec, tags: admitted.tags, shape: specShapeOf(this.kind, requested, awsSpecOf({ spec, tags: admitted.tags })) };
  }

  /** Runs the afterWrite hook, adding its warnings to the response's; then tells the server the namespace changed. */
  protected async afterWrite(object: KubeObject, warnings: string[]): Promise<void> {
    warnings.push(...((await this.config.hooks?.afterWrite?.(this.kind, object)) ?? []));
    this.config.written?.(object.metadata.namespace as string);
  }

  /** Records what the kind reported about a write as Events on the object. */
  protected recordEvents(object: KubeObject, events: KindEvent[] | undefined): void {
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
    // As kube: ownership first (managedFields the request sent are taken only where they decode), then validation.
    const tracked = this.fieldManager.update(undefined, object, options.fieldManager);
    if (asksToAdopt(tracked.metadata.annotations)) {
      return this.write(namespace, name, async () => {
        if (await this.observe(namespace, name)) throw alreadyExists(this.plural, name);
        return { object: await this.adopt({ namespace, name, object: tracked, options, warnings }), warnings };
      });
    }
    const desired = await this.admit(namespace, tracked, specOf(this.kind, tracked));
    return this.write(namespace, name, async () => {
      if (await this.observe(namespace, name)) throw alreadyExists(this.plural, name);
      return { object: await this.createObject(namespace, name, tracked, desired, options.dryRun, warnings), warnings };
    });
  }

  /**
   * Every resource the spec links besides the object's own (kind.ts, LinkedResource) is checked before
   * anything is written: a part nobody else holds, a target of this namespace or unmanaged. On update
   * only the links the change adds are checked (`current`: the spec AWS has now).
   */
  protected async checkLinks(namespace: string, name: string, spec: object, current?: object): Promise<void> {
    const identity = this.identity(namespace, name);
    const linked = (of: object) => this.kind.aws.linked?.(of, this.kind.aws.physicalName(identity, of), identity) ?? [];
    const known = new Set(current ? linked(current).map((link) => `${link.use} ${link.name}`) : []);
    const ctx = this.config.context(namespace);
    for (const link of linked(spec).filter((candidate) => !known.has(`${candidate.use} ${candidate.name}`))) {
      const refusal = linkRefusal(this.kind, identity, link, await this.aws(name, () => link.tags(ctx)));
      if (refusal) throw refusal;
    }
  }

  /**
   * Creates the AWS resource for an admitted object; the caller holds its lock and knows no object has
   * the name. Crash-safe (registry/half-made.ts): the resource is made carrying PENDING_TAG and becomes
   * the object when that tag goes. A half-made resource of this object, left by an earlier attempt or
   * made by this one although its answer was lost, is finished rather than refused.
   */
  protected async createObject(namespace: string, name: string, object: KubeObject, desired: Desired, dryRun: boolean, warnings: string[]): Promise<KubeObject> {
    await this.config.hooks?.admitCreate?.(this.kind, namespace, name);
    const identity = this.identity(namespace, name);
    const { spec } = desired;
    await this.verify(namespace, name, spec);
    const physicalName = this.kind.aws.physicalName(identity, spec);
    const ctx = this.config.context(namespace);
    const taken = await this.aws(name, () => this.kind.aws.find(ctx, physicalName));
    if (taken && !isHalfMadeBy(taken.tags, identity)) throw physicalNameTaken(this.kind, identity, physicalName, taken);
    if (taken?.lifecycle.phase === 'Deleting') throw conflict(this.plural, name, 'AWS is still removing a half-made resource an earlier attempt at this create left; try again shortly');
    await this.checkLinks(namespace, name, spec);
    if (!taken) await this.aws(name, async () => this.kind.aws.precheck?.(ctx, spec));
    const meta = newObjectMetadata(object, desired.shape);
    const { tags, stored } = tagsFor(this.kind, identity, meta, desired.tags);
    if (dryRun) return this.preview(namespace, name, spec, stored, tags);

    const made = taken ? { observed: taken, complete: false } : await this.make(ctx, identity, physicalName, spec, tags, stored.uid);
    const committed = await this.complete(namespace, name, made, spec, tags, stored);
    await this.afterWrite(committed, warnings);
    return committed;
  }

  /**
   * Makes the resource, half made: tagged with PENDING_TAG in the call that makes it. If the create
   * fails but a fresh read finds the resource half made with this create's uid (the answer was lost,
   * and the SDK's retry met the resource it had just made), it is ours to finish.
   */
  private async make(ctx: KindContext, identity: OwnerIdentity, physicalName: string, spec: object, tags: Record<string, string>, uid: string): Promise<Made> {
    const { name } = identity;
    await this.aws(name, async () => this.config.journal?.record(this.journalKey(identity.namespace, name), { ref: physicalName, uid }));
    try {
      const ref = await this.aws(name, () => this.kind.aws.create(ctx, physicalName, spec, pendingTags(tags, Date.now() + this.abandonAfterMs)));
      this.config.log.info({ kind: this.kind.names.kind, namespace: identity.namespace, name, ref }, 'created AWS resource');
      // After a create, AWS may briefly not list the new resource by name: it is read by its ref.
      const observed = await this.persistently(name, () => this.kind.aws.find(this.config.context(identity.namespace), ref));
      if (!observed) throw new StatusError(500, 'InternalError', `Internal error occurred: AWS does not show the resource ${ref} just created`);
      return { observed, complete: true };
    } catch (error) {
      const found = await this.kind.aws.find(this.config.context(identity.namespace), physicalName).catch(() => undefined);
      if (!found || !madeByCreate(found.tags, identity, uid) || found.lifecycle.phase === 'Deleting') {
        // Nothing of this create is left to vouch for: its record goes too (if that fails, it vouches for nothing).
        await this.config.journal?.forget(this.journalKey(identity.namespace, name)).catch(() => undefined);
        throw error;
      }
      this.config.log.warn({ kind: this.kind.names.kind, namespace: identity.namespace, name, ref: found.ref }, 'the create failed, but AWS has the resource this create made: finishing it');
      return { observed: found, complete: false };
    }
  }

  /**
   * The last steps of a create. A resource whose creation did not complete is first brought to the
   * spec (one with other immutable settings is removed: 409, try again). Then PENDING_TAG goes and the
   * final metadata is written, which makes it the object. These steps are retried through throttling
   * within the request's deadline, since giving up leaves the resource half made (finished by a retry
   * of the create, else removed by the resync once abandoned).
   */
  private async complete(namespace: string, name: string, made: Made, spec: object, tags: Record<string, string>, meta: StoredMetadata): Promise<KubeObject> {
    const ctx = this.config.context(namespace);
    const { observed } = made;
    if (!made.complete) {
      // As on update: settings the spec leaves out (a defaulted name, say) are what AWS has.
      const current = this.kind.canonicalSpec({ ...observed.spec });
      const desired = this.kind.canonicalSpec({ ...spec }, current);
      const immutable = immutableFieldErrors(this.kind, current, desired);
      if (immutable.length) {
        await this.discard(name, ctx, observed);
        throw conflict(this.plural, name, `an earlier attempt at this create left a half-made resource whose ${immutable.map((e) => e.field).join(', ')} cannot change; it is being removed, try again shortly`);
      }
      // Called even when no setting differs: the kind may have steps of its create left (the bucket itself, say).
      await this.persistently(name, () => this.kind.aws.update(ctx, observed, specChange(current, desired)));
    }
    await this.persistently(name, async () => this.config.journal?.forget(this.journalKey(namespace, name)));
    try {
      await this.persistently(name, () => this.kind.aws.setTags(ctx, observed, diffTags(observed.tags, tags)));
    } catch (error) {
      // Still half made: it is vouched for again, so that the resync may remove it if nobody finishes it.
      await this.vouchAgain(namespace, name, observed).catch(() => undefined);
      throw error;
    }
    this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: observed.ref, resumed: !made.complete }, 'AWS resource complete');
    if (made.complete) return this.commitWithTags(namespace, name, observed, tags, meta).object;
    // Settings changed too: read it again, by its ref (the view does not know it yet).
    const readAt = performance.now();
    const finished = await this.persistently(name, () => this.kind.aws.find(this.config.context(namespace), observed.ref));
    if (!finished) throw notFound(this.plural, name);
    return this.commit(namespace, name, this.found(finished, namespace, name, readAt)).object;
  }

  /**
   * The journal record goes before the pending tag (once the tag is gone, nothing may vouch for
   * removing the resource); should the tag stay after all, the record is written again.
   */
  private async vouchAgain(namespace: string, name: string, observed: Observed): Promise<void> {
    const reading = readMetadataTags(observed.tags);
    if (reading.state !== 'readable') return;
    const ref = this.kind.aws.physicalName(this.identity(namespace, name), observed.spec);
    await this.config.journal?.record(this.journalKey(namespace, name), { ref, uid: reading.meta.uid });
  }

  /**
   * An AWS step after the resource was made: retried past the SDK's own attempts while AWS throttles
   * or is unavailable, until the request's deadline ends it.
   */
  protected async persistently<T>(name: string, step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.aws(name, step);
      } catch (error) {
        const transient = error instanceof StatusError && (error.code === 429 || error.code === 503);
        if (!transient || attempt >= FINISHING_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, FINISHING_BACKOFF_MS * 2 ** attempt));
      }
    }
  }

  /**
   * After a change of tags only (labels, annotations, managed fields, spec.tags, or the end of a
   * create), the resource is what was read a moment ago with the tags AWS just accepted: no second
   * read, which halves such a write.
   */
  protected commitWithTags(namespace: string, name: string, observed: Observed, tags: Record<string, string>, meta: StoredMetadata): Found {
    const systemTags = Object.fromEntries(Object.entries(observed.tags).filter(([key]) => key.startsWith('aws:')));
    return this.commit(namespace, name, { ref: observed.ref, observed: { ...observed, tags: { ...systemTags, ...tags } }, meta, readAt: performance.now() });
  }
}
