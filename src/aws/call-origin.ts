// Who an AWS call is made for, carried through async code (AsyncLocalStorage) so that the SDK
// middleware can count calls by caller and hold background reads to the call budget without every
// function in between passing it along. A call made outside any origin is a client's request.
import { AsyncLocalStorage } from 'node:async_hooks';

/** `request`: a client's verb; `resync`: the periodic re-read; `event`: a re-read an AWS change event asked for. */
export type Caller = 'request' | 'resync' | 'event';

export interface CallOrigin {
  caller: Caller;
  /**
   * The share of the background budget the call draws on (the kind's plural; with several accounts,
   * account/plural). Background calls without a lane (the change-event queue's own polling) are
   * counted but not budgeted.
   */
  lane?: string;
}

const storage = new AsyncLocalStorage<CallOrigin>();

export function runAs<T>(origin: CallOrigin, task: () => Promise<T>): Promise<T> {
  return storage.run(origin, task);
}

export function currentOrigin(): CallOrigin {
  return storage.getStore() ?? { caller: 'request' };
}
