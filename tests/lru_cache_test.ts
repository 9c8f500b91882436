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
