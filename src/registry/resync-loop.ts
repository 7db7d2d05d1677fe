// Keeps the view fresh against changes made outside the server: a full re-read every resync period,
// and a fast re-read of objects AWS is still changing (CREATING, DELETING...) so Ready and deletions
// arrive promptly. AWS being unreachable is logged and retried; the view keeps its last state.
// Every kind runs on its own: a kind whose AWS calls hang or fail delays no other kind's resync, nor
// its first read (lists and watches of a kind are served once that kind has been read).
import { runAs } from '../aws/call-origin.js';
import type { Logger } from '../log.js';
import type { KindStore } from './store.js';

export interface ResyncLoop {
  /** Resolves after the first full read of every kind (the server is ready then). */
  initialSync: Promise<void>;
  /** Whether this kind (by plural) has had its first full read. */
  isFilled(plural: string): boolean;
  /**
   * Why the last attempt at the first full read of this kind (by plural; without one: of any kind)
   * failed (it is retried), until it succeeds.
   */
  initialSyncError(plural?: string): string | undefined;
  stop(): void;
}

/** Told of every resync of a kind that finished, and how long it took. */
export type ResyncObserver = (plural: string, type: 'full' | 'transitional', seconds: number) => void;

const INITIAL_RETRY_MS = 2000;

interface KindLoop {
  initialSync: Promise<void>;
  filled: boolean;
  initialSyncError?: string;
  stop(): void;
}

async function resyncKind(store: KindStore, onlyTransitional: boolean, log: Logger, observe: ResyncObserver): Promise<void> {
  const started = performance.now();
  try {
    // Each kind draws on its own share of the background call budget.
    await runAs({ caller: 'resync', lane: store.kind.names.plural }, async () => {
      await store.resync(onlyTransitional);
      // What waiting objects name may have appeared out of the server's sight (a ConfigMap kubectl made).
      if (!onlyTransitional) await store.retryWaiting();
    });
    observe(store.kind.names.plural, onlyTransitional ? 'transitional' : 'full', (performance.now() - started) / 1000);
  } catch (error) {
    log.warn({ kind: store.kind.names.kind, err: error instanceof Error ? error.message : error }, 'resync from AWS failed; will retry');
    throw error;
  }
}

function startKindLoop(store: KindStore, periodMs: number, transitionalPeriodMs: number, log: Logger, observe: ResyncObserver): KindLoop {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, onlyTransitional: boolean) => {
    let running = false;
    timers.push(
      setInterval(() => {
        if (running || stopped) return;
        running = true;
        resyncKind(store, onlyTransitional, log, observe)
          .catch(() => undefined)
          .finally(() => (running = false));
      }, ms),
    );
  };
  const firstRead = async (): Promise<void> => {
    while (!stopped) {
      try {
        await resyncKind(store, false, log, observe);
        loop.filled = true;
        loop.initialSyncError = undefined;
        return;
      } catch (error) {
        loop.initialSyncError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        await new Promise((resolve) => setTimeout(resolve, INITIAL_RETRY_MS));
      }
    }
  };
  const loop: KindLoop = {
    filled: false,
    initialSync: Promise.resolve().then(firstRead),
    stop() {
      stopped = true;
      timers.forEach(clearInterval);
    },
  };
  void loop.initialSync.then(() => {
    if (stopped) return;
    every(periodMs, false);
    every(transitionalPeriodMs, true);
  });
  return loop;
}

export function startResyncLoop(stores: KindStore[], periodMs: number, transitionalPeriodMs: number, log: Logger, observe: ResyncObserver = () => undefined): ResyncLoop {
  const loops = new Map(stores.map((store) => [store.kind.names.plural, startKindLoop(store, periodMs, transitionalPeriodMs, log, observe)]));
  return {
    initialSync: Promise.all([...loops.values()].map((loop) => loop.initialSync)).then(() => undefined),
    isFilled: (plural) => loops.get(plural)?.filled ?? false,
    initialSyncError: (plural) => (plural === undefined ? [...loops.values()].find((loop) => loop.initialSyncError)?.initialSyncError : loops.get(plural)?.initialSyncError),
    stop() {
      for (const loop of loops.values()) loop.stop();
    },
  };
}
