// The route table: every path the server answers, with its query parameters, what it answers and
// its documentation. It is the one source of the routing, the `/` endpoint index, the OpenAPI
// paths, the dashboard's links and the server's help.
import type { Cacheable } from "./cached_response.ts";
import { cityPage } from "./city_page.ts";
import {
  cityPagePath,
  DASHBOARD_CSP,
  type DashboardLink,
  dashboardPage,
  type PageAnswer,
} from "./dashboard.ts";
import type { Dataset } from "./dataset.ts";
import { jsonRepresentation, type Representation } from "./http.ts";
import { preferredMediaType } from "./negotiate.ts";
import {
  cachedJson,
  htmlPage,
  liveJson,
  openApiDocument,
  openMeteoForecastOk,
  pageOrIndex,
} from "./openapi.ts";
import { BadParameterError, fail, type Failure, MAX_CITY_LENGTH, type ProblemCode } from "./problem.ts";
import { FORECAST_QUERY, openMeteoForecast, repeatedOpenMeteoForecast } from "./dialects/open_meteo.ts";
import { openMeteoErrorBody } from "./dialects/open_meteo_errors.ts";
import { SEARCH_ROUTE } from "./dialects/open_meteo_search.ts";
import { OPENWEATHERMAP_ROUTES } from "./dialects/openweathermap.ts";
import { cachedForecast, type ForecastQuery } from "./forecast.ts";
import { FORECAST_DAYS, FORECAST_HOURS, PAST_DAYS } from "./model/variables.ts";
import { weatherFileJsonSchema } from "./schema.ts";
import { cityWeather as cityWeatherBody, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";
import type { City } from "./schema.ts";
import { VERSION } from "./version.ts";
import type { WeatherScope } from "./weather_scope.ts";

/** A query parameter a route reads: its documentation, and how its values become one value. */
export interface QueryParameter<T> {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  /** JSON Schema of one value, for the OpenAPI document. */
  readonly schema: Readonly<Record<string, unknown>>;
  /**
   * The parameter's value from all its values in the query, none when absent.
   * @throws {BadParameterError} For values the route cannot take.
   */
  parse(values: readonly string[]): T;
}

/** `units`: one of {@linkcode UNIT_SYSTEMS}, any case, metric when absent. */
export const UNITS_PARAMETER: QueryParameter<UnitSystem> = {
  name: "units",
  description: "metric (°C, km/h, hPa), imperial (°F, mph, inHg) or si (K, m/s, Pa); any case",
  required: false,
  schema: { type: "string", enum: UNIT_SYSTEMS, default: "metric" },
  parse(values) {
    if (values.length === 0) return "metric";
    if (values.length > 1) {
      throw new BadParameterError("bad_request", 'Give one "units" parameter, not several');
    }
    const value = values[0]!;
    const units = UNIT_SYSTEMS.find((system) => system === value || system === value.toLowerCase());
    if (units !== undefined) return units;
    throw new BadParameterError(
      "bad_units",
      `Unknown units ${JSON.stringify(value)}: expected ${UNIT_SYSTEMS.map((u) => `"${u}"`).join(", ")}`,
      { allowed: UNIT_SYSTEMS },
    );
  },
};

/**
 * A whole-number parameter from `min` to `max`, `fallback` when absent.
 *
 * @example
 * ```ts
 * integerParameter("days", "Days of forecast", 1, 16, 7).parse(["3"]); // 3
 * ```
 */
export function integerParameter(
  name: string,
  description: string,
  min: number,
  max: number,
  fallback: number,
): QueryParameter<number> {
  return {
    name,
    description: `${description}, ${min} to ${max}`,
    required: false,
    schema: { type: "integer", minimum: min, maximum: max, default: fallback },
    parse(values) {
      if (values.length === 0) return fallback;
      if (values.length > 1) {
        throw new BadParameterError("bad_request", `Give one ${JSON.stringify(name)} parameter, not several`);
      }
      const text = values[0]!;
      const value = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
      if (value >= min && value <= max) return value;
      throw new BadParameterError(
        "bad_parameter",
        `Invalid ${name} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`,
        { parameter: name, allowed: { minimum: min, maximum: max } },
      );
    },
  };
}

const CITY_DESCRIPTION = "City name; case, accents and extra white space are ignored";
const CITY_SCHEMA = { type: "string", minLength: 1, maxLength: MAX_CITY_LENGTH };

/** `city`: the city to look up, given once; blank when absent (the route answers that). */
export const CITY_PARAMETER: QueryParameter<string> = {
  name: "city",
  description: CITY_DESCRIPTION,
  required: true,
  schema: CITY_SCHEMA,
  parse(values) {
    if (values.length > 1) {
      throw new BadParameterError("bad_request", 'Give one "city" parameter, not several');
    }
    return values[0] ?? "";
  },
};

/** What the server says about itself on `/healthz`. */
export interface ServerStatus {
  /** The weather model's seed and clock as `/healthz` reports them. */
  readonly model: Readonly<Record<string, unknown>>;
  /** The upstream's state as `/healthz` reports it, or null without one. */
  readonly upstream: Readonly<Record<string, unknown>> | null;
  /** The mock controls as `/healthz` reports them. */
  readonly controls: Readonly<Record<string, unknown>>;
  /** Why the latest reload failed while the data kept serving, else null. */
  readonly lastReloadError: string | null;
}

/** What a route reads besides its query parameters. */
export interface RouteContext {
  readonly data: Dataset;
  readonly request: Request;
  /** The percent-encoded path, without a trailing slash. */
  readonly pathname: string;
  readonly server: ServerStatus;
  /** The query as received, "?" included, or "" (for a POST, the body's parameters). */
  readonly search: string;
  /** The weather model's clock for this request, epoch ms: the real time, or `--now`. */
  readonly clock: number;
  /** The weather model's seed. */
  readonly seed: number;
  /** The only API keys accepted, or undefined for any non-empty one. */
  readonly apiKeys: ReadonlySet<string> | undefined;
  /** Where the weather of the route's places comes from: pass each city through it. */
  readonly weather: WeatherScope;
}

/** A route's answer: a cacheable representation, a JSON value built per request, or an error. */
export type Outcome = Cacheable | { readonly kind: "live"; readonly value: unknown } | Failure;

type Parameters = Readonly<Record<string, QueryParameter<unknown>>>;
type ValuesOf<P extends Parameters> = { [K in keyof P]: P[K] extends QueryParameter<infer T> ? T : never };

/** One path of the API. */
export interface Route<P extends Parameters = Parameters> {
  /** As documented: "/weather/{city}" takes any one path segment in place of `{city}`. */
  readonly path: string;
  readonly operationId: string;
  /** One line, for the endpoint index, the OpenAPI summary and the help. */
  readonly summary: string;
  /** An API route: mock controls and `Prefer` apply to it. */
  readonly api: boolean;
  /** The query parameters it reads; no others are parsed. */
  readonly query: P;
  /** The path parameter's documentation, for a templated path. */
  readonly pathParameter?: {
    readonly description: string;
    readonly schema: Readonly<Record<string, unknown>>;
  };
  /** The OpenAPI response of a 200. */
  readonly ok: Readonly<Record<string, unknown>>;
  /** Whether answers carry an ETag and revalidate (304). */
  readonly conditional: boolean;
  /** Error codes the route itself answers with, beyond those every route may. */
  readonly errors: readonly ProblemCode[];
  /** Its link on the dashboard, where it has one. */
  readonly link?: string;
  /** True when errors should go out as an HTML page rather than problem JSON. */
  htmlErrors?(request: Request): boolean;
  /** Whether POST is answered too, with the query read from a form or JSON body. */
  readonly post?: boolean;
  /** A dialect's own error body and status for a failure, instead of problem JSON. */
  errorBody?(failure: Failure): { readonly status: number; readonly body: string };
  /** The component schema of `errorBody`'s JSON bodies, for the OpenAPI document. */
  readonly errorSchema?: string;
  /** Links an HTML error page offers in place of what failed, such as the cities meant. */
  errorLinks?(failure: Failure): readonly DashboardLink[];
  answer(context: RouteContext, query: ValuesOf<P>): Outcome;
  /**
   * True when its answer to a GET or HEAD, with the model's weather, depends on the URL and the
   * data alone: not on the clock, the seed or the request's headers. The handler then keeps its
   * answers by URL (`src/url_memo.ts`).
   */
  readonly sameForUrl?: boolean;
  /**
   * The answer to a question asked before, found by its raw text before any parsing, or undefined:
   * for a route whose parameters cost more to parse than its answers to find.
   */
  repeated?(context: RouteContext): Outcome | undefined;
}

/** Declares a route, keeping its parameter types for its answer function. */
function route<P extends Parameters>(spec: Route<P>): Route<P> {
  return spec;
}

function decodeSegment(segment: string): string | undefined {
  // Most paths have nothing to decode, and decodeURIComponent is a call into V8's runtime.
  if (segment.indexOf("%") === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The position of `city` in `data`, or the failure to answer. */
function findCity(data: Dataset, city: string): number | Failure {
  if (city.length > MAX_CITY_LENGTH) {
    return fail(
      "city_too_long",
      `City name is ${city.length} characters long: the limit is ${MAX_CITY_LENGTH}`,
    );
  }
  if (city.trim() === "") return fail("missing_city", 'Give a city name, as in "/get_weather?city=Tokyo"');
  const index = data.index.find(city);
  if (index !== undefined) return index;
  const suggestions = data.index.suggest(city);
  const hint = suggestions.length > 0 ? `: did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
  return fail("city_not_found", `Cannot find city ${JSON.stringify(city)}${hint}`, { city, suggestions });
}

// The tutorial's body of a city under upstream weather, per units, made once per upstream answer.
const liveBodies = new WeakMap<City, Map<UnitSystem, Representation>>();

function cityWeather({ data, weather }: RouteContext, city: string, units: UnitSystem): Outcome {
  const index = findCity(data, city);
  if (typeof index !== "number") return index;
  const file = data.cities[index]!;
  const live = weather.city(file);
  if (live === file) {
    return {
      kind: "representation",
      representation: data.cityWeather(index, units),
      lastModified: data.lastModified,
    };
  }
  let bodies = liveBodies.get(live);
  if (bodies === undefined) liveBodies.set(live, bodies = new Map());
  let representation = bodies.get(units);
  if (representation === undefined) {
    bodies.set(units, representation = jsonRepresentation(cityWeatherBody(live, units)));
  }
  const observed = Math.max(data.loadedAt.getTime(), Date.parse(live.current.observed_at));
  return { kind: "representation", representation, lastModified: new Date(observed).toUTCString() };
}

function cityForecast(context: RouteContext, city: string, query: ForecastQuery): Outcome {
  const index = findCity(context.data, city);
  if (typeof index !== "number") return index;
  const { representation, lastModified } = cachedForecast(
    context.data,
    index,
    context.seed,
    context.clock,
    query,
    context.weather,
  );
  return { kind: "representation", representation, lastModified };
}

/** The city of a path such as "/weather/{city}/forecast", or the failure to read it. */
function pathCity(pathname: string, prefix = "/weather/", suffix = ""): string | Failure {
  const city = decodeSegment(pathname.slice(prefix.length, pathname.length - suffix.length));
  return city ?? fail("bad_request", `Cannot decode the city in path ${JSON.stringify(pathname)}`);
}

const OUR_FORECAST_QUERY = {
  days: integerParameter("days", "Days of forecast from today (local), today included", 1, FORECAST_DAYS, 7),
  hours: integerParameter("hours", "Hours of forecast from the current hour", 0, FORECAST_HOURS, 48),
  pastDays: integerParameter("past_days", "Days of the past before today, hours and days", 0, PAST_DAYS, 0),
  units: UNITS_PARAMETER,
};

const CITY_ERRORS: readonly ProblemCode[] = ["missing_city", "bad_units", "city_not_found", "city_too_long"];
const FORECAST_ERRORS: readonly ProblemCode[] = [...CITY_ERRORS, "bad_parameter"];
/** A page's answer as the handler sends it: revalidated on every use, under the dashboard's CSP. */
function htmlAnswer({ representation, lastModified }: PageAnswer, vary: string): Outcome {
  return {
    kind: "representation",
    representation,
    lastModified,
    contentType: "text/html; charset=utf-8",
    // Always revalidate, so a refresh after a data reload or a new forecast slot shows it at once.
    cacheControl: "no-cache",
    vary,
    headers: [["content-security-policy", DASHBOARD_CSP]],
  };
}

const wantsHtml = (request: Request) =>
  preferredMediaType(request.headers.get("accept"), ["application/json", "text/html"]) === "text/html";

let openApi: Representation | undefined;
let dataSchema: Representation | undefined;
let endpointIndex: Representation | undefined;

/** Every route, in the order the index, the document and the help list them. */
export const ROUTES: readonly Route[] = [
  route({
    path: "/",
    operationId: "frontPage",
    summary: "This index; with Accept: text/html, the dashboard page",
    api: false,
    query: { units: UNITS_PARAMETER },
    ok: pageOrIndex("The endpoint index, or the dashboard page"),
    conditional: true,
    errors: ["bad_units"],
    htmlErrors: wantsHtml,
    answer: ({ data, request, clock, seed, weather }, { units }) => {
      if (!wantsHtml(request)) {
        return {
          kind: "representation",
          representation: endpointIndex ??= jsonRepresentation({
            name: "weather-server",
            version: VERSION,
            endpoints: ROUTES.map((route) => ({
              method: "GET",
              path: displayPath(route),
              description: route.summary,
            })),
          }),
          vary: "Accept, Accept-Encoding",
        };
      }
      return htmlAnswer(
        dashboardPage(data, units, { seed, now: clock }, DASHBOARD_LINKS, weather),
        "Accept, Accept-Encoding",
      );
    },
  }),
  route({
    path: "/city/{city}",
    operationId: "cityPage",
    summary: "One city's page: current conditions, a 48-hour chart and 7 days, as HTML",
    api: false,
    query: { units: UNITS_PARAMETER },
    pathParameter: { description: CITY_DESCRIPTION, schema: CITY_SCHEMA },
    ok: htmlPage("The city's page, from the weather model at the server's clock"),
    conditional: true,
    errors: CITY_ERRORS,
    htmlErrors: () => true,
    errorLinks: (failure) => {
      const suggestions = failure.extensions?.suggestions;
      return Array.isArray(suggestions)
        ? suggestions.map((name: string) => ({ href: cityPagePath(name), label: name }))
        : [];
    },
    answer: ({ data, pathname, clock, seed, weather }, { units }) => {
      const city = pathCity(pathname, "/city/");
      if (typeof city !== "string") return city;
      const index = findCity(data, city);
      if (typeof index !== "number") return index;
      return htmlAnswer(cityPage(data, index, units, { seed, now: clock }, weather), "Accept-Encoding");
    },
  }),
  route({
    path: "/weather/cities",
    operationId: "listCities",
    summary: "City names in data-file order",
    api: true,
    query: {},
    ok: cachedJson("CityList", "The city names"),
    sameForUrl: true,
    conditional: true,
    errors: [],
    link: "City list as JSON",
    answer: ({ data }) => ({
      kind: "representation",
      representation: data.cityList,
      lastModified: data.lastModified,
    }),
  }),
  route({
    path: "/get_weather",
    operationId: "getWeather",
    summary: "One city's current weather (the original tutorial route)",
    api: true,
    query: { city: CITY_PARAMETER, units: UNITS_PARAMETER },
    ok: cachedJson("CityWeather", "The city's current weather in the requested units"),
    sameForUrl: true,
    conditional: true,
    errors: CITY_ERRORS,
    answer: (context, { city, units }) => cityWeather(context, city, units),
  }),
  route({
    path: "/weather/{city}",
    operationId: "getCityWeather",
    summary: "The same, the city a percent-encoded path segment",
    api: true,
    query: { units: UNITS_PARAMETER },
    pathParameter: { description: CITY_DESCRIPTION, schema: CITY_SCHEMA },
    ok: cachedJson("CityWeather", "The city's current weather in the requested units"),
    sameForUrl: true,
    conditional: true,
    errors: CITY_ERRORS,
    answer: (context, { units }) => {
      const city = pathCity(context.pathname);
      return typeof city === "string" ? cityWeather(context, city, units) : city;
    },
  }),
  route({
    path: "/get_forecast",
    operationId: "getForecast",
    summary: "One city's forecast: current, hourly and daily, from the weather model",
    api: true,
    query: { city: CITY_PARAMETER, ...OUR_FORECAST_QUERY },
    ok: cachedJson("Forecast", "The city's forecast in the requested units"),
    conditional: true,
    errors: FORECAST_ERRORS,
    answer: (context, { city, ...query }) => cityForecast(context, city, query),
  }),
  route({
    path: "/weather/{city}/forecast",
    operationId: "getCityForecast",
    summary: "The same, the city a percent-encoded path segment",
    api: true,
    query: OUR_FORECAST_QUERY,
    pathParameter: { description: CITY_DESCRIPTION, schema: CITY_SCHEMA },
    ok: cachedJson("Forecast", "The city's forecast in the requested units"),
    conditional: true,
    errors: FORECAST_ERRORS,
    answer: (context, query) => {
      const city = pathCity(context.pathname, "/weather/", "/forecast");
      return typeof city === "string" ? cityForecast(context, city, query) : city;
    },
  }),
  route({
    path: "/v1/forecast",
    operationId: "openMeteoForecast",
    summary: "Open-Meteo's forecast API for any coordinates: JSON, or FlatBuffers for its SDKs",
    api: true,
    post: true,
    query: FORECAST_QUERY,
    ok: openMeteoForecastOk("The forecast of each location, as Open-Meteo answers it"),
    conditional: true,
    errors: ["bad_parameter", "body_too_large"],
    errorBody: openMeteoErrorBody,
    errorSchema: "OpenMeteoError",
    answer: openMeteoForecast,
    repeated: repeatedOpenMeteoForecast,
  }),
  SEARCH_ROUTE,
  ...OPENWEATHERMAP_ROUTES,
  route({
    path: "/healthz",
    operationId: "health",
    summary: "Server status and data version",
    api: false,
    query: {},
    ok: liveJson("Health", "The server is up and has data"),
    conditional: false,
    errors: [],
    link: "Server health",
    answer: ({ data, server }) => ({
      kind: "live",
      value: {
        status: "ok",
        cities: data.cities.length,
        version: data.version,
        loaded_at: data.loadedAt.toISOString(),
        source: data.fileName,
        last_reload_error: server.lastReloadError,
        controls: server.controls,
        model: server.model,
        upstream: server.upstream,
      },
    }),
  }),
  route({
    path: "/openapi.json",
    operationId: "openApi",
    summary: "The OpenAPI 3.1 contract of the API",
    api: false,
    query: {},
    ok: cachedJson({ type: "object" }, "The OpenAPI document"),
    sameForUrl: true,
    conditional: true,
    errors: [],
    link: "API description",
    answer: () => ({
      kind: "representation",
      representation: openApi ??= jsonRepresentation(openApiDocument(ROUTES, VERSION)),
    }),
  }),
  route({
    path: "/schema/weather.json",
    operationId: "dataSchema",
    summary: "The JSON Schema (draft 2020-12) of the data file",
    api: false,
    query: {},
    ok: cachedJson({ type: "object" }, "The JSON Schema of the data file, as data/weather.schema.json"),
    sameForUrl: true,
    conditional: true,
    errors: [],
    link: "Data file schema",
    answer: () => ({
      kind: "representation",
      representation: dataSchema ??= jsonRepresentation(weatherFileJsonSchema()),
    }),
  }),
];

/** A route's path as the index shows it: its required query parameters spelled out. */
export function displayPath(route: Route): string {
  const required = Object.values(route.query).filter((parameter) => parameter.required);
  return route.path + required.map((p, i) => `${i === 0 ? "?" : "&"}${p.name}={${p.name}}`).join("");
}

const DASHBOARD_LINKS: readonly DashboardLink[] = ROUTES.flatMap((route) =>
  route.link === undefined ? [] : [{ href: route.path, label: route.link }]
);

const EXACT = new Map<string, Route>();
const TEMPLATED: { prefix: string; suffix: string; route: Route }[] = [];
for (const route of ROUTES) {
  const brace = route.path.indexOf("{");
  if (brace === -1) EXACT.set(route.path, route);
  else {
    const suffix = route.path.slice(route.path.indexOf("}") + 1);
    TEMPLATED.push({ prefix: route.path.slice(0, brace), suffix, route });
  }
}

/**
 * The route of `pathname`, or undefined when no route has it. A trailing slash is ignored:
 * "/healthz/" is "/healthz", and {@linkcode routePath} gives the path a route answers for.
 */
export function findRoute(pathname: string): Route | undefined {
  const route = EXACT.get(pathname) ?? templatedRoute(pathname);
  if (route !== undefined || pathname.length < 2 || !pathname.endsWith("/")) return route;
  const trimmed = pathname.slice(0, -1);
  return EXACT.get(trimmed) ?? templatedRoute(trimmed);
}

/** `pathname` without a trailing slash, as the route {@linkcode findRoute} found reads it. */
export function routePath(pathname: string): string {
  return pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
}

function templatedRoute(pathname: string): Route | undefined {
  // The template's one segment: at least a character, without a slash, between prefix and suffix.
  for (const { prefix, suffix, route } of TEMPLATED) {
    const end = pathname.length - suffix.length;
    if (end <= prefix.length || !pathname.startsWith(prefix) || !pathname.endsWith(suffix)) continue;
    const slash = pathname.indexOf("/", prefix.length);
    if (slash === -1 || slash >= end) return route;
  }
  return undefined;
}

/** The routes as the server's help lists them: one per line with its summary, then the units. */
export function routesHelp(): string {
  const paths = ROUTES.map(displayPath);
  const width = Math.max(...paths.map((path) => path.length));
  const lines = ROUTES.map((route, i) => `  GET ${paths[i]!.padEnd(width)}  ${route.summary}`);
  const withUnits = ROUTES.filter((route) => Object.values(route.query).includes(UNITS_PARAMETER));
  const unitPaths = withUnits.map((route) => route.path);
  return `Routes:\n${lines.join("\n")}\n` +
    `${unitPaths.slice(0, -1).join(", ")} and ${unitPaths.at(-1)} take ?units=${
      UNIT_SYSTEMS.join("|")
    }, in any case.`;
}
