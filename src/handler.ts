import { type Answers, createAnswers } from "./answers.ts";
import { createCachedResponses } from "./cached_response.ts";
import { clientAddress, type ConnectionInfo } from "./client_address.ts";
import { type Cors, type CorsPolicy, createCors } from "./cors.ts";
import type { Dataset } from "./dataset.ts";
import { type HeaderList, readHeadersAtOnce, requestIdOf } from "./http.ts";
import { controlsReport, createGate, type MockControls, OPEN_GATE } from "./mock_controls.ts";
import { bodySearch } from "./post_body.ts";
import { fail, MAX_BODY_BYTES, MAX_URL_LENGTH } from "./problem.ts";
import { targetOfRequest } from "./request_target.ts";
import { createRouteRunner } from "./route_runner.ts";
import { createUrlMemo } from "./url_memo.ts";
import { MODEL_WEATHER, type RequestWeather, type UpstreamWeatherSource } from "./weather_scope.ts";
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

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a request asks of which route, once its URL, Host, path and method have passed. */
interface Routed {
  readonly route: Route;
  /** The path as the route reads it. */
  readonly pathname: string;
  readonly search: string;
  /** A POST to a route that reads its query from the body. */
  readonly post: boolean;
}

/**
 * The route `request` asks for, or the answer when there is none to run: a 414, a 400 for a bad
 * Host, a 404, the 204 to `OPTIONS`, or a 405 with `Allow`.
 */
function routeRequest(
  request: Request,
  headers: HeaderList,
  answers: Answers,
  cors: Cors,
): Routed | Response {
  if (request.url.length > MAX_URL_LENGTH) {
    const detail = `The URL is longer than ${MAX_URL_LENGTH} characters`;
    return answers.failure(request, headers, fail("uri_too_long", detail));
  }
  const target = targetOfRequest(request);
  if (target === undefined) {
    const host = JSON.stringify(request.headers.get("host") ?? "");
    const detail = `Invalid Host header ${host}: expected a host and an optional port`;
    return answers.failure(request, headers, fail("bad_request", detail));
  }
  const route = findRoute(target.pathname);
  if (route === undefined) {
    const detail = `No route for path ${JSON.stringify(target.pathname)}`;
    return answers.failure(request, headers, fail("not_found", detail));
  }
  const pathname = routePath(target.pathname);
  const allow = route.post ? ALLOW_POST : ALLOW;
  if (request.method === "OPTIONS") return cors.options(request, headers, allow);
  const post = request.method === "POST" && route.post === true;
  if (request.method !== "GET" && request.method !== "HEAD" && !post) {
    headers.push(["allow", allow]);
    const detail = `Method ${request.method} is not allowed on ${pathname}: use ${allow}`;
    return answers.failure(request, headers, fail("method_not_allowed", detail), route);
  }
  return { route, pathname, search: target.search, post };
}

/** The route of `request`, for the shape of an unexpected error's body; undefined when none is found. */
function routeOf(request: Request): Route | undefined {
  const target = targetOfRequest(request);
  return target === undefined ? undefined : findRoute(target.pathname);
}

/** What `/healthz` reports of the handler's configuration, read when asked. */
function serverStatus(
  source: DatasetSource,
  controls: MockControls,
  seed: number,
  frozen: boolean,
  clock: () => number,
  live: HandlerOptions["upstream"],
): ServerStatus {
  return {
    controls: controlsReport(controls),
    get upstream() {
      return live?.source.upstream.status() ?? null;
    },
    get model() {
      return { seed, clock: frozen ? "frozen" : "real", now: new Date(clock()).toISOString() };
    },
    get lastReloadError() {
      return source.lastReloadError ?? null;
    },
  };
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
  const answers = createAnswers({ cors, cached, onError: options.onError });
  const { answer, failure, internalError } = answers;
  const controls = options.controls ?? {};
  const gate = createGate(controls, { now: options.now, allow: ALLOW });
  const sleep = options.sleep ?? timerSleep;
  const frozen = options.frozenClock;
  const seed = controls.seed ?? DEFAULT_SEED;
  const clock = frozen === undefined ? options.now ?? Date.now : () => frozen;
  const live = options.upstream;
  const clientOf = clientAddress(options.trustProxy);
  const run = createRouteRunner({
    data: () => source.current,
    server: serverStatus(source, controls, seed, frozen !== undefined, clock, live),
    clock,
    seed,
    apiKeys: options.apiKeys === undefined ? undefined : new Set(options.apiKeys),
    upstream: live,
  });

  // Answers by URL, where nothing but the URL and the data decides them: no upstream weather and
  // no server-wide mock controls (which act per request).
  const memo = live === undefined && controls.delay === undefined && controls.failRate === undefined &&
      controls.rateLimit === undefined
    ? createUrlMemo()
    : undefined;

  function respond(request: Request, info: ConnectionInfo | undefined, headers: HeaderList) {
    const kept = memo?.find(request, source.current);
    if (kept !== undefined) return answer(request, kept.route, kept.outcome, headers);
    const routed = routeRequest(request, headers, answers, cors);
    if (routed instanceof Response) return routed;
    const { route, pathname, search, post } = routed;
    const { delay, forced } = route.api ? gate(request, () => clientOf(request, info), headers) : OPEN_GATE;
    if (post && forced === undefined) return answerPost(request, route, pathname, headers, delay);
    if (forced !== undefined || live === undefined) {
      // Only upstream weather is waited for: the model's routes answer at once.
      let outcome: Outcome | undefined = forced;
      if (outcome === undefined) {
        outcome = run(route, request, pathname, search) as Outcome;
        memo?.keep(request, route, outcome, source.current);
      }
      const response = answer(request, route, outcome, headers);
      return delay > 0 ? sleep(delay).then(() => response) : response;
    }
    const weather = live.source.scope();
    const ran = run(route, request, pathname, search, weather);
    if (!(ran instanceof Promise) && delay === 0) return answer(request, route, ran, headers, weather);
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
      const outcome = await ran;
      if (delay > 0) await sleep(delay);
      return answer(request, route, outcome, headers, weather);
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
      const weather = live?.source.scope();
      const outcome = await run(route, request, pathname, search, weather ?? MODEL_WEATHER);
      return answers.post(request, route, outcome, headers, weather);
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
