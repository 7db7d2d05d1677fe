// A deadline for everything one request asks of AWS. Work started for a request runs inside its scope
// (AsyncLocalStorage, so nothing has to pass it along), and every AWS call made there carries the
// scope's AbortSignal: when the deadline passes, calls still in flight (or waiting to be retried) are
// aborted and the request answers 504 instead of hanging. Work outside any request (the resync) gets
// a fresh deadline for each step.
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<AbortSignal>();

/** Runs `task` with a deadline `ms` from now for every AWS call it makes (an outer deadline stays in force). */
export function withDeadline<T>(ms: number, task: () => Promise<T>): Promise<T> {
  if (scope.getStore()) return task();
  return scope.run(AbortSignal.timeout(ms), task);
}

/** The signal of the request being served, or one that aborts `fallbackMs` from now. */
export function deadlineSignal(fallbackMs: number): AbortSignal {
  return scope.getStore() ?? AbortSignal.timeout(fallbackMs);
}
