// Kubernetes metadata stored on the AWS resource itself, as tags (docs/metadata-in-tags.md).
//
// AWS tags allow 50 per resource, values of at most 256 characters from letters, digits, spaces and
// `+ - = . _ : / @`. Three readable identity tags say which cluster, namespace and object own the
// resource (enumeration filters on them). Everything else Kubernetes needs back (uid, timestamps,
// generation, labels, annotations including kubectl's last-applied-configuration, finalizers, owner
// references) is JSON, deflated, base64-encoded (an alphabet AWS accepts) and cut into 256-character
// chunks under `service-operator.aws/meta`, `.../meta.1`, ... Users keep most of the tag budget.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ManagedFieldsEntry, OwnerReference } from '../api/types.js';

export const TAG_PREFIX = 'service-operator.aws/';
export const CLUSTER_TAG = `${TAG_PREFIX}cluster`;
export const NAMESPACE_TAG = `${TAG_PREFIX}namespace`;
export const NAME_TAG = `${TAG_PREFIX}name`;
const META_TAG = `${TAG_PREFIX}meta`;
const TAG_VALUE_LIMIT = 256;
const IDENTITY_TAGS = 3;
/** Tags always left for metadata, whatever the user's tags take: 7 × 256 base64 chars ≈ 1.3 KB deflated. */
export const RESERVED_META_TAGS = 7;
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
  return tagLimit - IDENTITY_TAGS - RESERVED_META_TAGS;
}

export function identityTags(owner: OwnerIdentity): Record<string, string> {
  return { [CLUSTER_TAG]: owner.cluster, [NAMESPACE_TAG]: owner.namespace, [NAME_TAG]: owner.name };
}

export function readIdentity(tags: Record<string, string>): OwnerIdentity | undefined {
  const cluster = tags[CLUSTER_TAG];
  const namespace = tags[NAMESPACE_TAG];
  const name = tags[NAME_TAG];
  return cluster && namespace && name ? { cluster, namespace, name } : undefined;
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
  const available = tagLimit - IDENTITY_TAGS - userTagCount;
  if (chunks.length > available) throw new MetadataTooLargeError(chunks.length, available);
  const tags = identityTags(owner);
  chunks.forEach((chunk, index) => (tags[metaKey(index)] = chunk));
  return tags;
}

/** The stored metadata, or undefined when it is missing or unreadable (e.g. tags edited by hand). */
export function decodeMetadataTags(tags: Record<string, string>): StoredMetadata | undefined {
  let encoded = '';
  for (let index = 0; tags[metaKey(index)] !== undefined; index++) encoded += tags[metaKey(index)];
  if (!encoded) return undefined;
  try {
    const parsed = JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8')) as StoredMetadata & { v?: number };
    if (parsed.v !== FORMAT_VERSION || typeof parsed.uid !== 'string') return undefined;
    delete parsed.v;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The tag changes that turn `current` into `desired` (both full tag sets). */
export function diffTags(current: Record<string, string>, desired: Record<string, string>): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired)) if (current[key] !== value) set[key] = value;
  // `aws:` tags belong to AWS itself (CloudFormation, Backup...) and cannot be removed by anyone.
  const remove = Object.keys(current).filter((key) => !(key in desired) && !key.startsWith('aws:'));
  return { set, remove };
}

export function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !isReservedTagKey(key) && !key.startsWith('aws:')));
}
