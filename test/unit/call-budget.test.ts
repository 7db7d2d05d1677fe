// The background call budget: a token bucket of calls per minute, served round-robin by lane, that
// backs off exponentially when AWS throttles. A fake clock drives it: nothing here waits for real time.
import { jest } from '@jest/globals';
import { CallBudget } from '../../src/aws/call-budget.js';

let now = 0;
beforeEach(() => {
  now = 0;
  jest.useFakeTimers();
});
afterEach(() => jest.useRealTimers());

/** Advances the fake clock and the timers together, then lets resolved acquisitions run. */
async function advance(ms: number): Promise<void> {
  now += ms;
  jest.advanceTimersByTime(ms);
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function granted(budget: CallBudget, lane: string, count: number, order: string[]): void {
  for (let i = 0; i < count; i++) void budget.acquire(lane).then(() => order.push(lane));
}

test('a burst of ten seconds of calls goes at once, then one call per 60/N seconds', async () => {
  const budget = new CallBudget({ callsPerMinute: 60, now: () => now });
  const order: string[] = [];
  granted(budget, 'dynamodbs', 12, order);
  await advance(0);
  expect(order).toHaveLength(10);
  await advance(999);
  expect(order).toHaveLength(10);
  await advance(1);
  expect(order).toHaveLength(11);
  await advance(1000);
  expect(order).toHaveLength(12);
  budget.stop();
});

test('waiting calls are served round-robin by lane: a kind with many reads cannot starve another', async () => {
  const budget = new CallBudget({ callsPerMinute: 6, now: () => now });
  const order: string[] = [];
  // The burst (one call) goes at once; the rest waits.
  granted(budget, 'dynamodbs', 5, order);
  granted(budget, 'sqsqueues', 2, order);
  await advance(0);
  for (let i = 0; i < 4; i++) await advance(10_000);
  expect(order).toEqual(['dynamodbs', 'dynamodbs', 'sqsqueues', 'dynamodbs', 'sqsqueues']);
  budget.stop();
});

test('a throttled call pauses every background call, twice as long each time in a row, until one succeeds', async () => {
  const budget = new CallBudget({ callsPerMinute: 0, baseBackoffMs: 1000, maxBackoffMs: 8000, now: () => now });
  const order: string[] = [];
  budget.throttled();
  granted(budget, 'dynamodbs', 1, order);
  await advance(0);
  expect(order).toHaveLength(0);
  await advance(1000);
  expect(order).toHaveLength(1);
  budget.throttled();
  budget.throttled();
  granted(budget, 'dynamodbs', 1, order);
  // The third throttle in a row: up to 4 s (jittered between 2 and 4 s).
  await advance(1999);
  expect(order).toHaveLength(1);
  await advance(2001);
  expect(order).toHaveLength(2);
  budget.succeeded();
  budget.throttled();
  granted(budget, 'dynamodbs', 1, order);
  await advance(1000);
  expect(order).toHaveLength(3);
  expect(budget.backoffs).toBe(4);
  budget.stop();
});

test('without a limit calls go at once, and stop() lets waiting calls go', async () => {
  const unlimited = new CallBudget({ callsPerMinute: 0, now: () => now });
  const order: string[] = [];
  granted(unlimited, 'a', 100, order);
  await advance(0);
  expect(order).toHaveLength(100);
  const tight = new CallBudget({ callsPerMinute: 6, now: () => now });
  granted(tight, 'b', 3, order);
  await advance(0);
  expect(tight.queued()).toEqual({ b: 2 });
  tight.stop();
  await advance(0);
  expect(order).toHaveLength(103);
});
