import assert from "node:assert/strict";
import { LruCache } from "../src/lru_cache.ts";

Deno.test("LruCache keeps at most its limit, forgetting the least recently used", () => {
  const cache = new LruCache<string, number>(3);
  let builds = 0;
  const get = (key: string) => cache.get(key, () => ++builds);
  assert.deepEqual([get("a"), get("b"), get("c"), get("a")], [1, 2, 3, 1]);
  get("d"); // evicts "b", the least recently used since "a" was read again
  assert.equal(cache.size, 3);
  assert.deepEqual([cache.has("a"), cache.has("b"), cache.has("c"), cache.has("d")], [
    true,
    false,
    true,
    true,
  ]);
  assert.equal(get("b"), 5);
  assert.equal(builds, 5);
});

Deno.test("LruCache.find() touches what it finds, and set() replaces a kept value without evicting", () => {
  const cache = new LruCache<string, number>(2);
  cache.set("a", 1);
  cache.set("b", 2);
  assert.equal(cache.find("a"), 1);
  assert.equal(cache.find("z"), undefined);
  cache.set("b", 3); // a replacement, not a new entry: nothing is evicted
  assert.deepEqual([cache.size, cache.find("a"), cache.find("b")], [2, 1, 3]);
  cache.set("c", 4); // evicts "a", used before "b"
  assert.deepEqual([cache.has("a"), cache.find("b"), cache.find("c")], [false, 3, 4]);
});

Deno.test("LruCache.peek() reads a value without touching it", () => {
  const cache = new LruCache<string, number>(2);
  cache.set("a", 1);
  cache.set("b", 2);
  assert.deepEqual([cache.peek("a"), cache.peek("z")], [1, undefined]);
  cache.set("c", 3); // evicts "a": peeking did not make it recent
  assert.deepEqual([cache.has("a"), cache.peek("b"), cache.peek("c")], [false, 2, 3]);
});
