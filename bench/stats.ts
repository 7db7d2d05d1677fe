// Summaries of measured samples.

export interface Summary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1], mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, count: sorted.length };
}

/** Runs `task` `times` times, one after the other, and returns each run's duration in ms. */
export async function timeEach(times: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await task(i);
    durations.push(performance.now() - started);
  }
  return durations;
}

export const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)) + ' ms';
export const p50p99 = (s: Summary): string => `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`;
