// The generic store's adoptions (registry/adoption.ts): a new object that asks to take over an existing
// AWS resource gets it only if its user may `adopt`, the resource is nobody's, and its claim on the
// resource wins. A managed adoption then brings the resource to the object's spec; an observe-only one
// takes the spec from AWS. Either way the object's ownership and metadata tags are added, which is the
// moment the resource becomes the object. Creates are in store-create.ts, which this extends.
import { randomUUID } from 'node:crypto';
import { conflict, fieldError, forbidden, invalid } from '../api/errors.js';
import { deepEqual } from '../api/json.js';
import { timestamp } from '../api/time.js';
import type { KubeObject } from '../api/types.js';
import { diffTags, userTags, type OwnerIdentity } from '../aws/metadata-tags.js';
import { immutableFieldErrors, throwIfInvalid } from './admission.js';
import { ADOPT_ANNOTATION, adoptionRefusal, isObserveOnly, keptTags, type ClaimOutcome } from './adoption.js';
import type { KindContext, Observed } from './kind.js';
import { storedMetadataOf } from './objects.js';
import { StoreCreator } from './store-create.js';
import { tagsFor, withoutTags } from './store-support.js';
import type { Creation, WriteOptions } from './store-types.js';

export abstract class StoreAdopter extends StoreCreator {
  protected async authorizeAdoption(namespace: string, name: string, options: WriteOptions): Promise<void> {
    if (!options.authorizeAdoption) throw forbidden(`${this.plural}.service-operator.aws "${name}" is forbidden: adoption is not authorized for this request`);
    await options.authorizeAdoption(namespace, name);
  }

  protected async adopt(creation: Creation, physicalName: string, taken: Observed | undefined): Promise<KubeObject> {
    const { namespace, name, object, managedFields, options, warnings } = creation;
    const identity = this.identity(namespace, name);
    const observe = isObserveOnly(object.metadata.annotations);
    if (!taken) throw this.nothingToAdopt(name, physicalName, observe);
    this.refuseUnlessAdoptable(identity, taken);
    const requested = object.spec as Record<string, unknown>;
    const spec = observe ? observedSpec(taken) : this.adoptedSpec(name, requested, taken);
    if (!observe) await this.checkLinks(namespace, name, spec, taken.spec);
    const meta = storedMetadataOf(object, { uid: randomUUID(), creationTimestamp: timestamp(), generation: 1, managedFields });
    const tags = { ...tagsFor(this.kind, identity, meta, spec), ...keptTags(taken.tags, object.metadata.annotations) };
    if (options.dryRun) return this.preview(namespace, name, spec, meta, tags);

    const ctx = this.config.context(namespace);
    const claims = this.config.adoptionClaims;
    if (!claims) throw conflict(this.plural, name, 'this server is not configured to adopt resources');
    const claim = { cluster: identity.cluster, namespace, name, since: timestamp() };
    const outcome = await this.aws(name, () => claims.claim(ctx, this.plural, physicalName, claim));
    if (!outcome.held) throw conflict(this.plural, name, claimConflict(outcome, physicalName, this.kind.names.singular));
    try {
      const adopted = await this.takeOver(ctx, identity, taken.ref, spec, tags, observe);
      this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: adopted.ref, observe }, 'adopted AWS resource');
      const committed = this.commit(namespace, name, this.found(adopted, namespace, name, performance.now())).object;
      await this.afterWrite(committed, warnings);
      if (observe && Object.keys(withoutTags(requested)).some((field) => field !== this.kind.aws.explicitName?.field)) {
        warnings.push('spec is ignored for an observe-only object: it reports the settings AWS has');
      }
      return committed;
    } finally {
      // Once the tags are written the claim has done its work; if they are not, another adoption may go ahead.
      await claims.release(ctx, this.plural, physicalName).catch((error: unknown) => {
        this.config.log.warn({ kind: this.kind.names.kind, namespace, name, err: error instanceof Error ? error.message : error }, 'could not release an adoption claim');
      });
    }
  }

  /**
   * With the claim held: reads the resource again (an adoption that finished before the claim was
   * ours shows in its tags), brings it to the spec (managed only), writes the tags, and reads it back.
   */
  private async takeOver(ctx: KindContext, identity: OwnerIdentity, ref: string, spec: Record<string, unknown>, tags: Record<string, string>, observe: boolean): Promise<Observed> {
    const { name } = identity;
    const current = await this.aws(name, () => this.kind.aws.find(ctx, ref));
    if (!current) throw conflict(this.plural, name, `the AWS resource "${ref}" was deleted while it was being adopted`);
    this.refuseUnlessAdoptable(identity, current);
    const desired = withoutTags(spec);
    const specChanged = !observe && !deepEqual(current.spec, desired);
    if (specChanged) await this.persistently(name, () => this.kind.aws.update(ctx, current, desired));
    await this.persistently(name, () => this.kind.aws.setTags(ctx, current, diffTags(current.tags, tags)));
    const adopted = await this.persistently(name, () => this.kind.aws.find(ctx, current.ref));
    if (!adopted) throw conflict(this.plural, name, `the AWS resource "${ref}" was deleted while it was being adopted`);
    return adopted;
  }

  private refuseUnlessAdoptable(identity: OwnerIdentity, taken: Observed): void {
    const refusal = adoptionRefusal(taken.tags, identity, this.kind.names.singular);
    if (refusal) throw conflict(this.plural, identity.name, `the AWS resource "${taken.ref}" cannot be adopted: ${refusal}`);
    if (taken.lifecycle.phase === 'Deleting') throw conflict(this.plural, identity.name, `the AWS resource "${taken.ref}" is being deleted`);
  }

  /**
   * The spec a managed adoption writes: the request's, where it leaves a setting out what AWS has (as
   * on update); immutable settings must match the resource's. The resource's own tags stay unless the
   * request sets spec.tags.
   */
  private adoptedSpec(name: string, requested: Record<string, unknown>, taken: Observed): Record<string, unknown> {
    const desired = this.kind.canonicalSpec(this.kind.defaults(withoutTags(requested), taken.spec));
    const immutable = immutableFieldErrors(this.kind, taken.spec, desired).map((error) => ({ ...error, detail: 'field is immutable: the resource being adopted has another value' }));
    throwIfInvalid(this.kind, name, immutable);
    const tags = requested.tags ?? userTags(taken.tags);
    return { ...desired, ...(Object.keys(tags).length ? { tags } : {}) };
  }

  private nothingToAdopt(name: string, physicalName: string, observe: boolean) {
    const field = this.kind.aws.explicitName?.field;
    const where = field ? `name an existing one in spec.${field}` : 'only the resource this object would have by default can be adopted';
    const annotation = observe ? 'metadata.annotations[service-operator.aws/management]' : `metadata.annotations[${ADOPT_ANNOTATION}]`;
    const detail = `there is no ${this.kind.names.kind} "${physicalName}" in AWS to ${observe ? 'observe' : 'adopt'}: ${where}, or leave out the annotation to create one`;
    return invalid(this.kind.names.kind, name, [fieldError('FieldValueInvalid', annotation, detail)]);
  }
}

/** An observe-only object's spec: what AWS has, with the resource's own tags. */
function observedSpec(taken: Observed): Record<string, unknown> {
  const tags = userTags(taken.tags);
  return { ...taken.spec, ...(Object.keys(tags).length ? { tags } : {}) };
}

function claimConflict(outcome: Exclude<ClaimOutcome, { held: true }>, physicalName: string, singular: string): string {
  const holder = outcome.holder;
  const who = holder ? `${singular} "${holder.name}" in namespace "${holder.namespace}" of cluster "${holder.cluster}" (since ${holder.since})` : 'another object';
  return `the AWS resource "${physicalName}" is being adopted by ${who}; if that adoption was abandoned, delete the SSM parameter ${outcome.where}`;
}
