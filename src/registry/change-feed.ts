// Change-driven drift detection: AWS change events (CloudTrail via EventBridge and SQS, see
// aws/change-events/) name the resources a call touched; each event is matched against the objects of
// the kinds of that service, and exactly those objects are re-read (a deletion then reads as gone,
// and watchers get DELETED). An event naming nothing the server knows, from a call that can make a
// resource ours (created or tagged out of band), relists that kind instead, at most once per
// RELIST_INTERVAL_MS. Events late, duplicated or lost only cost reads or wait for the resync, which
// stays the safety net: a re-read is idempotent, and it is skipped when the object was read well
// after the call anyway. Background reads here draw on the call budget under caller `event`.
import { runAs } from '../aws/call-origin.js';
import { cloudTrailSource, identifierForms, mayIntroduce, type ChangeEvent } from '../aws/change-events/cloudtrail.js';
import { ensureChangeQueue, receiveChanges } from '../aws/change-events/queue.js';
import type { AwsContext } from '../aws/context.js';
import type { Logger } from '../log.js';
import type { KindStore } from './store.js';
import type { ViewEntry } from './view.js';

/** A re-read this long after the call (CloudTrail's times are whole seconds) already shows it. */
const READ_SHOWS_CALL_AFTER_MS = 5000;
const RELIST_INTERVAL_MS = 10_000;
const MAX_RETRY_DELAY_MS = 30_000;

export interface ChangeFeedObserver {
  /** A batch of messages arrived: the change events among them, and the others. */
  received?(events: number, ignored: number): void;
  /** An object (or, for `relist`, a whole kind) was re-read because of an event. */
  reread?(plural: string, what: 'object' | 'relist'): void;
  /** A poll of the queue finished (with or without messages): the feed is alive. */
  polled?(): void;
}

export interface ChangeFeedOptions {
  stores: readonly KindStore[];
  context: () => AwsContext;
  log: Logger;
  queueName: string;
  setup: boolean;
  /** Whether this replica should consume events now (only the leader does: the queue is shared). */
  active: () => boolean;
  observe?: ChangeFeedObserver;
}

export interface ChangeFeed {
  /** The queue the events come from, once it was found or set up. */
  ready: Promise<string>;
  stop(): void;
}

/** Every kind's objects, found by any form of their ref or ARN. */
function indexOf(store: KindStore): Map<string, ViewEntry[]> {
  const index = new Map<string, ViewEntry[]>();
  for (const entry of store.view.list()) {
    const arn = (entry.object.status as { arn?: unknown } | undefined)?.arn;
    const forms = new Set([...identifierForms(entry.ref), ...(typeof arn === 'string' ? identifierForms(arn) : [])]);
    for (const form of forms) index.set(form, [...(index.get(form) ?? []), entry]);
  }
  return index;
}

export class ChangeDispatcher {
  private readonly lastRelist = new Map<string, number>();
  private readonly pendingRelist = new Map<string, Promise<void>>();

  constructor(
    private readonly stores: readonly KindStore[],
    private readonly log: Logger,
    private readonly observe: ChangeFeedObserver = {},
  ) {}

  /**
   * Re-reads what a batch of events names; settles once every read has. False when one failed (it is
   * logged): the batch's messages are then left in the queue, to be delivered again.
   */
  async handle(events: readonly ChangeEvent[]): Promise<boolean> {
    const outcomes = await Promise.all(this.stores.map((store) => this.handleForKind(store, events.filter((e) => (store.kind.changeEventServices ?? []).map(cloudTrailSource).includes(e.source)))));
    return outcomes.every(Boolean);
  }

  private async handleForKind(store: KindStore, events: readonly ChangeEvent[]): Promise<boolean> {
    if (!events.length) return true;
    const plural = store.kind.names.plural;
    const index = indexOf(store);
    const reads = new Map<string, ViewEntry>();
    let relist = false;
    for (const event of events) {
      const matched = new Set(event.identifiers.flatMap(identifierForms).flatMap((form) => index.get(form) ?? []));
      for (const entry of matched) {
        if (performance.timeOrigin + entry.readAt > event.time + READ_SHOWS_CALL_AFTER_MS) continue;
        reads.set(`${entry.object.metadata.namespace}/${entry.object.metadata.name}`, entry);
      }
      if (!matched.size && mayIntroduce(event.name)) relist = true;
    }
    return runAs({ caller: 'event', lane: plural }, async () => {
      const read = await Promise.all(
        [...reads.values()].map(async (entry) => {
          try {
            await store.reread(entry.object.metadata.namespace as string, entry.object.metadata.name as string);
            this.observe.reread?.(plural, 'object');
            return true;
          } catch (error) {
            this.log.warn({ kind: store.kind.names.kind, name: entry.object.metadata.name, err: (error as Error).message }, 're-read for a change event failed; the event will be delivered again');
            return false;
          }
        }),
      );
      if (relist) await this.relist(store);
      return read.every(Boolean);
    });
  }

  /** Lists the kind (reading only what the listing shows new or changed), at most once per interval. */
  private relist(store: KindStore): Promise<void> {
    const plural = store.kind.names.plural;
    const pending = this.pendingRelist.get(plural);
    if (pending) return pending;
    const wait = Math.max(0, (this.lastRelist.get(plural) ?? -Infinity) + RELIST_INTERVAL_MS - performance.now());
    const run = (async () => {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastRelist.set(plural, performance.now());
      this.pendingRelist.delete(plural);
      try {
        await store.resync(false, 0);
        this.observe.reread?.(plural, 'relist');
      } catch (error) {
        this.log.warn({ kind: store.kind.names.kind, err: (error as Error).message }, 'relisting for a change event failed; the resync will catch up');
      }
    })();
    this.pendingRelist.set(plural, run);
    return run;
  }
}

/** Sets up (or finds) the queue, then long-polls it while `active()`, until stopped. */
export function startChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { log } = options;
  const dispatcher = new ChangeDispatcher(options.stores, log, options.observe);
  const abort = new AbortController();
  const services = options.stores.flatMap((store) => store.kind.changeEventServices ?? []);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
  const ready = (async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await runAs({ caller: 'event' }, () => ensureChangeQueue(options.context(), options.queueName, services, options.setup));
      } catch (error) {
        if (abort.signal.aborted) throw error;
        log.warn({ queue: options.queueName, err: (error as Error).message }, 'setting up the change-event queue failed; will retry');
        await pause(Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** attempt));
      }
    }
  })();
  void ready.then(
    async (queue) => {
      log.info({ queue: queue.url, services: [...new Set(services)] }, 'consuming AWS change events');
      for (let failures = 0; !abort.signal.aborted; ) {
        if (!options.active()) {
          await pause(1000);
          continue;
        }
        try {
          const batch = await runAs({ caller: 'event' }, () => receiveChanges(options.context(), queue.url, abort.signal));
          options.observe?.polled?.();
          if (batch.events.length || batch.ignored) options.observe?.received?.(batch.events.length, batch.ignored);
          if (await dispatcher.handle(batch.events)) await runAs({ caller: 'event' }, () => batch.done());
          failures = 0;
        } catch (error) {
          if (abort.signal.aborted) return;
          log.warn({ queue: queue.url, err: (error as Error).message }, 'receiving change events failed; will retry');
          await pause(Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** failures++));
        }
      }
    },
    () => undefined,
  );
  return {
    ready: ready.then((queue) => queue.url),
    stop: () => abort.abort(),
  };
}
