// One resourceVersion authority for the whole server (like etcd's revision): positive decimal integers,
// strictly increasing. Seeding from the wall clock in microseconds means versions handed out after a
// restart are larger than any handed out before it, so a client's old version never names a new state.

export class ResourceVersionClock {
  private last: number;
  /** The first version of this process: anything older was issued before the (re)start. */
  readonly origin: number;

  constructor(private readonly nowMs: () => number = Date.now) {
    this.last = this.nowMs() * 1000;
    this.origin = this.last;
  }

  next(): number {
    this.last = Math.max(this.last + 1, this.nowMs() * 1000);
    return this.last;
  }

  current(): number {
    return this.last;
  }
}

/** Parses a client-supplied resourceVersion; undefined when it is not one of ours. */
export function parseResourceVersion(value: string): number | undefined {
  return /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
}
