// Adoption of AWS resources this server did not create, and observe-only objects (docs/security.md,
// "Adoption"). An object takes over an existing resource only when it asks to (ADOPT_ANNOTATION, or
// MANAGEMENT_ANNOTATION `observe`), only when its user may `adopt` that kind in the namespace (a
// SubjectAccessReview of the custom verb, as `escalate` and `bind` are for RBAC), and never when
// another cluster, namespace or object holds the resource. Two adoptions racing for one resource are
// serialized by a claim that AWS creates atomically (an SSM parameter: PutParameter without
// Overwrite succeeds once); the winner tags the resource before its claim goes, and every adopter
// reads the tags again after it holds the claim, so the loser sees the winner's tags.
import { fieldError, type FieldError } from '../api/errors.js';
import { PART_TAG, readOwner, TAG_PREFIX, type OwnerIdentity } from '../aws/metadata-tags.js';

/** Annotation on a create: `"true"` takes over the existing resource the spec names. */
export const ADOPT_ANNOTATION = `${TAG_PREFIX}adopt`;
/** Annotation: `observe` reports the resource and never writes it; `manage` (the default) manages it. */
export const MANAGEMENT_ANNOTATION = `${TAG_PREFIX}management`;
/** Tag a resource keeps when its object is deleted with the retain policy: `<cluster>/<namespace>/<name>`. */
export const RETAINED_TAG = `${TAG_PREFIX}retained`;

export type Management = 'manage' | 'observe';

export const MANAGEMENT_VALUES: readonly Management[] = ['manage', 'observe'];

/** How an object's annotations say it is managed; undefined when the value is not one we know. */
export function managementOf(annotations: Record<string, string> | undefined): Management | undefined {
  const value = annotations?.[MANAGEMENT_ANNOTATION] ?? 'manage';
  return (MANAGEMENT_VALUES as readonly string[]).includes(value) ? (value as Management) : undefined;
}

/** How an object is managed is chosen when it is made: to change it, delete the object and adopt the resource again. */
export function managementChangeErrors(current: Record<string, string> | undefined, desired: Record<string, string> | undefined): FieldError[] {
  if ((managementOf(current) ?? 'manage') === (managementOf(desired) ?? 'manage')) return [];
  const detail = 'field is immutable: delete the object (an observe-only object only forgets its resource) and adopt the resource again';
  return [fieldError('FieldValueInvalid', `metadata.annotations[${MANAGEMENT_ANNOTATION}]`, detail, desired?.[MANAGEMENT_ANNOTATION] ?? null)];
}

export function isObserveOnly(annotations: Record<string, string> | undefined): boolean {
  return managementOf(annotations) === 'observe';
}

/** Whether a new object asks to take over an existing resource (observe-only objects always do). */
export function asksToAdopt(annotations: Record<string, string> | undefined): boolean {
  return annotations?.[ADOPT_ANNOTATION] === 'true' || isObserveOnly(annotations);
}

export function retainedTag(owner: OwnerIdentity): Record<string, string> {
  return { [RETAINED_TAG]: `${owner.cluster}/${owner.namespace}/${owner.name}` };
}

function retainedBy(tags: Record<string, string>): { cluster: string; namespace: string; name: string } | undefined {
  const [cluster, namespace, name] = (tags[RETAINED_TAG] ?? '').split('/');
  return cluster && namespace && name ? { cluster, namespace, name } : undefined;
}

/**
 * Why `adopter` may not take over a resource with these tags, in words; undefined when it may: the
 * resource is not managed by any cluster, and if it was retained, it was retained by the adopter's
 * own namespace of the same cluster.
 */
export function adoptionRefusal(tags: Record<string, string>, adopter: OwnerIdentity, singular: string): string | undefined {
  const holder = readOwner(tags);
  if (holder) {
    if (holder.cluster !== adopter.cluster) return `it is managed by another cluster ("${holder.cluster}", ${singular} "${holder.name}" in namespace "${holder.namespace}")`;
    const part = tags[PART_TAG] ? ` (as its ${tags[PART_TAG]})` : '';
    return `it is managed by ${singular} "${holder.name}" in namespace "${holder.namespace}"${part}`;
  }
  const retained = retainedBy(tags);
  if (retained && (retained.cluster !== adopter.cluster || retained.namespace !== adopter.namespace)) {
    return (
      `it was retained by ${singular} "${retained.name}" in namespace "${retained.namespace}" of cluster "${retained.cluster}", and only that namespace may adopt it again ` +
      `(to release it for anyone, remove its tag ${RETAINED_TAG} in AWS)`
    );
  }
  return undefined;
}

/** Tags an object's writes leave in place beyond its own: an observe-only object keeps a retention mark. */
export function keptTags(tags: Record<string, string>, annotations: Record<string, string> | undefined): Record<string, string> {
  return isObserveOnly(annotations) && tags[RETAINED_TAG] ? { [RETAINED_TAG]: tags[RETAINED_TAG] } : {};
}
