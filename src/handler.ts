import { DASHBOARD_CSP, dashboardPage, ENDPOINT_INDEX, isPageUnits, PAGE_UNITS } from "./dashboard.ts";
import type { Dataset } from "./dataset.ts";
import {
  allowedOrigin,
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE,
  type CorsPolicy,
  ifNoneMatch,
  jsonRepresentation,
  notModifiedSince,
  preferredEncoding,
  readHeadersAtOnce,
  type Representation,
  requestIdOf,
} from "./http.ts";
import { compressBody } from "./compression.ts";
import { preferredMediaType } from "./negotiate.ts";
import { MAX_CITY_LENGTH, openApiDocument } from "./openapi.ts";
import {
  controlsReport,
  type MockControls,
  parsePrefer,
  RateLimiter,
  type RateLimitState,
  seededRandom,
} from "./mock_controls.ts";
import {
  CODE_FOR_STATUS,
  JSON_CONTENT_TYPE,
  problem,
  PROBLEM_CONTENT_TYPE,
  type ProblemCode,
  statusTitle,
} from "./problem.ts";
import { type RequestTarget, requestTarget, searchValues } from "./request_target.ts";
import { isUnitSystem, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";
import { VERSION } from "./version.ts";

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
  /** Seconds clients may reuse a 200 answer (`Cache-Control: max-age`); 0 means `no-cache`. Default 10. */
  maxAge?: number;
  /** Which browser origins may read answers; default none. */
  cors?: CorsPolicy;
  /** Latency, faults and rate limits for API routes; default none. */
  controls?: MockControls;
  /** Waits `ms` milliseconds; tests inject a fake. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms, for rate-limit windows; tests inject a fake. Default `Date.now`. */
  now?: () => number;
}

/** What `Deno.serve` tells a handler about the connection; only the peer's address is used. */
export interface ConnectionInfo {
  remoteAddr: { hostname: string } | Deno.Addr;
}

/**
 * A request handler as `Deno.serve` takes it. It answers synchronously unless latency was asked
 * for, so the common path allocates no promise.
 */
export type Handler = (request: Request, info?: ConnectionInfo) => Response | Promise<Response>;

/** Longest request URL served; longer ones get 414 before any parsing work. */
export const MAX_URL_LENGTH = 4096;

const encoder = new TextEncoder();

type Variant = "ok" | "head" | "notModified" | "ok:br" | "ok:gzip";

const NOSNIFF: [string, string] = ["x-content-type-options", "nosniff"];

/** Methods every route answers. */
const ALLOW = "GET, HEAD, OPTIONS";

type Headers = [string, string][];

/** What a GET route produced: a cacheable representation, a live JSON value, or an error. */
type Outcome =
  | {
    kind: "representation";
    representation: Representation;
    lastModified?: string;
    /** Defaults: JSON, the configured max-age, `Accept-Encoding`. */
    contentType?: string;
    cacheControl?: string;
    vary?: string;
    headers?: Headers;
  }
  | { kind: "live"; value: unknown }
  | { kind: "problem"; code: ProblemCode; detail: string; extensions?: Record<string, unknown> };

const fail = (code: ProblemCode, detail: string, extensions?: Record<string, unknown>): Outcome => ({
  kind: "problem",
  code,
  detail,
  extensions,
});

/** What a route reads: the data, the URL, the units asked for, and the server's own state. */
interface RouteContext {
  data: Dataset;
  target: RequestTarget;
  units: UnitSystem;
  request: Request;
  controls: Record<string, unknown>;
  lastReloadError: string | null;
}

type Route = (context: RouteContext) => Outcome;

/** A route, and whether it is an API route that mock controls and `Prefer` apply to. */
interface RouteEntry {
  route: Route;
  api: boolean;
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

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function unitsOf(target: RequestTarget): UnitSystem | Outcome {
  const values = searchValues(target.search, "units");
  if (values.length === 0) return "metric";
  const [value] = values;
  if (values.length > 1) return fail("bad_request", 'Give one "units" parameter, not several');
  if (isUnitSystem(value!)) return value;
  return fail(
    "bad_units",
    `Unknown units ${JSON.stringify(value)}: expected ${UNIT_SYSTEMS.map((u) => `"${u}"`).join(", ")}`,
    { allowed: UNIT_SYSTEMS },
  );
}

function cityWeather(data: Dataset, city: string, units: UnitSystem): Outcome {
  if (city.length > MAX_CITY_LENGTH) {
    return fail(
      "city_too_long",
      `City name is ${city.length} characters long: the limit is ${MAX_CITY_LENGTH}`,
    );
  }
  if (city.trim() === "") return fail("missing_city", 'Give a city name, as in "/get_weather?city=Tokyo"');
  const index = data.index.find(city);
  if (index !== undefined) {
    return {
      kind: "representation",
      representation: data.cityWeather(index, units),
      lastModified: data.lastModified,
    };
  }
  const suggestions = data.index.suggest(city);
  const hint = suggestions.length > 0 ? `: did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
  return fail("city_not_found", `Cannot find city ${JSON.stringify(city)}${hint}`, { city, suggestions });
}

const openApi = jsonRepresentation(openApiDocument(VERSION));

/** `GET /`: the dashboard for browsers, the endpoint index for API clients (`Vary: Accept`). */
const frontPage: Route = ({ data, units, request }) => {
  const wanted = preferredMediaType(request.headers.get("accept"), ["application/json", "text/html"]);
  if (wanted !== "text/html") {
    return { kind: "representation", representation: ENDPOINT_INDEX, vary: "Accept, Accept-Encoding" };
  }
  if (!isPageUnits(units)) {
    return fail(
      "bad_units",
      `The page shows ${PAGE_UNITS.map((u) => `"${u}"`).join(" or ")} units, not "${units}"`,
      {
        allowed: PAGE_UNITS,
      },
    );
  }
  return {
    kind: "representation",
    representation: dashboardPage(data, units),
    lastModified: data.lastModified,
    contentType: "text/html; charset=utf-8",
    // Always revalidate, so a refresh after a data reload shows the new data at once.
    cacheControl: "no-cache",
    vary: "Accept, Accept-Encoding",
    headers: [["content-security-policy", DASHBOARD_CSP]],
  };
};

const ROUTES = new Map<string, RouteEntry>([
  ["/", { api: false, route: frontPage }],
  ["/weather/cities", {
    api: true,
    route: ({ data }) => ({
      kind: "representation",
      representation: data.cityList,
      lastModified: data.lastModified,
    }),
  }],
  ["/get_weather", {
    api: true,
    route: ({ data, target, units }) => {
      const values = searchValues(target.search, "city");
      if (values.length > 1) return fail("bad_request", 'Give one "city" parameter, not several');
      return cityWeather(data, values[0] ?? "", units);
    },
  }],
  ["/healthz", {
    api: false,
    route: ({ data, controls, lastReloadError }) => ({
      kind: "live",
      value: {
        status: "ok",
        cities: data.cities.length,
        version: data.version,
        loaded_at: data.loadedAt.toISOString(),
        source: data.fileName,
        last_reload_error: lastReloadError,
        controls,
      },
    }),
  }],
  ["/openapi.json", { api: false, route: () => ({ kind: "representation", representation: openApi }) }],
]);

const cityRoute: RouteEntry = {
  api: true,
  route: ({ data, target, units }) => {
    const city = decodeSegment(target.pathname.slice("/weather/".length));
    if (city === undefined) {
      return fail("bad_request", `Cannot decode the city in path ${JSON.stringify(target.pathname)}`);
    }
    return cityWeather(data, city, units);
  },
};

function findRoute(pathname: string): RouteEntry | undefined {
  const entry = ROUTES.get(pathname);
  if (entry) return entry;
  if (pathname.startsWith("/weather/") && pathname.length > 9 && pathname.indexOf("/", 9) === -1) {
    return cityRoute;
  }
  return undefined;
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the HTTP handler of the weather API over `source`. Pure: no I/O and no logging; an
 * unexpected exception becomes a generic 500 and is passed to `options.onError`.
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
  const cacheControl = maxAge > 0 ? `max-age=${maxAge}` : "no-cache";
  const cors = options.cors ?? { kind: "off" };
  // With a list of origins the answer depends on the Origin header, and caches must know it.
  const varyOrigin = cors.kind === "list";
  // Per handler, as the headers depend on its options; weak, so old datasets' bodies can go.
  const templates = new WeakMap<Representation, Partial<Record<Variant, Response | null>>>();
  const controls = options.controls ?? {};
  const report = controlsReport(controls);
  const sleep = options.sleep ?? timerSleep;
  // Separate streams, so that switching on --delay does not change the --fail-rate sequence.
  const seed = controls.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
  const failDraw = seededRandom(seed);
  const delayDraw = seededRandom(seed ^ 0x9e3779b9);
  const limiter = controls.rateLimit
    ? new RateLimiter(controls.rateLimit.limit, controls.rateLimit.windowMs, options.now)
    : undefined;

  /** The headers that differ per request: the request id and, when allowed, CORS. */
  function requestHeaders(request: Request, requestId: string): Headers {
    const headers: Headers = [["x-request-id", requestId]];
    if (cors.kind === "off") return headers;
    const origin = allowedOrigin(cors, request.headers.get("origin"));
    if (origin !== undefined) {
      headers.push(["access-control-allow-origin", origin], [
        "access-control-expose-headers",
        CORS_EXPOSE_HEADERS,
      ]);
    }
    return headers;
  }

  function problemResponse(
    request: Request,
    headers: Headers,
    code: ProblemCode,
    detail: string,
    extensions?: Record<string, unknown>,
  ): Response {
    const body = problem(code, detail, extensions);
    headers.push(NOSNIFF, ["content-type", PROBLEM_CONTENT_TYPE], ["cache-control", "no-store"]);
    if (varyOrigin) headers.push(["vary", "Origin"]);
    return send(request, JSON.stringify(body), headers, body.status);
  }

  function send(
    request: Request,
    body: string | Uint8Array<ArrayBuffer>,
    headers: Headers,
    status = 200,
  ): Response {
    if (request.method !== "HEAD") return new Response(body, { status, headers });
    const length = typeof body === "string" ? encoder.encode(body).length : body.length;
    headers.push(["content-length", String(length)]);
    return new Response(null, { status, headers });
  }

  function answerOptions(request: Request, headers: Headers): Response {
    headers.push(NOSNIFF, ["allow", ALLOW]);
    const preflight = request.headers.has("access-control-request-method");
    if (preflight && headers.some(([name]) => name === "access-control-allow-origin")) {
      headers.push(
        ["access-control-allow-methods", ALLOW],
        ["access-control-allow-headers", CORS_ALLOW_HEADERS],
        ["access-control-max-age", CORS_MAX_AGE],
      );
    }
    if (preflight && cors.kind !== "off") {
      headers.push(["vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]);
    }
    return new Response(null, { status: 204, headers });
  }

  /** Decides the mock-control outcome of an API request: its latency and, maybe, a forced error. */
  function control(request: Request, info: ConnectionInfo | undefined, headers: Headers) {
    const prefer = parsePrefer(request.headers.get("prefer"));
    let delay = prefer.delay ?? 0;
    if (controls.delay) delay += controls.delay.min + delayDraw() * (controls.delay.max - controls.delay.min);
    let forced: Outcome | undefined;
    let limit: RateLimitState | undefined;
    if (limiter) {
      const address = info?.remoteAddr && "hostname" in info.remoteAddr
        ? info.remoteAddr.hostname
        : "unknown";
      limit = limiter.hit(address);
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
        `Too many requests: the limit is ${limit.limit} per ${
          controls.rateLimit!.windowMs / 1000
        } s per client`,
      );
    } else if (prefer.code !== undefined) {
      const code = CODE_FOR_STATUS.get(prefer.code)!;
      if (prefer.code === 429 || prefer.code === 503) headers.push(["retry-after", "1"]);
      if (prefer.code === 405) headers.push(["allow", ALLOW]);
      forced = fail(
        code,
        `Simulated ${prefer.code} ${statusTitle(prefer.code)}, asked for by "Prefer: code=${prefer.code}"`,
        {
          simulated: true,
        },
      );
    } else if (controls.failRate !== undefined && failDraw() < controls.failRate) {
      headers.push(["retry-after", "1"]);
      forced = fail("service_unavailable", "Simulated outage: the server runs with --fail-rate", {
        simulated: true,
      });
    }
    if (prefer.applied.length > 0) headers.push(["preference-applied", prefer.applied.join(", ")]);
    return { delay: Math.round(delay), forced };
  }

  function answer(
    request: Request,
    info: ConnectionInfo | undefined,
    headers: Headers,
  ): Response | Promise<Response> {
    if (request.url.length > MAX_URL_LENGTH) {
      return problemResponse(
        request,
        headers,
        "uri_too_long",
        `The URL is longer than ${MAX_URL_LENGTH} characters`,
      );
    }
    const target = targetOf(request);
    if (target === undefined) {
      const host = JSON.stringify(request.headers.get("host") ?? "");
      return problemResponse(
        request,
        headers,
        "bad_request",
        `Invalid Host header ${host}: expected a host and an optional port`,
      );
    }
    const entry = findRoute(target.pathname);
    if (entry === undefined) {
      return problemResponse(
        request,
        headers,
        "not_found",
        `No route for path ${JSON.stringify(target.pathname)}`,
      );
    }
    if (request.method === "OPTIONS") return answerOptions(request, headers);
    if (request.method !== "GET" && request.method !== "HEAD") {
      headers.push(["allow", ALLOW]);
      return problemResponse(
        request,
        headers,
        "method_not_allowed",
        `Method ${request.method} is not allowed on ${target.pathname}: use ${ALLOW}`,
      );
    }
    const { delay, forced } = entry.api ? control(request, info, headers) : { delay: 0, forced: undefined };
    const response = respond(request, headers, forced ?? route(entry, target, request));
    return delay > 0 ? sleep(delay).then(() => response) : response;
  }

  function route(entry: RouteEntry, target: RequestTarget, request: Request): Outcome {
    const units = unitsOf(target);
    if (typeof units !== "string") return units;
    return entry.route({
      data: source.current,
      target,
      units,
      request,
      controls: report,
      lastReloadError: source.lastReloadError ?? null,
    });
  }

  function respond(request: Request, headers: Headers, outcome: Outcome): Response {
    switch (outcome.kind) {
      case "problem":
        return problemResponse(request, headers, outcome.code, outcome.detail, outcome.extensions);
      case "live":
        headers.push(NOSNIFF, ["content-type", JSON_CONTENT_TYPE], ["cache-control", "no-store"]);
        return send(request, JSON.stringify(outcome.value), headers);
      case "representation": {
        const { representation, lastModified } = outcome;
        const inm = request.headers.get("if-none-match");
        const ims = lastModified === undefined || inm !== null
          ? null
          : request.headers.get("if-modified-since");
        let variant: Variant =
          (inm !== null
              ? ifNoneMatch(inm, representation.etag)
              : ims !== null && notModifiedSince(ims, new Date(lastModified!)))
            ? "notModified"
            : request.method === "HEAD"
            ? "head"
            : "ok";
        let variants = templates.get(representation);
        if (variants === undefined) templates.set(representation, variants = {});
        if (variant === "ok") {
          // Bodies are compressed once per representation and coding, never per request; null
          // marks a body that compression would not shrink.
          const encoding = preferredEncoding(request.headers.get("accept-encoding"));
          if (
            encoding !== undefined &&
            (variants[`ok:${encoding}`] ??= buildTemplate(outcome, `ok:${encoding}`))
          ) {
            variant = `ok:${encoding}`;
          }
        }
        const template = (variants[variant] ??= buildTemplate(outcome, variant))!;
        // Cloning shares the body and copies the already-validated header list, which is far
        // cheaper than building a Response: only the per-request headers are set anew.
        const response = template.clone();
        for (const [name, value] of headers) response.headers.set(name, value);
        return response;
      }
    }
  }

  /** Builds the response every request for this representation and variant starts from. */
  function buildTemplate(
    outcome: Extract<Outcome, { kind: "representation" }>,
    variant: Variant,
  ): Response | null {
    const { representation, lastModified } = outcome;
    const headers: Headers = [
      NOSNIFF,
      ["etag", representation.etag],
      ["cache-control", outcome.cacheControl ?? cacheControl],
      [
        "vary",
        varyOrigin ? `${outcome.vary ?? "Accept-Encoding"}, Origin` : outcome.vary ?? "Accept-Encoding",
      ],
    ];
    if (lastModified !== undefined) headers.push(["last-modified", lastModified]);
    if (outcome.headers) headers.push(...outcome.headers);
    if (variant === "notModified") return new Response(null, { status: 304, headers });
    headers.push(["content-type", outcome.contentType ?? JSON_CONTENT_TYPE]);
    if (variant === "ok") return new Response(representation.body, { headers });
    if (variant === "head") {
      headers.push(["content-length", String(representation.body.length)]);
      return new Response(null, { headers });
    }
    const encoding = variant === "ok:br" ? "br" : "gzip";
    const compressed = compressBody(representation.body, encoding);
    if (compressed === undefined) return null;
    // As for any compressed variant, the tag turns weak: the same content in other bytes.
    headers[1] = ["etag", `W/${representation.etag}`];
    headers.push(["content-encoding", encoding]);
    return new Response(compressed, { headers });
  }

  return (request, info) => {
    let headers: Headers = [];
    try {
      readHeadersAtOnce(request);
      headers = requestHeaders(request, requestIdOf(request));
      return answer(request, info, headers);
    } catch (error) {
      options.onError?.(error, request);
      const safe = headers.filter(([name]) => name === "x-request-id");
      return problemResponse(request, safe, "internal_error", "The server failed to answer this request");
    }
  };
}
