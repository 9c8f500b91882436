/**
 * A bounded map that forgets its least recently used entry when full.
 *
 * @example
 * ```ts
 * const cache = new LruCache<string, number>(2);
 * cache.get("a", () => 1); // 1, built
 * cache.get("a", () => 2); // 1, kept
 * ```
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();

  /** @param limit Most entries kept. */
  constructor(readonly limit: number) {}

  /** Entries kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** True when `key` is kept. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The value of `key`, built by `build` and kept when absent. */
  get(key: K, build: () => V): V {
    return this.find(key) ?? this.set(key, build());
  }

  /** The value of `key`, now the most recently used, or undefined when it is not kept. */
  find(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** The value of `key` without making it the most recently used (cheaper than `find`), or undefined. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Keeps `value` for `key`, forgetting the least recently used entry when full; returns `value`. */
  set(key: K, value: V): V {
    if (!this.#entries.delete(key) && this.#entries.size >= this.limit) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, value);
    return value;
  }
}
