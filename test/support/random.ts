// A small seeded pseudo-random generator (mulberry32), so that a fault storm or a fuzz run that failed
// can be run again exactly: the seed is printed with every failure.

export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** The seed a test uses: SEED from the environment when set (to replay a failure), else `fallback`. */
export function seedFrom(fallback: number): number {
  const given = Number(process.env.SEED);
  return Number.isInteger(given) && process.env.SEED ? given : fallback;
}
