// The generic store's adoptions (registry/adoption.ts): a new object that asks to take over an existing
// AWS resource gets it only if its user may `adopt`, the resource is nobody's, and its claim on the
// resource wins. A managed adoption then brings the resource to the object's spec; an observe-only one
// takes the spec from AWS. Either way the object's ownership and metadata tags are added, which is the
// moment the resource becomes the object. Creates are in store-create.ts, which this extends.
import { conflict, fieldError, forbidden, invalid } from '../api/errors.js';
import { timestamp } from '../api/time.js';
import type { KubeObject } from '../api/types.js';
import { diffTags, userTags, type OwnerIdentity } from '../aws/metadata-tags.js';
import { admitObserved, admitSpec, immutableFieldErrors, throwIfInvalid } from './admission.js';
import { ADOPT_ANNOTATION, adoptionRefusal, MANAGEMENT_ANNOTATION, isObserveOnly, keptTags } from './adoption.js';
import type { ClaimOutcome } from '../aws/adoption-claims.js';
import { isHalfMadeBy } from './half-made.js';
import { specFieldOf, type KindContext, type KindEvent, type Observed } from './kind.js';
import { newObjectMetadata, specOf } from './objects.js';
import { specChange } from './spec-change.js';
import { StoreCreator } from './store-create.js';
import { reservedNameErrors, tagsFor } from './store-support.js';
import type { Creation, WriteOptions } from './store-types.js';

/**
 * What an adoption writes: the spec (none for an observe-only object, whose spec is AWS's), the user's
 * tags, and the user's form of the spec to remember (spec-shape.ts).
 */
interface Adoption {
  spec: object;
  desired?: object;
  tags: Record<string, string>;
  shape?: Record<string, unknown>;
}

export abstract class StoreAdopter extends StoreCreator {
  private async authorizeAdoption(namespace: string, name: string, options: WriteOptions): Promise<void> {
    if (!options.authorizeAdoption) throw forbidden(`${this.plural}.service-operator.aws "${name}" is forbidden: adoption is not authorized for this request`);
    await options.authorizeAdoption(namespace, name);
  }

  /**
   * The physical name a new object asks to adopt, once its request is admitted (422 first): an
   * observe-only object needs only the field naming the resource, a managed one a valid spec.
   */
  private adoptedName(namespace: string, object: KubeObject): string {
    const identity = this.identity(namespace, object.metadata.name ?? '');
    const observe = isObserveOnly(object.metadata.annotations);
    if (this.kind.notAdoptable) {
      const annotation = observe ? MANAGEMENT_ANNOTATION : ADOPT_ANNOTATION;
      throw invalid(this.kind.names.kind, identity.name, [fieldError('FieldValueForbidden', `metadata.annotations[${annotation}]`, `${this.kind.names.kind} objects cannot ${observe ? 'observe' : 'adopt'} existing resources: ${this.kind.notAdoptable}`)]);
    }
    if (observe) {
      admitObserved(this.kind, object);
      return this.kind.aws.physicalName(identity, specOf(this.kind, object));
    }
    const { spec } = admitSpec(this.kind, object, identity);
    throwIfInvalid(this.kind, identity.name, reservedNameErrors(this.kind, spec, identity));
    return this.kind.aws.physicalName(identity, spec);
  }

  protected async adopt(creation: Creation): Promise<KubeObject> {
    const { namespace, name, object, options, warnings } = creation;
    const identity = this.identity(namespace, name);
    const observe = isObserveOnly(object.metadata.annotations);
    const physicalName = this.adoptedName(namespace, object);
    await this.config.hooks?.admitCreate?.(this.kind, namespace, name);
    // Who may not adopt learns nothing about the account's resources from the attempt.
    await this.authorizeAdoption(namespace, name, options);
    const ctx = this.config.context(namespace);
    const taken = await this.aws(name, () => this.kind.aws.find(ctx, physicalName));
    if (!observe && taken && isHalfMadeBy(taken.tags, identity)) {
      // An earlier create of this very object left it half made: that create is finished instead.
      const desired = await this.admit(namespace, object, specOf(this.kind, object));
      return this.createObject(namespace, name, object, desired, options.dryRun, warnings);
    }
    if (!taken) throw this.nothingToAdopt(name, physicalName, observe);
    this.refuseUnlessAdoptable(identity, taken);
    const requested = specOf(this.kind, object);
    const adoption = observe ? observedSpec(taken) : await this.adoptedSpec(namespace, object, taken);
    const meta = newObjectMetadata(object, adoption.shape);
    const own = tagsFor(this.kind, identity, meta, adoption.tags);
    const tags = { ...own.tags, ...keptTags(taken.tags, object.metadata.annotations) };
    if (options.dryRun) return this.preview(namespace, name, adoption.spec, own.stored, tags);

    const claims = this.config.adoptionClaims;
    if (!claims) throw conflict(this.plural, name, 'this server is not configured to adopt resources');
    const claim = { cluster: identity.cluster, namespace, name, since: timestamp() };
    const outcome = await this.aws(name, () => claims.claim(ctx, this.plural, physicalName, claim));
    if (!outcome.held) throw conflict(this.plural, name, claimConflict(outcome, physicalName, this.kind.names.singular));
    try {
      const adopted = await this.takeOver(ctx, identity, taken.ref, adoption.desired, tags);
      this.config.log.info({ kind: this.kind.names.kind, namespace, name, ref: adopted.observed.ref, observe }, 'adopted AWS resource');
      const committed = this.commit(namespace, name, this.found(adopted.observed, namespace, name, performance.now())).object;
      this.recordEvents(committed, adopted.events);
      await this.afterWrite(committed, warnings);
      const explicit = this.kind.aws.explicitName?.field;
      if (observe && Object.keys(requested).some((field) => field !== explicit && field !== 'tags')) {
        warnings.push(`${specFieldOf(this.kind)} is ignored for an observe-only object: it reports the settings AWS has`);
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
   * ours shows in its tags), brings it to `desired` (managed only), writes the tags, and reads it back.
   */
  private async takeOver(ctx: KindContext, identity: OwnerIdentity, ref: string, desired: object | undefined, tags: Record<string, string>): Promise<{ observed: Observed; events?: KindEvent[] }> {
    const { name } = identity;
    const current = await this.aws(name, () => this.kind.aws.find(ctx, ref));
    if (!current) throw conflict(this.plural, name, `the AWS resource "${ref}" was deleted while it was being adopted`);
    this.refuseUnlessAdoptable(identity, current);
    const change = desired ? specChange(this.kind.canonicalSpec({ ...current.spec }), desired) : undefined;
    const report = change && change.fields.size > 0 ? await this.persistently(name, () => this.kind.aws.update(ctx, current, change)) : undefined;
    await this.persistently(name, () => this.kind.aws.setTags(ctx, current, diffTags(current.tags, tags)));
    const adopted = await this.persistently(name, () => this.kind.aws.find(ctx, current.ref));
    if (!adopted) throw conflict(this.plural, name, `the AWS resource "${ref}" was deleted while it was being adopted`);
    return { observed: adopted, ...(report?.events ? { events: report.events } : {}) };
  }

  /**
   * What a managed adoption writes: the request's spec over what AWS has, so that a setting the
   * manifest leaves out keeps AWS's value rather than the kind's default (taking over a resource must
   * not reset it; Crossplane's late initialization does the same); immutable settings must match the
   * resource's. The resource's own tags stay unless the request sets tags. As on update, the kind's
   * AWS checks run only when the adoption changes the resource's settings.
   */
  private async adoptedSpec(namespace: string, object: KubeObject, taken: Observed): Promise<Adoption> {
    const name = object.metadata.name ?? '';
    const written = specOf(this.kind, object);
    const { tags: _awsTags, ...awsSettings } = taken.spec as Record<string, unknown>;
    const requested = { ...awsSettings, ...written };
    const current = this.kind.canonicalSpec({ ...taken.spec });
    const desired = await this.admit(namespace, object, requested, current);
    const immutable = immutableFieldErrors(this.kind, current, desired.spec).map((error) => ({ ...error, detail: 'field is immutable: the resource being adopted has another value' }));
    throwIfInvalid(this.kind, name, [...immutable, ...(this.kind.validateUpdate?.(desired.spec, current) ?? [])]);
    await this.checkLinks(namespace, name, desired.spec, current);
    if (specChange(current, desired.spec).fields.size > 0) await this.verify(namespace, name, desired.spec);
    const tags = written.tags !== undefined ? desired.tags : userTags(taken.tags);
    return { spec: desired.spec, desired: desired.spec, tags, shape: desired.shape };
  }

  private refuseUnlessAdoptable(identity: OwnerIdentity, taken: Observed): void {
    const refusal = adoptionRefusal(taken.tags, identity, this.kind.names.singular);
    if (refusal) throw conflict(this.plural, identity.name, `the AWS resource "${taken.ref}" cannot be adopted: ${refusal}`);
    if (taken.lifecycle.phase === 'Deleting') throw conflict(this.plural, identity.name, `the AWS resource "${taken.ref}" is being deleted`);
  }

  private nothingToAdopt(name: string, physicalName: string, observe: boolean) {
    const field = this.kind.aws.explicitName?.field;
    const where = field ? `name an existing one in ${specFieldOf(this.kind)}.${field}` : 'only the resource this object would have by default can be adopted';
    const annotation = `metadata.annotations[${observe ? MANAGEMENT_ANNOTATION : ADOPT_ANNOTATION}]`;
    const detail = `there is no ${this.kind.names.kind} "${physicalName}" in AWS to ${observe ? 'observe' : 'adopt'}: ${where}, or leave out the annotation to create one`;
    return invalid(this.kind.names.kind, name, [fieldError('FieldValueInvalid', annotation, detail)]);
  }
}

/** An observe-only object's spec: what AWS has, with the resource's own tags, shown as AWS has it. */
function observedSpec(taken: Observed): Adoption {
  return { spec: taken.spec, tags: userTags(taken.tags) };
}

function claimConflict(outcome: Exclude<ClaimOutcome, { held: true }>, physicalName: string, singular: string): string {
  const holder = outcome.holder;
  const who = holder ? `${singular} "${holder.name}" in namespace "${holder.namespace}" of cluster "${holder.cluster}" (since ${holder.since})` : 'another object';
  return `the AWS resource "${physicalName}" is being adopted by ${who}; if that adoption was abandoned, delete the SSM parameter ${outcome.where}`;
}
