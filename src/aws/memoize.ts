// A value loaded from AWS once (an account id, say) and shared by every caller; a failed load is not
// remembered, so the next caller tries again.
export function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}
