/**
 * The answers of routes whose answer to a GET depends on the URL and the data alone, kept by URL:
 * a request for a URL answered before skips routing, the gate and the route, and goes straight
 * to the cached response. Under load most requests repeat a few URLs, and each step skipped is
 * code and memory a request no longer touches.
 * @module
 */

import type { Cacheable } from "./cached_response.ts";
import type { Dataset } from "./dataset.ts";
import { LruCache } from "./lru_cache.ts";
import { hostIsValid } from "./request_target.ts";
import type { Outcome, Route } from "./routes.ts";

/** URLs kept at most; the oldest kept is forgotten first. */
export const MAX_KEPT_URLS = 1000;
/** Longest URL kept, in characters: so that the memo holds at most about a megabyte of keys. */
export const MAX_KEPT_URL_LENGTH = 1024;

/** An answer kept for its URL. */
export interface KeptAnswer {
  readonly route: Route;
  readonly outcome: Cacheable;
  /** The data it was made from: after a reload it is made again. */
  readonly data: Dataset;
}

/** Answers kept by URL (see the module's doc). */
export interface UrlMemo {
  /**
   * The answer kept for `request`'s URL from `data`, or undefined when the request must take the
   * whole path: not a GET or HEAD, not kept, kept from other data, a Host the router would refuse,
   * or a `Prefer` header on an API route (the mock-control gate reads it).
   */
  find(request: Request, data: Dataset): KeptAnswer | undefined;
  /**
   * Keeps `outcome`, what `route` answered `request` from `data`, when the route's answers are
   * the same for a URL (`Route.sameForUrl`) and the outcome is a cacheable representation.
   * Called synchronously after the route ran, so that `data` is what it ran on.
   */
  keep(request: Request, route: Route, outcome: Outcome, data: Dataset): void;
  /** URLs kept. */
  readonly size: number;
}

/**
 * A memo of answers by URL, keeping at most `limit` of them. A hit is a `peek`, which leaves the
 * order alone, so the URL kept longest is forgotten first, however often it is used.
 *
 * @example
 * ```ts
 * const memo = createUrlMemo();
 * const kept = memo.find(request, source.current); // undefined the first time
 * ```
 */
export function createUrlMemo(limit = MAX_KEPT_URLS): UrlMemo {
  const kept = new LruCache<string, KeptAnswer>(limit);
  return {
    find(request, data) {
      const method = request.method;
      if (method !== "GET" && method !== "HEAD") return undefined;
      const answer = kept.peek(request.url);
      if (answer === undefined || answer.data !== data) return undefined;
      // Deno builds the URL from the Host header: Host "x/weather" and Host "x" can give one URL.
      if (!hostIsValid(request)) return undefined;
      if (answer.route.api && request.headers.get("prefer") !== null) return undefined;
      return answer;
    },
    keep(request, route, outcome, data) {
      if (!route.sameForUrl || outcome.kind !== "representation") return;
      const method = request.method;
      const url = request.url;
      if ((method !== "GET" && method !== "HEAD") || url.length > MAX_KEPT_URL_LENGTH) return;
      kept.set(url, { route, outcome, data });
    },
    get size() {
      return kept.size;
    },
  };
}
