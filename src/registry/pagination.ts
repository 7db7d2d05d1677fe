// limit/continue over lists served from memory. The first limited page takes a snapshot of the
// matching objects (objects are immutable values, so a snapshot is an array of references); later
// pages read the same snapshot, so every page is consistent with the first page's resourceVersion.
// Tokens expire like etcd compaction would expire them: 410 Expired, and the client relists.
import { randomBytes } from 'node:crypto';
import { badRequest, expired } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';

interface Snapshot {
  items: KubeObject[];
  resourceVersion: string;
  expires: number;
}

export interface Page {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

interface Token {
  id: string;
  offset: number;
}

function encode(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(text: string): Token {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    if (typeof token.id === 'string' && Number.isInteger(token.offset) && token.offset >= 0) return token;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: the token could not be decoded');
}

export class Paginator {
  private readonly snapshots = new Map<string, Snapshot>();

  /**
   * @param maxSnapshots lists in progress held at once; past it the oldest is dropped (its client gets
   * 410 and relists), so clients that never finish their lists cannot grow memory without bound.
   */
  constructor(
    private readonly ttlMs: number = 5 * 60 * 1000,
    private readonly maxSnapshots: number = 1000,
  ) {}

  private sweep(now: number): void {
    for (const [id, snapshot] of this.snapshots) if (snapshot.expires <= now) this.snapshots.delete(id);
    // Maps iterate in insertion order: the first keys are the oldest lists.
    for (const id of [...this.snapshots.keys()].slice(0, Math.max(0, this.snapshots.size - this.maxSnapshots + 1))) this.snapshots.delete(id);
  }

  /** The first page of a fresh list (all of it when `limit` is 0). */
  first(items: KubeObject[], resourceVersion: string, limit: number): Page {
    if (!limit || items.length <= limit) return { items, resourceVersion };
    const now = Date.now();
    this.sweep(now);
    const id = randomBytes(12).toString('base64url');
    this.snapshots.set(id, { items, resourceVersion, expires: now + this.ttlMs });
    return this.page(id, this.snapshots.get(id) as Snapshot, 0, limit);
  }

  /** A later page, from the snapshot the token names. */
  next(continueToken: string, limit: number): Page {
    const token = decode(continueToken);
    const snapshot = this.snapshots.get(token.id);
    if (!snapshot || snapshot.expires <= Date.now()) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    return this.page(token.id, snapshot, token.offset, limit || snapshot.items.length);
  }

  private page(id: string, snapshot: Snapshot, offset: number, limit: number): Page {
    const end = offset + limit;
    const items = snapshot.items.slice(offset, end);
    if (end >= snapshot.items.length) {
      this.snapshots.delete(id);
      return { items, resourceVersion: snapshot.resourceVersion };
    }
    return { items, resourceVersion: snapshot.resourceVersion, continue: encode({ id, offset: end }), remainingItemCount: snapshot.items.length - end };
  }
}
