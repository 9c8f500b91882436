import type { HeaderList } from "./http.ts";
import { CODE_FOR_STATUS, fail, type Failure, statusTitle } from "./problem.ts";

/** Latency, faults and rate limits a tester can switch on; all off unless set. */
export interface MockControls {
  /** Added latency on API routes, drawn uniformly from `min` to `max` milliseconds. */
  delay?: { min: number; max: number };
  /** Fraction (0–1) of API requests answered 503. */
  failRate?: number;
  /** Seed of the random draws for `delay` and `failRate`, to repeat a run exactly. */
  seed?: number;
  /** At most `limit` API requests per client address in each window of `windowMs`. */
  rateLimit?: { limit: number; windowMs: number };
}

/** Statuses `Prefer: code=` may ask for: every error status the API documents. */
export const PREFERABLE_CODES: ReadonlySet<number> = new Set(CODE_FOR_STATUS.keys());

/** Longest latency `Prefer: delay=` may ask for, in milliseconds; longer values are ignored. */
export const MAX_PREFER_DELAY = 60_000;

/** What a request's `Prefer` header asks for that this server honours. */
export interface Preferences {
  code?: number;
  delay?: number;
  /** The `Preference-Applied` entries for what was honoured, e.g. `["code=503"]`. */
  applied: string[];
}

/**
 * Reads the `code` and `delay` preferences of RFC 7240 `Prefer` headers, as Prism does. Unknown
 * or malformed preferences are ignored, never an error; the first valid value of each wins.
 *
 * @example
 * ```ts
 * parsePrefer("code=503, delay=200"); // { code: 503, delay: 200, applied: ["code=503", "delay=200"] }
 * ```
 */
export function parsePrefer(header: string | null): Preferences {
  const result: Preferences = { applied: [] };
  if (header === null) return result;
  for (const item of header.split(",")) {
    const [token = "", raw = ""] = item.split(";", 1)[0]!.split("=", 2).map((part) => part.trim());
    const value = raw.replace(/^"(.*)"$/, "$1");
    if (!/^\d{1,6}$/.test(value)) continue;
    const number = Number(value);
    const name = token.toLowerCase();
    if (name === "code" && result.code === undefined && PREFERABLE_CODES.has(number)) {
      result.code = number;
      result.applied.push(`code=${number}`);
    } else if (name === "delay" && result.delay === undefined && number <= MAX_PREFER_DELAY) {
      result.delay = number;
      result.applied.push(`delay=${number}`);
    }
  }
  return result;
}

/** A small, fast seeded PRNG (mulberry32) giving floats in [0, 1): the same seed, the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The state of one client's window, as the `RateLimit-*` headers report it. */
export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  reset: number;
}

/**
 * Fixed-window rate limiting per client key: each key may make `limit` requests per window,
 * the window starting at its first request. Stale keys are swept as the map grows.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one request from `key` and says whether it is within the limit. */
  hit(key: string): RateLimitState {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || now - window.start >= this.#windowMs) {
      if (this.#windows.size >= 10_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    return {
      allowed: window.count <= this.#limit,
      limit: this.#limit,
      remaining: Math.max(0, this.#limit - window.count),
      reset: Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000)),
    };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(key);
    }
  }
}

/** One line naming the active controls, for the start-up banner; empty when none is on. */
export function describeControls(controls: MockControls): string {
  const parts: string[] = [];
  const { delay, failRate, seed, rateLimit } = controls;
  if (delay) parts.push(`delay ${delay.min === delay.max ? delay.min : `${delay.min}-${delay.max}`} ms`);
  if (failRate !== undefined && failRate > 0) {
    parts.push(`fail-rate ${failRate}${seed === undefined ? "" : ` (seed ${seed})`}`);
  }
  if (rateLimit) parts.push(`rate-limit ${rateLimit.limit}/${rateLimit.windowMs === 1000 ? "s" : "min"}`);
  return parts.join(", ");
}

/** The active controls as `/healthz` reports them; every key present, null when off. */
export function controlsReport(controls: MockControls): Record<string, unknown> {
  return {
    delay_ms: controls.delay ? [controls.delay.min, controls.delay.max] : null,
    fail_rate: controls.failRate ?? null,
    seed: controls.seed ?? null,
    rate_limit: controls.rateLimit
      ? { limit: controls.rateLimit.limit, window_s: controls.rateLimit.windowMs / 1000 }
      : null,
  };
}

/** Options of {@linkcode createGate}. */
export interface GateOptions {
  /** Current time in ms, for rate-limit windows. @default Date.now */
  now?: () => number;
  /** Methods the routes answer, for the `Allow` of a simulated 405. */
  allow: string;
}

/** What the gate decided for one request: latency to add, and maybe a forced error. */
export interface GateDecision {
  delay: number;
  forced: Failure | undefined;
}

/** The gate's decision for a request it leaves alone. */
export const OPEN_GATE: GateDecision = { delay: 0, forced: undefined };

/**
 * The mock-control gate of API requests: from the server's controls and the request's `Prefer`
 * header it decides the added latency and whether to answer a rate-limit, simulated or outage
 * error instead of the route, pushing the headers that go with it (`RateLimit-*`,
 * `Retry-After`, `Preference-Applied`) onto `headers`. `client` gives the client's address, the
 * key of its rate-limit window.
 *
 * @example
 * ```ts
 * const gate = createGate({ failRate: 0.1, seed: 7 }, { allow: "GET, HEAD, OPTIONS" });
 * const { delay, forced } = gate(request, () => "127.0.0.1", headers);
 * ```
 */
export function createGate(
  controls: MockControls,
  options: GateOptions,
): (request: Request, client: () => string, headers: HeaderList) => GateDecision {
  // Separate streams, so that switching on --delay does not change the --fail-rate sequence.
  const seed = controls.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
  const failDraw = seededRandom(seed);
  const delayDraw = seededRandom(seed ^ 0x9e3779b9);
  const { delay: delayRange, failRate, rateLimit } = controls;
  const limiter = rateLimit ? new RateLimiter(rateLimit.limit, rateLimit.windowMs, options.now) : undefined;
  return (request, client, headers) => {
    const prefer = parsePrefer(request.headers.get("prefer"));
    let delay = prefer.delay ?? 0;
    if (delayRange) delay += delayRange.min + delayDraw() * (delayRange.max - delayRange.min);
    let forced: Failure | undefined;
    // The client's address costs a call into the runtime: only the rate limit needs it.
    const limit = limiter?.hit(client());
    if (limit) {
      headers.push(
        ["ratelimit-limit", String(limit.limit)],
        ["ratelimit-remaining", String(limit.remaining)],
        ["ratelimit-reset", String(limit.reset)],
      );
    }
    if (limit && !limit.allowed) {
      headers.push(["retry-after", String(limit.reset)]);
      forced = fail(
        "rate_limited",
        `Too many requests: the limit is ${limit.limit} per ${rateLimit!.windowMs / 1000} s per client`,
      );
    } else if (prefer.code !== undefined) {
      if (prefer.code === 429 || prefer.code === 503) headers.push(["retry-after", "1"]);
      if (prefer.code === 405) headers.push(["allow", options.allow]);
      forced = fail(
        CODE_FOR_STATUS.get(prefer.code)!,
        `Simulated ${prefer.code} ${statusTitle(prefer.code)}, asked for by "Prefer: code=${prefer.code}"`,
        { simulated: true },
      );
    } else if (failRate !== undefined && failDraw() < failRate) {
      headers.push(["retry-after", "1"]);
      forced = fail("service_unavailable", "Simulated outage: the server runs with --fail-rate", {
        simulated: true,
      });
    }
    if (prefer.applied.length > 0) headers.push(["preference-applied", prefer.applied.join(", ")]);
    return delay === 0 && forced === undefined ? OPEN_GATE : { delay: Math.round(delay), forced };
  };
}
