// Bounded concurrency for batches of AWS reads: enough in flight to finish a resync of many objects
// promptly, few enough not to burst into AWS throttling.

/**
 * Runs `task` for every item, at most `limit` at a time. A failing item does not stop the others; the
 * first failure is rethrown once all have settled.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
