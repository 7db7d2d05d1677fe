// Keeps the view fresh against changes made outside the server: a full re-read every resync period,
// and a fast re-read of objects AWS is still changing (CREATING, DELETING...) so Ready and deletions
// arrive promptly. AWS being unreachable is logged and retried; the view keeps its last state.
import type { Logger } from '../log.js';
import type { KindStore } from './store.js';

export interface ResyncLoop {
  /** Resolves after the first full read of every kind (the server is ready then). */
  initialSync: Promise<void>;
  /** Why the last attempt at the first full read failed (it is retried), until it succeeds. */
  initialSyncError(): string | undefined;
  stop(): void;
}

/** Told of every resync of a kind that finished, and how long it took. */
export type ResyncObserver = (plural: string, type: 'full' | 'transitional', seconds: number) => void;

async function resyncAll(stores: KindStore[], onlyTransitional: boolean, log: Logger, observe: ResyncObserver): Promise<void> {
  await Promise.all(
    stores.map(async (store) => {
      const started = performance.now();
      try {
        await store.resync(onlyTransitional);
        // What waiting objects name may have appeared out of the server's sight (a ConfigMap kubectl made).
        if (!onlyTransitional) await store.retryWaiting();
        observe(store.kind.names.plural, onlyTransitional ? 'transitional' : 'full', (performance.now() - started) / 1000);
      } catch (error) {
        log.warn({ kind: store.kind.names.kind, err: error instanceof Error ? error.message : error }, 'resync from AWS failed; will retry');
        if (!onlyTransitional) throw error;
      }
    }),
  );
}

export function startResyncLoop(stores: KindStore[], periodMs: number, transitionalPeriodMs: number, log: Logger, observe: ResyncObserver = () => undefined): ResyncLoop {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<void>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running || stopped) return;
      running = true;
      task()
        .catch(() => undefined)
        .finally(() => (running = false));
    }, ms);
    timers.push(timer);
  };
  let initialSyncError: string | undefined;
  const initialSync = (async () => {
    for (;;) {
      try {
        await resyncAll(stores, false, log, observe);
        initialSyncError = undefined;
        return;
      } catch (error) {
        initialSyncError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (stopped) return;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  })();
  void initialSync.then(() => {
    if (stopped) return;
    every(periodMs, () => resyncAll(stores, false, log, observe));
    every(transitionalPeriodMs, () => resyncAll(stores, true, log, observe));
  });
  return {
    initialSync,
    initialSyncError: () => initialSyncError,
    stop() {
      stopped = true;
      timers.forEach(clearInterval);
    },
  };
}
