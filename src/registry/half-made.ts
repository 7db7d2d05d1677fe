// Creates that did not finish. A create writes the resource with PENDING_TAG (whose value is when the
// create counts as abandoned) in the same call that makes it, and removes the tag as its last step:
// that removal is the moment the object exists. Until then the resource is half made: never shown as
// an object, finished by a retry (or replay after a restart) of the same object's create, and removed
// by the resync of the leader once abandoned. A create whose answer was lost (the SDK's retry then met
// the resource it had just made) recognises the resource by the uid in its metadata tags.
//
// Tags are no proof, though: whoever may tag a resource could add PENDING_TAG to a finished one. So a
// create also records itself in a journal (CreateJournal, kept in AWS) before it makes anything, and
// forgets the record before it removes the tag; only a half-made resource its journal record vouches
// for (same resource, same uid) is ever removed. A forged tag can hide an object, never delete it.
import type { CreateRecord } from '../aws/create-journal.js';
import { PENDING_TAG, readIdentity, readMetadataTags, sameOwner, type OwnerIdentity } from '../aws/metadata-tags.js';

/** The tags a create writes: the object's, and the time after which the create counts as abandoned. */
export function pendingTags(tags: Record<string, string>, abandonAt: number): Record<string, string> {
  return { ...tags, [PENDING_TAG]: new Date(abandonAt).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export function isHalfMade(tags: Record<string, string>): boolean {
  return tags[PENDING_TAG] !== undefined;
}

/** A half-made resource of this object (from an earlier attempt at its create, or this one). */
export function isHalfMadeBy(tags: Record<string, string>, owner: OwnerIdentity): boolean {
  return isHalfMade(tags) && sameOwner(readIdentity(tags), owner);
}

/** Made by the create that generated `uid` (its answer was lost, say). */
export function madeByCreate(tags: Record<string, string>, owner: OwnerIdentity, uid: string): boolean {
  const reading = readMetadataTags(tags);
  return isHalfMadeBy(tags, owner) && reading.state === 'readable' && reading.meta.uid === uid;
}

/** Whether the create that left this half-made resource has been abandoned by `now` (an unreadable time counts as abandoned). */
export function isAbandoned(tags: Record<string, string>, now: number = Date.now()): boolean {
  const at = Date.parse(tags[PENDING_TAG] ?? '');
  return !(at > now);
}

/** Whether the journal's record for the object vouches for this half-made resource. */
export function vouchedFor(record: CreateRecord | undefined, ref: string, tags: Record<string, string>): boolean {
  const reading = readMetadataTags(tags);
  return record !== undefined && record.ref === ref && reading.state === 'readable' && reading.meta.uid === record.uid;
}
