/**
 * The upstream: a caching, failure-proof client of an Open-Meteo-compatible forecast API, the
 * other source of weather beside the model.
 *
 * - One request shape per location ({@linkcode upstreamUrl}): coordinates the server computed,
 *   rounded to 4 decimals (about 11 m), every hourly variable of the model, as current conditions
 *   and as hours, in Open-Meteo's default units, which are the model's: nothing is converted.
 * - Every answer is validated before it is kept: its shape, hourly steps, units, and each value
 *   within {@linkcode HOURLY_LIMITS}. Nonsense is a failure, never stored.
 * - Per attempt a timeout; retries with exponential backoff and jitter on network errors,
 *   timeouts, 5xx and 429, waiting as long as `Retry-After` asks when that is short; a failed
 *   location is not asked again for a while (negative cache); a circuit breaker stops all calls
 *   after repeated failures and lets one probe through after a cooldown.
 * - Answers are kept in a bounded LRU past their TTL, so that a failing upstream still has stale
 *   weather to offer; {@linkcode Upstream.peek} is a Map lookup, cheap enough for every request.
 * @module
 */

import { describeFound, valueAt } from "./data_file.ts";
import { z } from "zod";
import { formatJsonPath } from "./data_file.ts";
import { LruCache } from "./lru_cache.ts";
import {
  HOURLY_LIMITS,
  HOURLY_VARIABLES,
  type HourlyVariable,
  OPEN_METEO_HOURLY,
} from "./model/variables.ts";
import { VERSION } from "./version.ts";
import { connectionReason, parseRetryAfter } from "./weather_client.ts";
import { WMO_CODES } from "./wmo.ts";

/** Open-Meteo's own forecast API, free and without a key: the upstream when none is named. */
export const DEFAULT_UPSTREAM = "https://api.open-meteo.com";

/** Largest answer read: one location's 17 days of 20 variables is about 50 KB. */
export const MAX_ANSWER_BYTES = 4_194_304;

/** Decimals of the coordinates sent and of the cache key: 0.0001° is about 11 m. */
const COORDINATE_DECIMALS = 4;
const COORDINATE_SCALE = 10 ** COORDINATE_DECIMALS;

/** Open-Meteo's names of the model's hourly variables, in the model's order. */
const NAMES: readonly string[] = HOURLY_VARIABLES.map((variable) => OPEN_METEO_HOURLY[variable]);

/**
 * The unit Open-Meteo names for each variable when no unit parameter is sent: the model's units.
 * An answer in any other unit (a proxy that adds `temperature_unit=fahrenheit`) is refused.
 */
const UNITS: Readonly<Record<HourlyVariable, string>> = {
  temperature: "°C",
  apparent_temperature: "°C",
  dew_point: "°C",
  relative_humidity: "%",
  precipitation: "mm",
  rain: "mm",
  showers: "mm",
  snowfall: "cm",
  precipitation_probability: "%",
  weather_code: "wmo code",
  cloud_cover: "%",
  pressure_msl: "hPa",
  surface_pressure: "hPa",
  visibility: "m",
  wind_speed: "km/h",
  wind_direction: "°",
  wind_gusts: "km/h",
  uv_index: "",
  is_day: "",
  sunshine_duration: "s",
};

/** Options of {@linkcode createUpstream}. */
export interface UpstreamOptions {
  /** Base URL of an Open-Meteo-compatible API, http or https, without query or fragment; a path prefix is kept. */
  base: string;
  /** Milliseconds an answer is fresh; it is kept, stale, until evicted. @default 900_000 (Open-Meteo updates every 15 minutes) */
  ttlMs?: number;
  /** Milliseconds each attempt may take, answer read in full. @default 3000 */
  timeoutMs?: number;
  /** Most locations kept. @default 1000 */
  maxEntries?: number;
  /** Attempts after the first, on network errors, timeouts, 5xx and 429. @default 2 */
  retries?: number;
  /**
   * Days of the past asked for (`past_days`): two, so that yesterday is covered in every time zone
   * (the answer is in GMT, and a zone at +14:00 starts its yesterday 34 hours before GMT's today).
   * @default 2
   */
  pastDays?: number;
  /** Days of forecast asked for (`forecast_days`). @default 16 */
  forecastDays?: number;
  /** Consecutive failed loads that open the circuit. @default 5 */
  breakerThreshold?: number;
  /** Milliseconds the circuit stays open before one probe is let through. @default 30_000 */
  breakerCooldownMs?: number;
  /** Milliseconds a location is not asked again after a failed load (longer when `Retry-After` says so). @default 10_000 */
  negativeTtlMs?: number;
  /** Longest `Retry-After` waited for within a load; a longer one ends the load and is honoured by not calling until then. @default 5000 */
  maxRetryAfterMs?: number;
  /**
   * Most calls to the upstream at once; more loads wait their turn (Open-Meteo refuses too many
   * concurrent requests from one client with a 429). @default 6
   */
  maxConcurrent?: number;
  /** The fetch to use; tests inject one. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Current time in ms; tests inject a fake clock. @default Date.now */
  now?: () => number;
  /** Waits `ms` milliseconds between attempts; tests inject a fake. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for the backoff's jitter. @default Math.random */
  random?: () => number;
}

/** One location's upstream weather, validated and converted to the model's names (see variables.ts) and metric units. */
export interface UpstreamWeather {
  /** The latitude asked, rounded as the cache key is. */
  readonly latitude: number;
  /** The longitude asked, rounded as the cache key is. */
  readonly longitude: number;
  /** The upstream's elevation of its grid cell, metres, if it gave one. */
  readonly elevation: number | undefined;
  /** When the answer arrived, epoch ms. */
  readonly fetchedAt: number;
  /** Unique and increasing for every answer stored, in this process: a cache key for what is built from it. */
  readonly version: number;
  /** The upstream's current conditions: the 15-minute slot starting at `time` (epoch ms); a variable it gave as null is absent. */
  readonly current: {
    readonly time: number;
    readonly values: Readonly<Partial<Record<HourlyVariable, number>>>;
  };
  /** Hours from `start` (epoch ms, on the hour), `length` of them, one value per hour; NaN where the upstream gave null. */
  readonly hourly: {
    readonly start: number;
    readonly length: number;
    readonly values: Readonly<Partial<Record<HourlyVariable, Float64Array>>>;
  };
}

/** A caching, coalescing, circuit-broken client of one upstream. */
export interface Upstream {
  /**
   * The stored answer for the coordinates, or undefined; `fresh` false once older than the TTL
   * (still usable as stale). Synchronous and cheap: a Map lookup keyed by the coordinates.
   * Counts a hit (fresh) or a miss (stale or absent) for the hit rate, unless `count` is false
   * (a second look for a request already counted).
   */
  peek(
    latitude: number,
    longitude: number,
    count?: boolean,
  ): { readonly weather: UpstreamWeather; readonly fresh: boolean } | undefined;
  /**
   * Fetches (coalesced: one call in flight per key, every concurrent caller shares it) and stores
   * the answer. Never rejects: resolves true when fresh data is stored, false on failure
   * (recorded for status). Resolves at once (false) while the circuit is open, or while this key
   * is under a Retry-After/negative-cache wait, or the whole upstream under a 429's.
   */
  load(latitude: number, longitude: number): Promise<boolean>;
  /**
   * For /healthz, snake_case and JSON-ready: `url`, `state` ("closed", "open" or "half-open"),
   * `last_error`, `last_error_at`, `last_success_at` (ISO or null), `calls` (requests sent),
   * `failures` (requests that brought no valid answer), `consecutive_failures` (failed loads in a
   * row, which open the circuit), `in_flight` (loads), `paused_until` (ISO or null: a 429's wait),
   * and `cache`: `entries`, `max_entries`, `hits`, `misses` and `hit_rate` (0 before any lookup).
   */
  status(): Readonly<Record<string, unknown>>;
}

// --- Errors -------------------------------------------------------------------------------------

/** What went wrong with an upstream request, as {@linkcode UpstreamError.kind} sorts it. */
export type UpstreamFailure = "unreachable" | "timeout" | "denied" | "status" | "invalid";

/** An upstream request failed: `kind` sorts the failures, the message tells the detail. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  /** Connection failed, no answer in time, no permission to connect, an error status, or an answer refused. */
  readonly kind: UpstreamFailure;
  /** The HTTP status, for kind "status". */
  readonly status: number | undefined;
  /** What the answer's `Retry-After` asked for, in milliseconds, if anything. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    kind: UpstreamFailure,
    details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True for failures worth another attempt: network errors, timeouts, 5xx and 429. */
  get transient(): boolean {
    return this.kind === "unreachable" || this.kind === "timeout" ||
      (this.kind === "status" && (this.status === 429 || this.status! >= 500));
  }

  /** True when the upstream could not be talked to at all (connection, timeout, permission). */
  get network(): boolean {
    return this.kind === "unreachable" || this.kind === "timeout" || this.kind === "denied";
  }
}

// --- The request --------------------------------------------------------------------------------

/**
 * Checks an upstream base URL: http or https, no query, fragment or credentials (a path prefix is
 * kept, a trailing slash ignored). Throws `TypeError` otherwise.
 *
 * @example
 * ```ts
 * parseUpstreamBase("http://127.0.0.1:5001/"); // URL "http://127.0.0.1:5001/"
 * ```
 */
export function parseUpstreamBase(text: string): URL {
  const invalid = (why: string) =>
    new TypeError(`Invalid upstream URL ${JSON.stringify(text)}: ${why}, like ${DEFAULT_UPSTREAM}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid("expected an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("expected http or https");
  if (text.includes("?") || text.includes("#")) throw invalid("expected no query or fragment");
  if (url.username !== "" || url.password !== "") throw invalid("expected no user name or password");
  return url;
}

/** The base as requests extend it: origin and path prefix, no trailing slash. */
const prefixOf = (base: URL) => `${base.origin}${base.pathname.replace(/\/+$/, "")}`;

function checkCoordinate(value: number, limit: number, what: string): number {
  if (typeof value !== "number" || !(value >= -limit && value <= limit)) {
    throw new RangeError(`Invalid ${what} ${String(value)}: expected a number from ${-limit} to ${limit}`);
  }
  return Math.round(value * COORDINATE_SCALE);
}

const coordinateText = (scaled: number) => (scaled / COORDINATE_SCALE).toFixed(COORDINATE_DECIMALS);

function requestUrl(base: URL, latitude: number, longitude: number, past: number, forecast: number): URL {
  const names = NAMES.join(",");
  // Built by hand, not by URLSearchParams: commas stay literal, and every character is ours.
  return new URL(
    `${prefixOf(base)}/v1/forecast?latitude=${coordinateText(latitude)}&longitude=${
      coordinateText(longitude)
    }` +
      `&current=${names}&hourly=${names}&past_days=${past}&forecast_days=${forecast}` +
      "&timezone=GMT&timeformat=unixtime",
  );
}

/**
 * The one request URL built for a location: exactly what is sent upstream. Coordinates are
 * rounded to 4 decimals; throws `TypeError` for a bad base and `RangeError` for coordinates or
 * day counts out of range.
 *
 * @example
 * ```ts
 * upstreamUrl("https://api.open-meteo.com", 35.6762, 139.6503, 1, 16).search;
 * // "?latitude=35.6762&longitude=139.6503&current=temperature_2m,...&past_days=1&forecast_days=16&timezone=GMT&timeformat=unixtime"
 * ```
 */
export function upstreamUrl(
  base: string,
  latitude: number,
  longitude: number,
  pastDays: number,
  forecastDays: number,
): URL {
  return requestUrl(
    parseUpstreamBase(base),
    checkCoordinate(latitude, 90, "latitude"),
    checkCoordinate(longitude, 180, "longitude"),
    checkWhole(pastDays, "pastDays", 0, 92),
    checkWhole(forecastDays, "forecastDays", 0, 16),
  );
}

function checkWhole(value: number, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Invalid upstream option ${what} ${String(value)}: expected a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function checkNumber(value: number, what: string, min: number): number {
  if (typeof value !== "number" || !(value >= min) || value === Infinity) {
    throw new RangeError(`Invalid upstream option ${what} ${String(value)}: expected a number from ${min}`);
  }
  return value;
}

// --- Validation ---------------------------------------------------------------------------------

const nullableNumbers = z.array(z.number().nullable());
const UnitsSchema = z.record(z.string(), z.unknown()).optional();

/** An Open-Meteo answer as asked for: current values and hours of every variable, unixtime. */
const AnswerSchema = z.object({
  elevation: z.number().nullable().optional(),
  current_units: UnitsSchema,
  current: z.object({
    time: z.number().int().multipleOf(900, { error: "expected the start of a 15-minute slot, unixtime" }),
    ...Object.fromEntries(NAMES.map((name) => [name, z.number().nullable()])),
  }),
  hourly_units: UnitsSchema,
  hourly: z.object({
    time: z.array(z.number().int()).min(1),
    ...Object.fromEntries(NAMES.map((name) => [name, nullableNumbers])),
  }),
}).superRefine((answer, ctx) => {
  const { time } = answer.hourly;
  if (time[0]! % 3600 !== 0) {
    ctx.addIssue({ code: "custom", path: ["hourly", "time", 0], message: "expected the start of an hour" });
  }
  for (let i = 1; i < time.length; i++) {
    if (time[i] !== time[0]! + 3600 * i) {
      ctx.addIssue({ code: "custom", path: ["hourly", "time", i], message: "expected hourly steps" });
      break;
    }
  }
  const hourly = answer.hourly as Record<string, unknown[]>;
  for (const name of NAMES) {
    if (hourly[name]!.length !== time.length) {
      ctx.addIssue({
        code: "custom",
        path: ["hourly", name],
        message: `expected ${time.length} values, as many as hourly.time`,
      });
    }
  }
  for (const key of ["current_units", "hourly_units"] as const) {
    const units = answer[key];
    if (units === undefined) continue;
    for (const variable of HOURLY_VARIABLES) {
      const name = OPEN_METEO_HOURLY[variable];
      if (name in units && units[name] !== UNITS[variable]) {
        ctx.addIssue({
          code: "custom",
          path: [key, name],
          message: `expected the unit ${JSON.stringify(UNITS[variable])}`,
        });
      }
    }
  }
});

/** Why `value` is not a plausible value of `variable`, or undefined when it is. */
function implausible(variable: HourlyVariable, value: number): string | undefined {
  if (variable === "weather_code") return WMO_CODES.has(value) ? undefined : "not a WMO weather code";
  if (variable === "is_day") return value === 0 || value === 1 ? undefined : "expected 0 or 1";
  const [lo, hi] = HOURLY_LIMITS[variable];
  return value >= lo && value <= hi ? undefined : `outside ${lo} to ${hi}`;
}

let versions = 0;

/** The first instant of the year 10000, unixtime: the end of the times an answer may hold. */
const LAST_TIME = 253_402_300_800;

/**
 * Validates the parsed JSON of an upstream answer and converts it to the model's names: throws
 * {@linkcode UpstreamError} (kind "invalid") for an error body, a wrong shape, or implausible values.
 */
export function upstreamWeatherOf(
  json: unknown,
  latitude: number,
  longitude: number,
  fetchedAt: number,
): UpstreamWeather {
  const invalid = (why: string) => new UpstreamError(`The upstream's answer ${why}`, "invalid");
  if (json !== null && typeof json === "object" && (json as { error?: unknown }).error === true) {
    const reason = (json as { reason?: unknown }).reason;
    throw invalid(`is an error: ${typeof reason === "string" ? reason : describeFound(reason, 40)}`);
  }
  const result = AnswerSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const expected = issue.message.replace(/^Invalid input: /, "");
    throw invalid(
      `has the wrong shape: ${formatJsonPath(issue.path)}: ${expected}, found ${
        describeFound(valueAt(json, issue.path), 40)
      }`,
    );
  }
  const answer = result.data;
  const current: Partial<Record<HourlyVariable, number>> = {};
  const hourly: Partial<Record<HourlyVariable, Float64Array>> = {};
  const length = answer.hourly.time.length;
  // Times a Date, a time zone's offset and an HTTP date can all be made of, and "now" within the
  // hours, as Open-Meteo answers: anything else would fail every answer made from it.
  const first = answer.hourly.time[0]!, last = first + 3600 * (length - 1);
  const outside = first < 0 ? 0 : last >= LAST_TIME ? length - 1 : -1;
  if (outside >= 0) {
    const t = first + 3600 * outside;
    throw invalid(`is implausible: hourly.time[${outside}] is ${t}, outside 1970 to 9999`);
  }
  const at = answer.current.time;
  if (!(at >= first && at < last + 3600)) {
    throw invalid(`is implausible: current.time is ${at}, outside its hours ${first} to ${last + 3600}`);
  }
  for (const variable of HOURLY_VARIABLES) {
    const name = OPEN_METEO_HOURLY[variable];
    const now = (answer.current as Record<string, number | null>)[name]!;
    if (now !== null) {
      const why = implausible(variable, now);
      if (why !== undefined) throw invalid(`is implausible: current.${name} is ${now}, ${why}`);
      current[variable] = now;
    }
    const column = (answer.hourly as Record<string, (number | null)[]>)[name]!;
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const value = column[i]!;
      if (value === null) {
        values[i] = NaN;
        continue;
      }
      const why = implausible(variable, value);
      if (why !== undefined) throw invalid(`is implausible: hourly.${name}[${i}] is ${value}, ${why}`);
      values[i] = value;
    }
    hourly[variable] = values;
  }
  return {
    latitude,
    longitude,
    elevation: answer.elevation ?? undefined,
    fetchedAt,
    version: ++versions,
    current: { time: answer.current.time * 1000, values: current },
    hourly: { start: answer.hourly.time[0]! * 1000, length, values: hourly },
  };
}

// --- Fetching -----------------------------------------------------------------------------------

/** Options of {@linkcode fetchUpstreamWeather}: those of {@linkcode UpstreamOptions} about one load. */
export interface FetchUpstreamOptions {
  /** Milliseconds each attempt may take, answer read in full. @default 3000 */
  timeoutMs?: number;
  /** Attempts after the first, on network errors, timeouts, 5xx and 429. @default 2 */
  retries?: number;
  /** Days of the past asked for. @default 2 */
  pastDays?: number;
  /** Days of forecast asked for. @default 16 */
  forecastDays?: number;
  /** Longest `Retry-After` waited for before another attempt; a longer one ends the load. @default 5000 */
  maxRetryAfterMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Current time in ms. @default Date.now */
  now?: () => number;
  /** Waits `ms` milliseconds between attempts. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for the backoff's jitter. @default Math.random */
  random?: () => number;
  /** Awaited before each request is sent: a batch pauses its requests here. @default none */
  beforeAttempt?: () => void | Promise<void>;
  /** Told after each request sent, with its error when it brought no valid answer. @default none */
  onAttempt?: (error: UpstreamError | undefined) => void;
}

/** First retry's base wait; each later one waits four times the one before (250 ms, 1 s, 4 s...). */
const BACKOFF_MS = 250;
const BACKOFF_FACTOR = 4;
const HEADERS = { accept: "application/json", "user-agent": `weather-server/${VERSION}` };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Fetches and validates one location's weather from the upstream at `base`, retrying transient
 * failures with backoff and jitter, at least as long as a short `Retry-After` asks. Throws
 * {@linkcode UpstreamError} for the last failure, `TypeError` or `RangeError` for a bad base or
 * coordinates. The one fetch of both the server's upstream and the recording command.
 *
 * @example
 * ```ts
 * const tokyo = await fetchUpstreamWeather("https://api.open-meteo.com", 35.6762, 139.6503);
 * tokyo.hourly.values.temperature?.[0];
 * ```
 */
export async function fetchUpstreamWeather(
  base: string | URL,
  latitude: number,
  longitude: number,
  options: FetchUpstreamOptions = {},
): Promise<UpstreamWeather> {
  const url = requestUrl(
    base instanceof URL ? base : parseUpstreamBase(base),
    checkCoordinate(latitude, 90, "latitude"),
    checkCoordinate(longitude, 180, "longitude"),
    checkWhole(options.pastDays ?? 2, "pastDays", 0, 92),
    checkWhole(options.forecastDays ?? 16, "forecastDays", 0, 16),
  );
  const retries = checkWhole(options.retries ?? 2, "retries", 0, 10);
  const maxRetryAfter = options.maxRetryAfterMs ?? 5000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const lat = Math.round(latitude * COORDINATE_SCALE) / COORDINATE_SCALE;
  const lon = Math.round(longitude * COORDINATE_SCALE) / COORDINATE_SCALE;
  for (let attempt = 0;; attempt++) {
    await options.beforeAttempt?.();
    let weather: UpstreamWeather;
    try {
      const json = await getJson(url, options.fetch ?? fetch, options.timeoutMs ?? 3000, now);
      weather = upstreamWeatherOf(json, lat, lon, now());
    } catch (error) {
      const failure = error instanceof UpstreamError
        ? error
        : new UpstreamError(`The upstream request failed: ${messageOf(error)}`, "invalid", { cause: error });
      options.onAttempt?.(failure);
      const asked = failure.retryAfterMs ?? 0;
      if (!failure.transient || attempt >= retries || asked > maxRetryAfter) throw failure;
      // Exponential backoff with jitter around it (0.5 to 1.5 times), at least what Retry-After asks.
      const backoff = BACKOFF_MS * BACKOFF_FACTOR ** attempt * (0.5 + random());
      await sleep(Math.round(Math.max(backoff, asked)));
      continue;
    }
    options.onAttempt?.(undefined);
    return weather;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads a body whole, up to `limit` bytes (undefined beyond), giving up when `aborted` rejects. */
async function readBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  aborted: Promise<never>,
): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0, done = false;
  try {
    while (!done) {
      const next = await Promise.race([reader.read(), aborted]);
      if (next.done) done = true;
      else if ((size += next.value.length) > limit) return undefined;
      else chunks.push(next.value);
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.length;
  return bytes;
}

const decoder = new TextDecoder();

/** One attempt: the answer's JSON, or an {@linkcode UpstreamError}. */
async function getJson(
  url: URL,
  fetcher: typeof fetch,
  timeoutMs: number,
  now: () => number,
): Promise<unknown> {
  const where = `Cannot reach the upstream at ${url.origin}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // Also for a fetch that ignores its signal: the attempt ends at the timeout all the same.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  let response: Response | undefined;
  let bytes: Uint8Array | undefined;
  try {
    const pending = fetcher(url, { headers: HEADERS, signal: controller.signal, redirect: "manual" });
    try {
      response = await Promise.race([pending, aborted]);
    } catch (error) {
      // An answer that arrives after all is not read: cancel its body.
      pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
      throw error;
    }
    bytes = await readBody(response.body, response.ok ? MAX_ANSWER_BYTES : 65_536, aborted);
  } catch (error) {
    if (controller.signal.aborted) {
      throw new UpstreamError(`${where}: no answer within ${timeoutMs} ms`, "timeout", { cause: error });
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new UpstreamError(
        `${where}: permission denied (grant it with --allow-net=${url.host})`,
        "denied",
        { cause: error },
      );
    }
    throw new UpstreamError(`${where}: ${connectionReason(error)}`, "unreachable", { cause: error });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const { status } = response;
    const retryAfterMs = status === 429 || status === 503
      ? parseRetryAfter(response.headers.get("retry-after"), now())
      : undefined;
    let reason = "";
    if (bytes !== undefined) {
      const body = decoder.decode(bytes);
      try {
        const json = JSON.parse(body);
        reason = typeof json?.reason === "string" ? json.reason : "";
      } catch { /* not Open-Meteo's error body: its text, below */ }
      reason ||= body.trim().replace(/\s+/g, " ").slice(0, 200);
    }
    const wait = retryAfterMs === undefined ? "" : ` (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`;
    throw new UpstreamError(
      `The upstream answered HTTP ${status}${reason ? `: ${reason}` : ""}${wait}`,
      "status",
      { status, retryAfterMs },
    );
  }
  if (bytes === undefined) {
    throw new UpstreamError(`The upstream's answer is over ${MAX_ANSWER_BYTES / 1_048_576} MB`, "invalid");
  }
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new UpstreamError(`The upstream's answer is not JSON: ${messageOf(error)}`, "invalid", {
      cause: error,
    });
  }
}

// --- The cached client --------------------------------------------------------------------------

/** A stored answer with its two possible peek results, built once so that a peek allocates nothing. */
interface Entry {
  readonly fresh: { readonly weather: UpstreamWeather; readonly fresh: true };
  readonly stale: { readonly weather: UpstreamWeather; readonly fresh: false };
  /** The lookup count when it was last made the most recently used. */
  touched: number;
}

/** The cache key of rounded coordinates (scaled to integers): one number, unique for each pair. */
const keyOf = (latitude: number, longitude: number) => latitude * 4_000_000 + longitude;

const iso = (ms: number | undefined) => ms === undefined ? null : new Date(ms).toISOString();
const FALSE = Promise.resolve(false);

/**
 * A caching, coalescing, circuit-broken client of the Open-Meteo-compatible API at `options.base`.
 * Throws `TypeError` for a bad base URL and `RangeError` for an option out of range.
 *
 * @example
 * ```ts
 * const upstream = createUpstream({ base: "https://api.open-meteo.com" });
 * const hit = upstream.peek(35.6762, 139.6503);
 * if (!hit?.fresh) void upstream.load(35.6762, 139.6503);
 * ```
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const base = parseUpstreamBase(options.base);
  const ttl = checkNumber(options.ttlMs ?? 900_000, "ttlMs", 0);
  const maxEntries = checkWhole(options.maxEntries ?? 1000, "maxEntries", 1, 10_000_000);
  const threshold = checkWhole(options.breakerThreshold ?? 5, "breakerThreshold", 1, 1_000_000);
  const cooldown = checkNumber(options.breakerCooldownMs ?? 30_000, "breakerCooldownMs", 0);
  const negativeTtl = checkNumber(options.negativeTtlMs ?? 10_000, "negativeTtlMs", 0);
  const maxConcurrent = checkWhole(options.maxConcurrent ?? 6, "maxConcurrent", 1, 1000);
  const now = options.now ?? Date.now;
  const fetchOptions: FetchUpstreamOptions = {
    timeoutMs: checkNumber(options.timeoutMs ?? 3000, "timeoutMs", 1),
    retries: checkWhole(options.retries ?? 2, "retries", 0, 10),
    pastDays: checkWhole(options.pastDays ?? 2, "pastDays", 0, 92),
    forecastDays: checkWhole(options.forecastDays ?? 16, "forecastDays", 0, 16),
    maxRetryAfterMs: checkNumber(options.maxRetryAfterMs ?? 5000, "maxRetryAfterMs", 0),
    fetch: options.fetch,
    now,
    sleep: options.sleep,
    random: options.random,
    onAttempt(error) {
      calls++;
      if (error === undefined) return;
      failures++;
      lastError = error.message;
      lastErrorAt = now();
    },
  };

  const cache = new LruCache<number, Entry>(maxEntries);
  const touchEvery = Math.max(1, maxEntries >> 3);
  /** Key → the instant before which it is not asked again. */
  const waits = new LruCache<number, number>(maxEntries);
  const inFlight = new Map<number, Promise<boolean>>();
  let hits = 0, misses = 0, calls = 0, failures = 0, consecutive = 0;
  let lastError: string | null = null;
  let lastErrorAt: number | undefined, lastSuccessAt: number | undefined;
  let open = false, openedAt = 0, probing = false;
  let pausedUntil = 0;

  // Loads beyond `maxConcurrent` wait their turn: a page of 58 cities must not be 58 calls at once.
  let active = 0;
  const turns: (() => void)[] = [];
  async function turn(): Promise<void> {
    if (active >= maxConcurrent) await new Promise<void>((resolve) => turns.push(resolve));
    active++;
  }
  function done(): void {
    active--;
    turns.shift()?.();
  }

  async function run(key: number, latitude: number, longitude: number, probe: boolean): Promise<boolean> {
    await turn();
    try {
      const weather = await fetchUpstreamWeather(
        base,
        latitude / COORDINATE_SCALE,
        longitude / COORDINATE_SCALE,
        probe ? { ...fetchOptions, retries: 0 } : fetchOptions,
      );
      cache.set(key, {
        fresh: { weather, fresh: true },
        stale: { weather, fresh: false },
        touched: hits + misses,
      });
      lastSuccessAt = weather.fetchedAt;
      consecutive = 0;
      open = false;
      return true;
    } catch (error) {
      const t = now();
      if (!(error instanceof UpstreamError)) {
        // Not the upstream's doing (fetch options checked at creation): keep the story all the same.
        lastError = messageOf(error);
        lastErrorAt = t;
      }
      const retryAfter = error instanceof UpstreamError ? error.retryAfterMs ?? 0 : 0;
      waits.set(key, t + Math.max(negativeTtl, retryAfter));
      if (error instanceof UpstreamError && error.status === 429 && retryAfter > 0) {
        pausedUntil = Math.max(pausedUntil, t + retryAfter);
      }
      if (++consecutive >= threshold || probe) {
        open = true;
        openedAt = t;
      }
      return false;
    } finally {
      done();
      if (probe) probing = false;
    }
  }

  return {
    peek(latitude, longitude, count = true) {
      if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180)) return undefined;
      const key = keyOf(Math.round(latitude * COORDINATE_SCALE), Math.round(longitude * COORDINATE_SCALE));
      const entry = cache.peek(key);
      if (entry === undefined) {
        if (count) misses++;
        return undefined;
      }
      // Moving an entry to the recent end on every hit would double the cost of a peek: once in
      // a while is enough, as loads (one per miss at most) are what push entries out.
      const lookups = hits + misses + 1;
      if (lookups - entry.touched >= touchEvery) {
        entry.touched = lookups;
        cache.find(key);
      }
      if (now() - entry.fresh.weather.fetchedAt < ttl) {
        if (count) hits++;
        return entry.fresh;
      }
      if (count) misses++;
      return entry.stale;
    },

    load(latitude, longitude) {
      if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180)) return FALSE;
      const lat = Math.round(latitude * COORDINATE_SCALE), lon = Math.round(longitude * COORDINATE_SCALE);
      const key = keyOf(lat, lon);
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending;
      const t = now();
      if (t < pausedUntil || t < (waits.find(key) ?? 0)) return FALSE;
      let probe = false;
      if (open) {
        if (t < openedAt + cooldown || probing) return FALSE;
        probe = probing = true;
      }
      const loading = run(key, lat, lon, probe).finally(() => inFlight.delete(key));
      inFlight.set(key, loading);
      return loading;
    },

    status() {
      const t = now();
      const lookups = hits + misses;
      return {
        url: prefixOf(base),
        state: !open ? "closed" : t < openedAt + cooldown ? "open" : "half-open",
        last_error: lastError,
        last_error_at: iso(lastErrorAt),
        last_success_at: iso(lastSuccessAt),
        calls,
        failures,
        consecutive_failures: consecutive,
        in_flight: inFlight.size,
        paused_until: t < pausedUntil ? iso(pausedUntil) : null,
        cache: {
          entries: cache.size,
          max_entries: maxEntries,
          hits,
          misses,
          hit_rate: lookups === 0 ? 0 : Math.round(hits / lookups * 10_000) / 10_000,
        },
      };
    },
  };
}
