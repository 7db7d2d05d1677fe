// Kubernetes metadata stored on the AWS resource itself, as tags (docs/metadata-in-tags.md).
//
// AWS tags allow 50 per resource, values of at most 256 characters from letters, digits, spaces and
// `+ - = . _ : / @`. Three readable identity tags say which cluster, namespace and object own the
// resource (enumeration filters on them). Everything else Kubernetes needs back (uid, timestamps,
// generation, labels, annotations including kubectl's last-applied-configuration, finalizers, owner
// references) is JSON, deflated, base64-encoded (an alphabet AWS accepts) and cut into 256-character
// chunks under `service-operator.aws/meta`, `.../meta.1`, ... Users keep most of the tag budget.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { storedMetadataError } from '../api/object-meta.js';
import { isPlainObject, type ManagedFieldsEntry, type OwnerReference } from '../api/types.js';

export const TAG_PREFIX = 'service-operator.aws/';
export const CLUSTER_TAG = `${TAG_PREFIX}cluster`;
export const NAMESPACE_TAG = `${TAG_PREFIX}namespace`;
export const NAME_TAG = `${TAG_PREFIX}name`;
const META_TAG = `${TAG_PREFIX}meta`;
const TAG_VALUE_LIMIT = 256;
const IDENTITY_TAGS = 3;
/**
 * While a create is under way the resource also carries PENDING_TAG, whose value is the time after
 * which the create counts as abandoned (see registry/half-made.ts): a half-made resource is never an
 * object, and is finished by a retry of its create or removed by the resync. Its tag is budgeted always.
 */
export const PENDING_TAG = `${TAG_PREFIX}pending`;
const SYSTEM_TAGS = IDENTITY_TAGS + 1;
/** Tags always left for metadata, whatever the user's tags take: 6 × 256 base64 chars ≈ 1.1 KB deflated. */
export const RESERVED_META_TAGS = 6;
const FORMAT_VERSION = 1;

export interface OwnerIdentity {
  cluster: string;
  namespace: string;
  name: string;
}

export interface StoredMetadata {
  uid: string;
  creationTimestamp: string;
  generation: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  deletionTimestamp?: string;
  /** The Ready condition's status and since when, as of the last write (conditions survive restarts). */
  readySince?: ReadySince;
  /** The user's form of spec fields that AWS keeps in another form (registry/spec-shape.ts). */
  specShape?: Record<string, unknown>;
}

export interface ReadySince {
  status: 'True' | 'False';
  time: string;
}

export class MetadataTooLargeError extends Error {
  constructor(
    readonly neededTags: number,
    readonly availableTags: number,
  ) {
    super(`needs ${neededTags} AWS tags but ${availableTags} are available`);
  }
}

export function isReservedTagKey(key: string): boolean {
  return key.startsWith(TAG_PREFIX);
}

/** How many of the resource's tags the user's own `spec.tags` may take. */
export function userTagLimit(tagLimit: number): number {
  return tagLimit - SYSTEM_TAGS - RESERVED_META_TAGS;
}

export function identityTags(owner: OwnerIdentity): Record<string, string> {
  return { [CLUSTER_TAG]: owner.cluster, [NAMESPACE_TAG]: owner.namespace, [NAME_TAG]: owner.name };
}

/**
 * Marks a resource made as a part of an object (a queue's own dead-letter queue, say): it carries the
 * object's identity tags, so no other object can claim it, and its role here, so it is never taken
 * for the object itself.
 */
export const PART_TAG = `${TAG_PREFIX}part`;

export function partTags(owner: OwnerIdentity, role: string): Record<string, string> {
  return { ...identityTags(owner), [PART_TAG]: role };
}

/** Whose resource this is (the object it is, or the object it is a part of); undefined when unmanaged. */
export function readOwner(tags: Record<string, string>): OwnerIdentity | undefined {
  const cluster = tags[CLUSTER_TAG];
  const namespace = tags[NAMESPACE_TAG];
  const name = tags[NAME_TAG];
  return cluster && namespace && name ? { cluster, namespace, name } : undefined;
}

/** The object this resource is; undefined for a part of an object and for unmanaged resources. */
export function readIdentity(tags: Record<string, string>): OwnerIdentity | undefined {
  return tags[PART_TAG] === undefined ? readOwner(tags) : undefined;
}

export function sameOwner(a: OwnerIdentity | undefined, b: OwnerIdentity): boolean {
  return a !== undefined && a.cluster === b.cluster && a.namespace === b.namespace && a.name === b.name;
}

function metaKey(index: number): string {
  return index === 0 ? META_TAG : `${META_TAG}.${index}`;
}

/** The identity and metadata tags for an object; throws MetadataTooLargeError past `availableTags`. */
export function encodeMetadataTags(owner: OwnerIdentity, meta: StoredMetadata, tagLimit: number, userTagCount: number): Record<string, string> {
  const encoded = deflateRawSync(Buffer.from(JSON.stringify({ v: FORMAT_VERSION, ...meta })), { level: 9 }).toString('base64');
  const chunks: string[] = [];
  for (let at = 0; at < encoded.length; at += TAG_VALUE_LIMIT) chunks.push(encoded.slice(at, at + TAG_VALUE_LIMIT));
  const available = tagLimit - SYSTEM_TAGS - userTagCount;
  if (chunks.length > available) throw new MetadataTooLargeError(chunks.length, available);
  const tags = identityTags(owner);
  chunks.forEach((chunk, index) => (tags[metaKey(index)] = chunk));
  return tags;
}

/**
 * What a resource's metadata tags hold: nothing (a resource tagged by hand with our identity only),
 * readable metadata, or metadata that cannot be the metadata of an object (edited by hand, another
 * format, wrong types) and why.
 */
export type MetadataReading = { state: 'absent' } | { state: 'readable'; meta: StoredMetadata } | { state: 'unreadable'; reason: string };

export function readMetadataTags(tags: Record<string, string>): MetadataReading {
  let encoded = '';
  for (let index = 0; tags[metaKey(index)] !== undefined; index++) encoded += tags[metaKey(index)];
  if (!encoded) return { state: 'absent' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8'));
  } catch {
    return { state: 'unreadable', reason: 'the tags do not hold deflated, base64-encoded JSON' };
  }
  if (!isPlainObject(parsed)) return { state: 'unreadable', reason: 'the tags do not hold a JSON object' };
  const { v: version, ...meta } = parsed;
  if (version !== FORMAT_VERSION) return { state: 'unreadable', reason: `format version ${JSON.stringify(version)} is not one this server reads` };
  const wrong = storedMetadataError(meta);
  if (wrong) return { state: 'unreadable', reason: wrong };
  dropMalformedPresentation(meta);
  return { state: 'readable', meta: meta as unknown as StoredMetadata };
}

/**
 * What only shapes how the object is shown (since when it is Ready) is dropped when malformed, rather
 * than quarantining the object for it: the object is then shown as a fresh read shows it.
 */
function dropMalformedPresentation(meta: Record<string, unknown>): void {
  const ready = meta.readySince;
  if (ready !== undefined && !(isPlainObject(ready) && (ready.status === 'True' || ready.status === 'False') && typeof ready.time === 'string')) delete meta.readySince;
}

/** The stored metadata when it is readable (annotations a kind acts on, say); undefined otherwise. */
export function decodeMetadataTags(tags: Record<string, string>): StoredMetadata | undefined {
  const reading = readMetadataTags(tags);
  return reading.state === 'readable' ? reading.meta : undefined;
}

/** Tags to set (or overwrite) and tags to remove, on one resource. */
export interface TagChange {
  set: Record<string, string>;
  remove: string[];
}

/** The tag changes that turn `current` into `desired` (both full tag sets). */
export function diffTags(current: Record<string, string>, desired: Record<string, string>): TagChange {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (current[key] !== value) set[key] = value;
  // `aws:` tags belong to AWS itself (CloudFormation, Backup...) and cannot be removed by anyone.
  const remove = Object.keys(current).filter((key) => !(key in desired) && !key.startsWith('aws:'));
  return { set, remove };
}

export function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !isReservedTagKey(key) && !key.startsWith('aws:')));
}
