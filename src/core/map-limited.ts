/**
 * Run `task` over `items`, at most `limit` at a time, results in order. The tasks form one wave:
 * the next starts as soon as one ends, none waits for a whole batch. Used for the member lists of
 * the users report's rooms and for a large account's device checks.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
