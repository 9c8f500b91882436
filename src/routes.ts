// The route table: every path the server answers, with its query parameters, what it answers and
// its documentation. It is the one source of the routing, the `/` endpoint index, the OpenAPI
// paths, the dashboard's links and the server's help.
import type { Cacheable } from "./cached_response.ts";
import { DASHBOARD_CSP, type DashboardLink, dashboardPage } from "./dashboard.ts";
import type { Dataset } from "./dataset.ts";
import { jsonRepresentation, type Representation } from "./http.ts";
import { preferredMediaType } from "./negotiate.ts";
import { cachedJson, liveJson, openApiDocument, pageOrIndex } from "./openapi.ts";
import { BadParameterError, fail, type Failure, MAX_CITY_LENGTH, type ProblemCode } from "./problem.ts";
import { weatherFileJsonSchema } from "./schema.ts";
import { UNIT_SYSTEMS, type UnitSystem } from "./units.ts";
import { VERSION } from "./version.ts";

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
  answer(context: RouteContext, query: ValuesOf<P>): Outcome;
}

/** Declares a route, keeping its parameter types for its answer function. */
function route<P extends Parameters>(spec: Route<P>): Route<P> {
  return spec;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
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

const CITY_ERRORS: readonly ProblemCode[] = ["missing_city", "bad_units", "city_not_found", "city_too_long"];
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
    answer: ({ data, request }, { units }) => {
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
      return {
        kind: "representation",
        representation: dashboardPage(data, units, DASHBOARD_LINKS),
        lastModified: data.lastModified,
        contentType: "text/html; charset=utf-8",
        // Always revalidate, so a refresh after a data reload shows the new data at once.
        cacheControl: "no-cache",
        vary: "Accept, Accept-Encoding",
        headers: [["content-security-policy", DASHBOARD_CSP]],
      };
    },
  }),
  route({
    path: "/weather/cities",
    operationId: "listCities",
    summary: "City names in data-file order",
    api: true,
    query: {},
    ok: cachedJson("CityList", "The city names"),
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
    conditional: true,
    errors: CITY_ERRORS,
    answer: ({ data }, { city, units }) => cityWeather(data, city, units),
  }),
  route({
    path: "/weather/{city}",
    operationId: "getCityWeather",
    summary: "The same, the city a percent-encoded path segment",
    api: true,
    query: { units: UNITS_PARAMETER },
    pathParameter: { description: CITY_DESCRIPTION, schema: CITY_SCHEMA },
    ok: cachedJson("CityWeather", "The city's current weather in the requested units"),
    conditional: true,
    errors: CITY_ERRORS,
    answer: ({ data, pathname }, { units }) => {
      const city = decodeSegment(pathname.slice("/weather/".length));
      if (city === undefined) {
        return fail("bad_request", `Cannot decode the city in path ${JSON.stringify(pathname)}`);
      }
      return cityWeather(data, city, units);
    },
  }),
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
const TEMPLATED: { prefix: string; route: Route }[] = [];
for (const route of ROUTES) {
  const brace = route.path.indexOf("{");
  if (brace === -1) EXACT.set(route.path, route);
  else TEMPLATED.push({ prefix: route.path.slice(0, brace), route });
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
  for (const { prefix, route } of TEMPLATED) {
    if (
      pathname.length > prefix.length && pathname.startsWith(prefix) &&
      pathname.indexOf("/", prefix.length) === -1
    ) return route;
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
