// Waiting for AWS to finish an asynchronous change, bounded by the request's deadline.
import { gatewayTimeout } from '../api/errors.js';

export interface WaitOptions {
  deadline: number;
  intervalMs?: number;
  /** Says what was being waited for, in the timeout message. */
  what: string;
}

/** Polls `probe` until it returns a value other than undefined; a 504 Status past the deadline. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() + interval > options.deadline) {
      throw gatewayTimeout(`gave up waiting for ${options.what}; AWS is still working on it, so try again shortly`, 10);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
