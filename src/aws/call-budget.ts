// The AWS call budget for background reads (the resync and the re-reads change events ask for): a
// token bucket refilled at the configured calls per minute, holding at most ten seconds' worth, so
// that no minute spends much more than the budget. Calls waiting for a token are served round-robin
// by lane (one lane per kind, so a kind with 10,000 objects cannot starve one with 10), and a call AWS
// throttled pauses every background call with exponential backoff until one gets through again.
// Requests made for clients are never held here: they are answered, and only counted.

export interface CallBudgetOptions {
  /** Background AWS calls per minute; 0 for no limit (throttling still backs off). */
  callsPerMinute: number;
  /** The first pause after a throttled call; doubled per consecutive throttle (default 1 s). */
  baseBackoffMs?: number;
  /** The longest pause (default 60 s). */
  maxBackoffMs?: number;
  now?: () => number;
}

const BURST_SECONDS = 10;

export class CallBudget {
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private tokens: number;
  private refilledAt: number;
  /** Waiting calls by lane; a Map keeps lanes in the order they are served next. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private pausedUntil = 0;
  private consecutiveThrottles = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** Throttles seen, and how long background calls were paused in all (for /metrics). */
  backoffs = 0;
  pausedMs = 0;

  constructor(private readonly options: CallBudgetOptions) {
    this.now = options.now ?? (() => performance.now());
    this.ratePerMs = options.callsPerMinute / 60_000;
    this.capacity = Math.max(1, options.callsPerMinute * (BURST_SECONDS / 60));
    this.tokens = this.capacity;
    this.refilledAt = this.now();
  }

  /** Resolves when the lane may make one call. */
  acquire(lane: string): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.waiting.get(lane) ?? [];
      queue.push(resolve);
      this.waiting.set(lane, queue);
      this.dispatch();
    });
  }

  /** AWS throttled a background call: pause all of them, twice as long as the last time in a row. */
  throttled(): void {
    const base = this.options.baseBackoffMs ?? 1000;
    const pause = Math.min(this.options.maxBackoffMs ?? 60_000, base * 2 ** this.consecutiveThrottles);
    this.consecutiveThrottles++;
    this.backoffs++;
    const until = this.now() + pause * (0.5 + Math.random() / 2);
    if (until > this.pausedUntil) {
      this.pausedMs += until - Math.max(this.pausedUntil, this.now());
      this.pausedUntil = until;
    }
  }

  /** A background call got through: the next throttle starts the backoff afresh. */
  succeeded(): void {
    this.consecutiveThrottles = 0;
  }

  /** Calls waiting for a token, by lane. */
  queued(): Record<string, number> {
    return Object.fromEntries([...this.waiting].map(([lane, queue]) => [lane, queue.length]));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Let what waits go: the process is stopping, and the calls fail or finish on their own.
    for (const queue of this.waiting.values()) queue.splice(0).forEach((resolve) => resolve());
    this.waiting.clear();
  }

  private refill(): void {
    const now = this.now();
    if (this.options.callsPerMinute > 0) this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.ratePerMs);
    this.refilledAt = now;
  }

  private dispatch(): void {
    this.refill();
    const unlimited = this.options.callsPerMinute <= 0;
    while (this.waiting.size && this.now() >= this.pausedUntil && (unlimited || this.tokens >= 1)) {
      const [lane, queue] = this.waiting.entries().next().value as [string, (() => void)[]];
      const resolve = queue.shift() as () => void;
      // Served: the lane goes to the back of the round, or leaves it when nothing of it waits.
      this.waiting.delete(lane);
      if (queue.length) this.waiting.set(lane, queue);
      if (!unlimited) this.tokens -= 1;
      resolve();
    }
    if (!this.waiting.size || this.timer) return;
    const untilToken = unlimited ? 0 : (1 - this.tokens) / this.ratePerMs;
    const wait = Math.max(this.pausedUntil - this.now(), untilToken, 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dispatch();
    }, wait);
  }
}
