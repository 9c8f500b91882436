import { type Cacheable, createCachedResponses } from "./cached_response.ts";
import { clientAddress, type ConnectionInfo } from "./client_address.ts";
import { type CorsPolicy, createCors } from "./cors.ts";
import { DASHBOARD_CSP, errorPage } from "./dashboard.ts";
import type { Dataset } from "./dataset.ts";
import { type HeaderList, readHeadersAtOnce, requestIdOf } from "./http.ts";
import { controlsReport, createGate, type MockControls, OPEN_GATE } from "./mock_controls.ts";
import {
  fail,
  type Failure,
  JSON_CONTENT_TYPE,
  MAX_BODY_BYTES,
  MAX_URL_LENGTH,
  problem,
  PROBLEM_CONTENT_TYPE,
} from "./problem.ts";
import { type RequestTarget, requestTarget } from "./request_target.ts";
import { createRouteRunner } from "./route_runner.ts";
import {
  MODEL_WEATHER,
  type RequestWeather,
  type UpstreamWeatherSource,
  type WeatherOrigin,
} from "./weather_scope.ts";
import { findRoute, type Outcome, type Route, routePath, type ServerStatus } from "./routes.ts";

/** Holds the dataset the handler serves; swapping `current` switches every later request at once. */
export interface DatasetSource {
  readonly current: Dataset;
  /** Why the latest reload failed while `current` kept serving; null or absent when it did not. */
  readonly lastReloadError?: string | null;
}

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** Called with any unexpected exception, before the client gets a generic 500. */
  onError?: (error: unknown, request: Request) => void;
  /** Seconds clients may reuse a 200 answer (`Cache-Control: max-age`); 0 means `no-cache`. @default 10 */
  maxAge?: number;
  /** Which browser origins may read answers. @default { kind: "off" } */
  cors?: CorsPolicy;
  /** Latency, faults and rate limits for API routes. @default {} (none) */
  controls?: MockControls;
  /** Waits `ms` milliseconds; tests inject a fake. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms, for rate-limit windows and the weather model's clock; tests inject a fake. @default Date.now */
  now?: () => number;
  /** Freezes the weather model's clock at this instant, epoch ms (`--now`). @default the real clock, `now` */
  frozenClock?: number;
  /** The only API keys OpenWeatherMap's routes accept (`--api-key`). @default any non-empty key */
  apiKeys?: readonly string[];
  /** Weather from an upstream API (`--upstream`), waited for at most `waitMs`. @default the model alone */
  upstream?: { readonly source: UpstreamWeatherSource; readonly waitMs: number };
  /**
   * Proxy addresses (canonical, as `canonicalAddress` spells them) whose `X-Real-IP` or
   * `X-Forwarded-For` names the client that `--rate-limit` counts (`--trust-proxy`).
   * @default none: the connection's peer is the client
   */
  trustProxy?: readonly string[];
}

/** The weather model's seed when the mock controls give none. */
export const DEFAULT_SEED = 0;

export type { ConnectionInfo };

/**
 * A request handler as `Deno.serve` takes it. It answers synchronously unless latency was asked
 * for, so the common path allocates no promise.
 */
export type Handler = (request: Request, info?: ConnectionInfo) => Response | Promise<Response>;

/** Methods every route answers. */
const ALLOW = "GET, HEAD, OPTIONS";
/** Methods of a route that also reads its query from a POST body. */
const ALLOW_POST = "GET, HEAD, POST, OPTIONS";

/**
 * The query of a POST body as a search string: a form (`application/x-www-form-urlencoded`, also
 * when no type is given) is one already; a JSON object's members become parameters, arrays
 * comma-joined. Undefined when the body is over {@linkcode MAX_BODY_BYTES}.
 * @throws {SyntaxError} For a JSON body that is not an object of values and arrays.
 */
async function bodySearch(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await request.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return undefined; // leaving the loop cancels the stream
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.length;
  const text = new TextDecoder().decode(bytes);
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === undefined || type === "application/x-www-form-urlencoded") {
    return text === "" ? "" : `?${text}`;
  }
  if (type !== "application/json") {
    throw new SyntaxError(`expected a form (application/x-www-form-urlencoded) or JSON, not ${type}`);
  }
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError("expected a JSON object of parameters");
  }
  const form = new URLSearchParams();
  for (const [key, member] of Object.entries(value)) {
    const items = Array.isArray(member) ? member : [member];
    if (items.some((item) => item !== null && typeof item === "object")) {
      throw new SyntaxError(`expected a value or an array of values for ${JSON.stringify(key)}`);
    }
    form.append(key, items.join(","));
  }
  return `?${form}`;
}

// A host name, IPv4 address or IP literal, then an optional port (RFC 3986, section 3.2.2).
const HOST = /^(?:\[[0-9A-Za-z:.%]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]*)(?::\d*)?$/;

/**
 * The path and query of `request`, or undefined when it has none to route by. Deno builds
 * `request.url` from the raw Host header: "a b" makes it unparseable, and "x/weather/cities?"
 * would move the path.
 */
function targetOf(request: Request): RequestTarget | undefined {
  const host = request.headers.get("host");
  if (host !== null && !HOST.test(host)) return undefined;
  try {
    return requestTarget(request.url);
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

/**
 * `outcome` with a `Last-Modified` no earlier than `at` (epoch ms), when the upstream weather it
 * was made from arrived: that weather changes within the model's slot, which dates the rest.
 */
function datedBy(outcome: Cacheable, at: number): Cacheable {
  if (at === 0 || outcome.lastModified === undefined) return outcome;
  // A cached answer comes back with the same body: date it once per body and upstream answer,
  // not per request (an answer is never changed once made, so the dated copy serves again).
  const known = dated.get(outcome.representation);
  if (known !== undefined && known.at === at && known.from === outcome.lastModified) return known.outcome;
  // HTTP dates count whole seconds.
  const result = Math.floor(at / 1000) * 1000 <= Date.parse(outcome.lastModified)
    ? outcome
    : { ...outcome, lastModified: new Date(at).toUTCString() };
  dated.set(outcome.representation, { at, from: outcome.lastModified, outcome: result });
  return result;
}
const dated = new WeakMap<object, { at: number; from: string; outcome: Cacheable }>();
const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The route of `request`, for the shape of an unexpected error's body; undefined when none is found. */
function routeOf(request: Request): Route | undefined {
  const target = targetOf(request);
  return target === undefined ? undefined : findRoute(target.pathname);
}

/** A 200 or error with a body built per request; HEAD gets its length and no body. */
function send(request: Request, body: string, headers: HeaderList, status = 200): Response {
  if (request.method !== "HEAD") return new Response(body, { status, headers });
  headers.push(["content-length", String(encoder.encode(body).length)]);
  return new Response(null, { status, headers });
}

/**
 * Creates the HTTP handler of the weather API over `source`: request → route → gate → answer →
 * headers. Pure: no I/O and no logging; an unexpected exception becomes a generic 500 and is
 * passed to `options.onError`.
 *
 * Every answer carries `X-Request-Id` and `X-Content-Type-Options: nosniff`; 200s carry a strong
 * `ETag`, `Cache-Control` and (for data) `Last-Modified`, and conditional GETs get 304.
 *
 * @example
 * ```ts
 * const handler = createHandler({ current: await loadDataset("data/weather.json") });
 * const response = await handler(new Request("http://localhost/weather/Tokyo?units=imperial"));
 * ```
 */
export function createHandler(source: DatasetSource, options: HandlerOptions = {}): Handler {
  const maxAge = options.maxAge ?? 10;
  const cors = createCors(options.cors ?? { kind: "off" }, ALLOW);
  const cached = createCachedResponses({
    cacheControl: maxAge > 0 ? `max-age=${maxAge}` : "no-cache",
    varyOrigin: cors.varyOrigin,
  });
  const controls = options.controls ?? {};
  const gate = createGate(controls, { now: options.now, allow: ALLOW });
  const sleep = options.sleep ?? timerSleep;
  const now = options.now ?? Date.now;
  const frozen = options.frozenClock;
  const seed = controls.seed ?? DEFAULT_SEED;
  const clock = frozen === undefined ? now : () => frozen;
  const apiKeys = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const live = options.upstream;
  const clientOf = clientAddress(options.trustProxy);
  const server: ServerStatus = {
    controls: controlsReport(controls),
    get upstream() {
      return live?.source.upstream.status() ?? null;
    },
    get model() {
      return { seed, clock: frozen === undefined ? "real" : "frozen", now: new Date(clock()).toISOString() };
    },
    get lastReloadError() {
      return source.lastReloadError ?? null;
    },
  };

  const run = createRouteRunner({
    data: () => source.current,
    server,
    clock,
    seed,
    apiKeys,
    upstream: live,
  });

  function failure(request: Request, headers: HeaderList, failed: Failure, route?: Route): Response {
    const body = problem(failed.code, failed.detail, failed.extensions);
    headers.push(["x-content-type-options", "nosniff"], ["cache-control", "no-store"]);
    if (cors.varyOrigin) headers.push(["vary", "Origin"]);
    if (route?.errorBody) {
      const own = route.errorBody(failed);
      headers.push(["content-type", JSON_CONTENT_TYPE]);
      return send(request, own.body, headers, own.status);
    }
    if (route?.htmlErrors?.(request)) {
      headers.push(["content-type", "text/html; charset=utf-8"], ["content-security-policy", DASHBOARD_CSP]);
      const page = errorPage(body.status, body.title, body.detail, route.errorLinks?.(failed));
      return send(request, page, headers, body.status);
    }
    headers.push(["content-type", PROBLEM_CONTENT_TYPE]);
    return send(request, JSON.stringify(body), headers, body.status);
  }

  /** The generic 500 of an unexpected exception, which goes to `options.onError`. */
  function internalError(request: Request, headers: HeaderList, error: unknown, route?: Route): Response {
    options.onError?.(error, request);
    const safe = headers.filter(([name]) => name === "x-request-id");
    return failure(request, safe, fail("internal_error", "The server failed to answer this request"), route);
  }

  function answer(request: Request, route: Route, outcome: Outcome, headers: HeaderList): Response {
    switch (outcome.kind) {
      case "representation":
        return cached(request, outcome, headers);
      case "live":
        headers.push(["x-content-type-options", "nosniff"], ["content-type", JSON_CONTENT_TYPE], [
          "cache-control",
          "no-store",
        ]);
        return send(request, JSON.stringify(outcome.value), headers);
      case "problem":
        return failure(request, headers, outcome, route);
    }
  }

  /** The header telling where the answer's weather came from, once a route asked for some; an error has none. */
  function origin(weather: WeatherOrigin | undefined, outcome: Outcome, headers: HeaderList): void {
    if (weather !== undefined && outcome.kind !== "problem") headers.push(["x-weather-source", weather]);
  }

  function respond(request: Request, info: ConnectionInfo | undefined, headers: HeaderList) {
    if (request.url.length > MAX_URL_LENGTH) {
      return failure(
        request,
        headers,
        fail("uri_too_long", `The URL is longer than ${MAX_URL_LENGTH} characters`),
      );
    }
    const target = targetOf(request);
    if (target === undefined) {
      const host = JSON.stringify(request.headers.get("host") ?? "");
      return failure(
        request,
        headers,
        fail("bad_request", `Invalid Host header ${host}: expected a host and an optional port`),
      );
    }
    const route = findRoute(target.pathname);
    if (route === undefined) {
      return failure(
        request,
        headers,
        fail("not_found", `No route for path ${JSON.stringify(target.pathname)}`),
      );
    }
    const pathname = routePath(target.pathname);
    const allow = route.post ? ALLOW_POST : ALLOW;
    if (request.method === "OPTIONS") return cors.options(request, headers, allow);
    const post = request.method === "POST" && route.post === true;
    if (request.method !== "GET" && request.method !== "HEAD" && !post) {
      headers.push(["allow", allow]);
      const detail = `Method ${request.method} is not allowed on ${pathname}: use ${allow}`;
      return failure(request, headers, fail("method_not_allowed", detail), route);
    }
    const { delay, forced } = route.api ? gate(request, () => clientOf(request, info), headers) : OPEN_GATE;
    if (post && forced === undefined) return answerPost(request, route, pathname, headers, delay);
    if (forced !== undefined || live === undefined) {
      // Only upstream weather is waited for: the model's routes answer at once.
      const outcome = forced ?? run(route, request, pathname, target.search) as Outcome;
      const response = answer(request, route, outcome, headers);
      return delay > 0 ? sleep(delay).then(() => response) : response;
    }
    const weather = live.source.scope();
    const ran = run(route, request, pathname, target.search, weather);
    if (!(ran instanceof Promise) && delay === 0) {
      origin(weather.origin, ran, headers);
      const dated = ran.kind === "representation" ? datedBy(ran, weather.newest) : ran;
      return answer(request, route, dated, headers);
    }
    return answerLive(request, route, ran, weather, headers, delay);
  }

  /** An answer with upstream weather after waiting for the upstream, or for the gate's delay. */
  async function answerLive(
    request: Request,
    route: Route,
    ran: Outcome | Promise<Outcome>,
    weather: RequestWeather,
    headers: HeaderList,
    delay: number,
  ) {
    try {
      const outcome = ran instanceof Promise ? await ran : ran;
      if (delay > 0) await sleep(delay);
      origin(weather.origin, outcome, headers);
      const dated = outcome.kind === "representation" ? datedBy(outcome, weather.newest) : outcome;
      return answer(request, route, dated, headers);
    } catch (error) {
      return internalError(request, headers, error, route);
    }
  }

  /** A POST: the route's answer to the query in the body, after the gate's delay. */
  async function answerPost(
    request: Request,
    route: Route,
    pathname: string,
    headers: HeaderList,
    delay: number,
  ) {
    let search;
    try {
      search = await bodySearch(request);
    } catch (error) {
      const detail = `Cannot read the request body: ${(error as Error).message}`;
      return failure(request, headers, fail("bad_request", detail), route);
    }
    if (search === undefined) {
      const detail = `The request body is over ${MAX_BODY_BYTES / 1024} KB`;
      return failure(request, headers, fail("body_too_large", detail), route);
    }
    if (delay > 0) await sleep(delay);
    try {
      const weather = live === undefined ? MODEL_WEATHER : live.source.scope();
      const outcome = await run(route, request, pathname, search, weather);
      if ("origin" in weather) origin((weather as RequestWeather).origin, outcome, headers);
      if (outcome.kind !== "representation") return answer(request, route, outcome, headers);
      // A POST is never conditional (RFC 9110, 13.1.2) and its answer is not for caches.
      headers.push(
        ["x-content-type-options", "nosniff"],
        ["content-type", outcome.contentType ?? JSON_CONTENT_TYPE],
        ["cache-control", "no-store"],
      );
      return new Response(outcome.representation.body, { status: 200, headers });
    } catch (error) {
      return internalError(request, headers, error, route);
    }
  }

  return (request, info) => {
    const headers: HeaderList = [];
    try {
      readHeadersAtOnce(request);
      headers.push(["x-request-id", requestIdOf(request)]);
      cors.allow(request, headers);
      return respond(request, info, headers);
    } catch (error) {
      return internalError(request, headers, error, routeOf(request));
    }
  };
}
