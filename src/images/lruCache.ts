/**
 * A least-recently-used cache bounded by the total size of its values (bytes of PNGs, or 1 per
 * entry for a count bound). A Map keeps insertion order, so re-inserting on every hit makes its
 * first key the least recently used one.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(
    /** The most the sizes of all values may add up to; a single value larger than this is not kept. */
    readonly maxSize: number,
    private readonly sizeOf: (value: V) => number,
    /** Called with every value that leaves the cache (evicted, replaced, deleted or cleared). */
    private readonly onEvict?: (value: V, key: K) => void,
  ) {
    if (!(maxSize >= 0)) throw new RangeError(`maxSize must be >= 0; got ${maxSize}`);
  }

  /** Sum of the sizes of the values held. */
  get size(): number {
    return this.total;
  }

  get count(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores the value as the most recently used, then evicts the least recently used values until
   * the total fits. Returns false (and keeps nothing) when the value alone exceeds maxSize.
   */
  set(key: K, value: V): boolean {
    const size = this.sizeOf(value);
    if (!(size >= 0)) throw new RangeError(`size of a cached value must be >= 0; got ${size}`);
    this.delete(key);
    if (size > this.maxSize) return false;
    this.entries.set(key, { value, size });
    this.total += size;
    while (this.total > this.maxSize) {
      const [oldestKey] = this.entries.keys();
      this.delete(oldestKey);
    }
    return true;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.total -= entry.size;
    this.onEvict?.(entry.value, key);
    return true;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.entries.keys()];
  }

  clear(): void {
    for (const key of this.keys()) this.delete(key);
  }
}
