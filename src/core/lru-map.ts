/**
 * A Map bounded to `max` entries that drops the least recently used one first. Map iteration is
 * insertion order, so moving an entry to the end on every hit keeps the oldest use first.
 */
export interface LruMap<K, V> {
  /** The value, marked as just used; undefined when absent. */
  get(key: K): V | undefined;
  /** Store the value, dropping the least recently used entry when full. */
  set(key: K, value: V): void;
  delete(key: K): void;
  readonly size: number;
}

export function lruMap<K, V>(max: number): LruMap<K, V> {
  const entries = new Map<K, V>();
  return {
    get(key) {
      if (!entries.has(key)) return undefined;
      const value = entries.get(key) as V;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      if (entries.size >= max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, value);
    },
    delete: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}
