// Pieces of the store's work that need no store state: the tag set an object is written with, the
// errors for a taken physical name, a refused linked resource, a reserved name and failed
// preconditions, and the Status of a finished delete.
import { alreadyExists, badRequest, conflict, fieldError, invalid, STALE_OBJECT_MESSAGE, type FieldError, type Status, type StatusError } from '../api/errors.js';
import { GROUP, type KubeObject } from '../api/types.js';
import { inDefaultNameSpace } from '../aws/naming.js';
import { encodeMetadataTags, MetadataTooLargeError, PART_TAG, readIdentity, readOwner, sameOwner, type OwnerIdentity, type StoredMetadata } from '../aws/metadata-tags.js';
import { ADOPT_ANNOTATION } from './adoption.js';
import { specFieldOf, type KindDefinition, type LinkedResource, type ObjectIdentity, type Observed } from './kind.js';

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

/** Who holds an AWS resource, in words, from its tags (`owner` is the object asking). */
function holderOf(tags: Record<string, string>, owner: OwnerIdentity, singular: string): string {
  const holder = readOwner(tags);
  if (!holder) {
    return `it is not managed by this server (it has no service-operator.aws ownership tags), so it is not taken over unless the object asks to adopt it (annotation ${ADOPT_ANNOTATION}: "true", which needs the adopt permission)`;
  }
  if (holder.cluster !== owner.cluster) return `it belongs to another cluster ("${holder.cluster}")`;
  const part = tags[PART_TAG] ? ` (its ${tags[PART_TAG]})` : '';
  return `it belongs to ${singular} "${holder.name}" in namespace "${holder.namespace}"${part}`;
}

/** Why a create cannot have the physical name it asks for: 409, naming who has it. */
export function physicalNameTaken(kind: KindDefinition, owner: OwnerIdentity, physicalName: string, taken: Observed): StatusError {
  // Ours already (e.g. created by another replica under an explicit physical name): a plain duplicate.
  if (sameOwner(readIdentity(taken.tags), owner)) return alreadyExists(kind.names.plural, owner.name);
  const whose = holderOf(taken.tags, owner, kind.names.singular);
  return alreadyExists(kind.names.plural, owner.name, `the AWS resource "${physicalName}" already exists and ${whose}; choose another physical name in spec`);
}

/**
 * Why an object may not create or wire in a linked resource (kind.ts, LinkedResource), given its tags
 * now: a part held by anyone but this object is a 409 naming the holder; a target managed for another
 * namespace or cluster is a 422 on the field that names it. Undefined when the link is allowed.
 */
export function linkRefusal(kind: KindDefinition, owner: OwnerIdentity, link: LinkedResource, tags: Record<string, string> | undefined): StatusError | undefined {
  if (!tags) return undefined;
  const holder = readOwner(tags);
  if (link.use === 'part') {
    if (sameOwner(holder, owner) && tags[PART_TAG] === link.role) return undefined;
    const whose = holderOf(tags, owner, kind.names.singular);
    return alreadyExists(kind.names.plural, owner.name, `${link.field}: the ${link.kind} "${link.name}" this object would make already exists and ${whose}`);
  }
  if (!holder || (holder.cluster === owner.cluster && holder.namespace === owner.namespace)) return undefined;
  const detail = `${link.name} is managed for ${link.kind} "${holder.name}" in namespace "${holder.namespace}" of cluster "${holder.cluster}"; an object may refer only to AWS resources of its own namespace or to resources aws-service-apiserver does not manage`;
  return invalid(kind.names.kind, owner.name, [fieldError('FieldValueForbidden', link.field, detail)]);
}

/**
 * Default physical names are `<cluster><separator><namespace><separator><name>`, or that cut and ended
 * in a hash: an explicit name of either shape could take another object's default name, in another
 * namespace even, before that object exists. So only the object's own default name may have one.
 */
export function reservedNameErrors(kind: KindDefinition, spec: object, identity: ObjectIdentity): FieldError[] {
  const naming = kind.aws.explicitName;
  const given = naming ? (spec as Record<string, unknown>)[naming.field] : undefined;
  if (!naming || typeof given !== 'string' || !inDefaultNameSpace(given, identity.clusterName, naming.rules, naming.suffixes)) return [];
  const { [naming.field]: _given, ...unnamed } = spec as Record<string, unknown>;
  if (given === kind.aws.physicalName(identity, unnamed)) return [];
  const sep = naming.rules.separator;
  const detail = `names like "${identity.clusterName}${sep}<namespace>${sep}<name>" are the default names of cluster "${identity.clusterName}"; leave ${naming.field} out for this object's own default, or choose a name of another shape`;
  return [fieldError('FieldValueForbidden', `${specFieldOf(kind)}.${naming.field}`, detail)];
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
