// What a full resync reads from AWS. Listing a kind is cheap: the Resource Groups Tagging API answers
// 100 resources with their tags per call. Reading one resource costs the kind's describe calls (four
// for a DynamoDB table). So every period the resync lists everything and then reads:
//  - what the listing shows is new or changed: unknown to the view, or carrying other tags than when
//    last read (created, relabelled, annotated, tagged out of band);
//  - a fixed budget of objects that look unchanged, those read longest ago first, to catch changes
//    tags do not show (a capacity changed in the console): with N objects and budget B, every object
//    is re-read at least every ceil(N/B) periods;
//  - each object the listing no longer shows, to confirm it is gone before reporting it deleted.
// Half-made resources (creates under way or abandoned) are listed apart: they are not objects.
import { createHash } from 'node:crypto';
import { stableStringify } from '../api/json.js';
import { readIdentity } from '../aws/metadata-tags.js';
import { isHalfMade } from './half-made.js';
import type { Listed } from './kind.js';
import type { ObjectView, ViewEntry } from './view.js';

export function tagsFingerprint(tags: Record<string, string>): string {
  return createHash('sha1').update(stableStringify(tags)).digest('base64');
}

export interface ResyncRead {
  ref: string;
  /** The object the listing says the resource is, when it says (a listing with tags names the owner). */
  owner?: { namespace: string; name: string };
}

export interface ResyncPlan {
  /** Resources the listing shows are new or changed. */
  changed: ResyncRead[];
  /** Half-made resources of this cluster (registry/half-made.ts), with their tags: not objects. */
  halfMade: (Required<ResyncRead> & { tags: Record<string, string> })[];
  /** Objects that look unchanged, read anyway within the budget, least recently read first. */
  spotChecks: ResyncRead[];
  /** Objects in the view the listing no longer shows. */
  missing: ViewEntry[];
}

function ownerOf(entry: ViewEntry): { namespace: string; name: string } {
  return { namespace: entry.object.metadata.namespace as string, name: entry.object.metadata.name as string };
}

export function planResync(listing: readonly (string | Listed)[], view: ObjectView, clusterName: string, readBudget: number): ResyncPlan {
  const entries = view.list();
  const byRef = new Map(entries.map((entry) => [entry.ref, entry]));
  const listed = new Set<ViewEntry>();
  const changed: ResyncRead[] = [];
  const halfMade: ResyncPlan['halfMade'] = [];
  const unchanged: ViewEntry[] = [];
  for (const item of listing) {
    if (typeof item === 'string') {
      // Without tags the listing cannot show a change, nor whose a new resource is: read to find out.
      const entry = byRef.get(item);
      if (entry) {
        listed.add(entry);
        unchanged.push(entry);
      } else changed.push({ ref: item });
      continue;
    }
    const owner = readIdentity(item.tags);
    if (!owner || owner.cluster !== clusterName) continue;
    if (isHalfMade(item.tags)) {
      halfMade.push({ ref: item.ref, owner: { namespace: owner.namespace, name: owner.name }, tags: item.tags });
      continue;
    }
    const entry = view.get(owner.namespace, owner.name);
    if (entry) listed.add(entry);
    // The listing's ref may be another form of the one the view holds (a queue's name for its URL).
    if (entry && entry.tagsFingerprint === tagsFingerprint(item.tags)) unchanged.push(entry);
    else changed.push({ ref: item.ref, owner: { namespace: owner.namespace, name: owner.name } });
  }
  const spotChecks = unchanged
    .sort((a, b) => a.readAt - b.readAt)
    .slice(0, readBudget)
    .map((entry) => ({ ref: entry.ref, owner: ownerOf(entry) }));
  return { changed, halfMade, spotChecks, missing: entries.filter((entry) => !listed.has(entry)) };
}
