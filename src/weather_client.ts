import type { z } from "zod";
import {
  CityListSchema,
  type CityWeather,
  CityWeatherSchema,
  type Forecast,
  ForecastSchema,
  type Health,
  HealthSchema,
  ProblemSchema,
} from "./schema.ts";

import type { UnitSystem } from "./units.ts";

export type { CityWeather, Forecast, Health } from "./schema.ts";
export type { UnitSystem } from "./units.ts";

/** The API answered with an error status; `code` and `suggestions` come from its problem body. */
export class WeatherApiError extends Error {
  override name = "WeatherApiError";
  /** HTTP status of the answer. */
  readonly status: number;
  /** The API's machine-readable error code, or `http_<status>` if the body had none. */
  readonly code: string;
  /** "Did you mean" city names, for an unknown city. */
  readonly suggestions: readonly string[];
  /** The parsed error body, if it was JSON. */
  readonly body: unknown;
  /** What the answer's `Retry-After` asked for, in milliseconds, if anything. */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    message: string,
    code: string,
    suggestions: readonly string[],
    body: unknown,
    retryAfterMs?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.suggestions = suggestions;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }

  /** True for answers worth retrying: 429 and 5xx. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The server could not be reached, or did not answer in time. */
export class WeatherConnectionError extends Error {
  override name = "WeatherConnectionError";
  /** The URL that was requested. */
  readonly url: string;
  /** True when the request was abandoned after the timeout. */
  readonly timedOut: boolean;

  constructor(message: string, url: string, timedOut: boolean, cause: unknown) {
    super(message, { cause });
    this.url = url;
    this.timedOut = timedOut;
  }
}

/** A retry about to happen, as {@linkcode WeatherClientOptions.onRetry} hears of it. */
export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How many attempts there will be at most. */
  attempts: number;
  /** Milliseconds until the next attempt. */
  delayMs: number;
  /** What went wrong. */
  error: WeatherApiError | WeatherConnectionError;
}

/** Options of {@linkcode WeatherClient}. */
export interface WeatherClientOptions {
  /** Server address; default `http://127.0.0.1:5000`. */
  baseUrl?: string | URL;
  /** Milliseconds to wait for each attempt's answer; default 5000. */
  timeout?: number;
  /** The fetch to use; tests inject one that calls a handler directly. */
  fetch?: (input: Request) => Promise<Response>;
  /**
   * Retries after a connection error, a timeout, 429 or 5xx (never another 4xx); default 2.
   * Waits grow exponentially from `backoffMs` with jitter, and at least as long as `Retry-After`.
   */
  retries?: number;
  /** First retry's base wait in ms, doubled each time, capped at `maxBackoffMs`; default 250. */
  backoffMs?: number;
  /** Longest wait between attempts in ms, `Retry-After` included; default 10000. */
  maxBackoffMs?: number;
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Waits `ms` milliseconds; tests inject a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for jitter; tests inject a fixed one. */
  random?: () => number;
}

/** What {@linkcode WeatherClient.forecast} asks for; each is sent only when given. */
export interface ForecastOptions {
  /** Days from today (local), today included, 1 to 16. @default the server's, 7 */
  days?: number;
  /** Hours from the current hour, 0 to 384. @default the server's, 48 */
  hours?: number;
  /** Days of the past before today, 0 to 92, for both hours and days. @default the server's, 0 */
  pastDays?: number;
  /** Units of the values. @default the server's, metric */
  units?: UnitSystem;
}

/**
 * A typed client for the weather API. Its weather, city list and health calls use only the
 * original routes (`/weather/cities`, `/get_weather`) plus `/healthz`, so they work with any
 * server that implements them; forecasts need this project's `/weather/{city}/forecast`.
 *
 * @example
 * ```ts
 * const client = new WeatherClient({ baseUrl: "http://127.0.0.1:5000" });
 * const tokyo = await client.weather("Tokyo");
 * console.log(tokyo.current.temperature, tokyo.units.temperature);
 * ```
 */
export class WeatherClient {
  readonly #base: URL;
  readonly #timeout: number;
  readonly #fetch: (input: Request) => Promise<Response>;
  readonly #options: WeatherClientOptions;

  constructor(options: WeatherClientOptions = {}) {
    this.#base = new URL(options.baseUrl ?? "http://127.0.0.1:5000");
    this.#timeout = options.timeout ?? 5000;
    this.#fetch = options.fetch ?? ((request) => fetch(request));
    this.#options = options;
  }

  /** The URL of `path` (with `query`) on this client's server. */
  url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(
      path.replace(/^\//, ""),
      this.#base.href.endsWith("/") ? this.#base : `${this.#base.href}/`,
    );
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  /**
   * GETs `url` and returns its JSON body, retrying transient failures as the options say. Throws
   * {@linkcode WeatherApiError} for an error status, {@linkcode WeatherConnectionError} when the
   * server cannot be reached in time, `Deno.errors.NotCapable` (never retried) when this process
   * may not connect to it, and `SyntaxError` when a success body is not JSON.
   */
  async getJson(url: URL): Promise<unknown> {
    const { retries = 2, backoffMs = 250, maxBackoffMs = 10_000, onRetry } = this.#options;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    const random = this.#options.random ?? Math.random;
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#getOnce(url);
      } catch (error) {
        const transient = error instanceof WeatherConnectionError ||
          (error instanceof WeatherApiError && error.transient);
        if (!transient || attempt > retries) throw error;
        // Exponential backoff with "equal jitter": half fixed, half random, so retries spread out.
        const backoff = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
        const jittered = backoff / 2 + random() * backoff / 2;
        const asked = error instanceof WeatherApiError ? error.retryAfterMs ?? 0 : 0;
        const delayMs = Math.round(Math.min(maxBackoffMs, Math.max(jittered, asked)));
        onRetry?.({ attempt, attempts: retries + 1, delayMs, error });
        await sleep(delayMs);
      }
    }
  }

  async #getOnce(url: URL): Promise<unknown> {
    const signal = AbortSignal.timeout(this.#timeout);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(new Request(url, { headers: { accept: "application/json" }, signal }));
      text = await response.text();
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        // Not the server's doing, and no retry can help.
        throw new Deno.errors.NotCapable(
          `Cannot connect to the weather server at ${url.origin}: permission denied ` +
            `(grant it with --allow-net=${url.host}, as deno task client does with --allow-net)`,
          { cause: error },
        );
      }
      const timedOut = signal.aborted;
      const reason = timedOut ? `no answer within ${this.#timeout} ms` : connectionReason(error);
      throw new WeatherConnectionError(
        `Cannot reach the weather server at ${url.origin}: ${reason}`,
        url.href,
        timedOut,
        error,
      );
    }
    let body: unknown = undefined;
    try {
      body = JSON.parse(text);
    } catch {
      if (response.ok) {
        throw new SyntaxError(`The server answered ${url.pathname} with text that is not JSON`);
      }
    }
    if (!response.ok) throw apiError(response, body, text);
    return body;
  }

  /** Names of the cities the server knows, in its order. */
  async cities(): Promise<string[]> {
    return expect(CityListSchema, await this.getJson(this.url("/weather/cities")), "/weather/cities").cities;
  }

  /**
   * The weather body for `city` exactly as the server sent it, without checking its shape.
   * `units` is sent only when given, so servers that know no units are not confused.
   */
  weatherData(city: string, options: { units?: UnitSystem } = {}): Promise<unknown> {
    const query: Record<string, string> = { city };
    if (options.units !== undefined) query.units = options.units;
    return this.getJson(this.url("/get_weather", query));
  }

  /** The weather of `city` (in `options.units`, default metric), checked against the API's schema. */
  async weather(city: string, options: { units?: UnitSystem } = {}): Promise<CityWeather> {
    return expect(CityWeatherSchema, await this.weatherData(city, options), "/get_weather");
  }

  /**
   * The forecast body for `city` exactly as the server sent it, without checking its shape, for
   * printing it as it came. Only the options given are sent, so the server's defaults apply.
   */
  forecastData(city: string, options: ForecastOptions = {}): Promise<unknown> {
    const query: Record<string, string> = {};
    if (options.days !== undefined) query.days = String(options.days);
    if (options.hours !== undefined) query.hours = String(options.hours);
    if (options.pastDays !== undefined) query.past_days = String(options.pastDays);
    if (options.units !== undefined) query.units = options.units;
    return this.getJson(this.url(`/weather/${encodeURIComponent(city)}/forecast`, query));
  }

  /**
   * The forecast of `city`: current conditions, hours and days, checked against the API's schema.
   *
   * @example
   * ```ts
   * const client = new WeatherClient({ baseUrl: "http://127.0.0.1:5000" });
   * const { daily, units } = await client.forecast("Tokyo", { days: 3, hours: 0 });
   * console.log(daily[0]?.temperature_max, units.temperature_max);
   * ```
   */
  async forecast(city: string, options: ForecastOptions = {}): Promise<Forecast> {
    return expect(ForecastSchema, await this.forecastData(city, options), "/weather/{city}/forecast");
  }

  /** The server's health report. */
  async health(): Promise<Health> {
    return expect(HealthSchema, await this.getJson(this.url("/healthz")), "/healthz");
  }
}

/** The most specific cause of a failed fetch, without the URL and OS error number it repeats. */
export function connectionReason(error: unknown): string {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  return message.replace(/^error sending request for url \([^)]*\): /, "").replace(/^.*: (?=[^:]+$)/, "")
    .replace(/ \(os error \d+\)$/, "").replace(/^\w/, (c) => c.toLowerCase());
}

/** A `Retry-After` value (delay seconds or an HTTP date) in milliseconds from now. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function apiError(response: Response, body: unknown, text: string): WeatherApiError {
  const { status } = response;
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  const problem = ProblemSchema.safeParse(body);
  if (problem.success) {
    const { detail, code, suggestions = [] } = problem.data;
    return new WeatherApiError(status, detail, code, suggestions, body, retryAfter);
  }
  // A server that is not ours: keep whatever message it gave.
  const message =
    typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
      ? (body as { error: string }).error
      : text.trim().slice(0, 200) || `HTTP ${status}`;
  return new WeatherApiError(status, message, `http_${status}`, [], body, retryAfter);
}

function expect<T>(schema: z.ZodType<T>, body: unknown, path: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new TypeError(
      `Unexpected answer from ${path}: ${issue.path.join(".") || "(root)"}: ${
        issue.message.replace(/^Invalid input: /, "")
      }`,
    );
  }
  return result.data;
}
