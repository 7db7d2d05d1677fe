// Pieces of the store's work that need no store state: the tag set an object is written with, the
// errors for a taken physical name and for failed preconditions, and the Status of a finished delete.
import { alreadyExists, badRequest, conflict, fieldError, invalid, STALE_OBJECT_MESSAGE, type Status, type StatusError } from '../api/errors.js';
import { GROUP, type KubeObject } from '../api/types.js';
import { encodeMetadataTags, MetadataTooLargeError, readIdentity, sameOwner, type OwnerIdentity, type StoredMetadata } from '../aws/metadata-tags.js';
import type { KindDefinition, Observed } from './kind.js';

/**
 * The full AWS tag set for an object: identity, encoded metadata, and the user's tags, with the
 * metadata as stored. The user's form of the spec (cosmetic: AWS has the settings) is left out when
 * it does not fit; anything else that does not fit is a 422.
 */
export function tagsFor(kind: KindDefinition, owner: OwnerIdentity, meta: StoredMetadata, user: Record<string, string>): { tags: Record<string, string>; stored: StoredMetadata } {
  const encode = (stored: StoredMetadata) => ({ tags: { ...user, ...encodeMetadataTags(owner, stored, kind.tagLimit, Object.keys(user).length) }, stored });
  try {
    try {
      return encode(meta);
    } catch (error) {
      if (!(error instanceof MetadataTooLargeError) || !meta.specShape) throw error;
      const { specShape: _shape, ...withoutShape } = meta;
      return encode(withoutShape);
    }
  } catch (error) {
    if (!(error instanceof MetadataTooLargeError)) throw error;
    throw invalid(kind.names.kind, owner.name, [
      fieldError(
        'FieldValueTooLong',
        'metadata',
        `labels, annotations, finalizers and owner references are stored in AWS tags and ${error.message}; shorten annotations or use fewer spec.tags`,
      ),
    ]);
  }
}

/** Why a create cannot have the physical name it asks for: 409, naming who has it. */
export function physicalNameTaken(kind: KindDefinition, owner: OwnerIdentity, physicalName: string, taken: Observed): StatusError {
  const holder = readIdentity(taken.tags);
  // Ours already (e.g. created by another replica under an explicit physical name): a plain duplicate.
  if (sameOwner(holder, owner)) return alreadyExists(kind.names.plural, owner.name);
  const whose = !holder
    ? 'it is not managed by this server (it has no service-operator.aws ownership tags), so it will not be adopted or overwritten'
    : holder.cluster !== owner.cluster
      ? `it belongs to another cluster ("${holder.cluster}")`
      : `it belongs to ${kind.names.singular} "${holder.name}" in namespace "${holder.namespace}"`;
  return alreadyExists(kind.names.plural, owner.name, `the AWS resource "${physicalName}" already exists and ${whose}; choose another physical name in spec`);
}

/** resourceVersion and uid preconditions of a write or delete: 409 when they do not hold. */
export function checkPreconditions(kind: KindDefinition, current: KubeObject, resourceVersion: string | undefined, uid: string | undefined): void {
  const name = current.metadata.name as string;
  if (uid && uid !== current.metadata.uid) {
    throw conflict(kind.names.plural, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) throw conflict(kind.names.plural, name, STALE_OBJECT_MESSAGE);
}

/** What a delete answers when the object is gone at once. */
export function deletedStatus(kind: KindDefinition, name: string, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: GROUP, kind: kind.names.plural, uid }, code: 200 };
}

/** A new object's namespace: the one on the URL (a body naming another is a 400). */
export function placeIn(object: KubeObject, namespace: string): void {
  if (object.metadata.namespace && object.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  object.metadata.namespace = namespace;
}

/** A PUT/PATCH body names the object on the URL, and its namespace if it names one. */
export function checkAddressing(object: KubeObject, namespace: string, name: string): void {
  if (object.metadata.name !== name) {
    throw badRequest(`the name of the object (${object.metadata.name ?? ''}) does not match the name on the URL (${name})`);
  }
  placeIn(object, namespace);
}

/**
 * What kube's registry checks of an update of a custom resource: a resourceVersion is required
 * (custom resources allow no unconditional update) and must be the current one; the uid cannot change.
 */
export function checkUpdatePreconditions(kind: KindDefinition, current: KubeObject, next: KubeObject): void {
  const name = current.metadata.name as string;
  if (!next.metadata.resourceVersion) {
    throw invalid(kind.names.plural, name, [fieldError('FieldValueInvalid', 'metadata.resourceVersion', 'must be specified for an update', 0)]);
  }
  if (next.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(kind.names.plural, name, STALE_OBJECT_MESSAGE);
  if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
    throw invalid(kind.names.kind, name, [fieldError('FieldValueInvalid', 'metadata.uid', 'field is immutable', next.metadata.uid)]);
  }
}
