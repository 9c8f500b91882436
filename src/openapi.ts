import { z } from "zod";
import {
  CityListSchema,
  CityWeatherSchema,
  ForecastCurrentSchema,
  ForecastDaySchema,
  ForecastHourSchema,
  ForecastSchema,
  GeocodingResultSchema,
  GeocodingSearchSchema,
  HealthSchema,
  OpenMeteoErrorSchema,
  OpenWeatherMapErrorSchema,
  ProblemSchema,
  ReportedCurrentSchema,
  UnitsSchema,
} from "./schema.ts";
import {
  ERROR_STATUSES,
  type ErrorStatus,
  PROBLEM_DESCRIPTION,
  PROBLEM_STATUS,
  type ProblemCode,
} from "./problem.ts";
import type { Route } from "./routes.ts";

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(ReportedCurrentSchema, { id: "Current" });
  registry.add(UnitsSchema, { id: "Units" });
  registry.add(CityWeatherSchema, { id: "CityWeather" });
  registry.add(CityListSchema, { id: "CityList" });
  registry.add(ForecastCurrentSchema, { id: "ForecastCurrent" });
  registry.add(ForecastHourSchema, { id: "ForecastHour" });
  registry.add(ForecastDaySchema, { id: "ForecastDay" });
  registry.add(ForecastSchema, { id: "Forecast" });
  registry.add(HealthSchema, { id: "Health" });
  registry.add(ProblemSchema, { id: "Problem" });
  registry.add(GeocodingResultSchema, { id: "GeocodingResult" });
  registry.add(GeocodingSearchSchema, { id: "GeocodingSearch" });
  registry.add(OpenMeteoErrorSchema, { id: "OpenMeteoError" });
  registry.add(OpenWeatherMapErrorSchema, { id: "OpenWeatherMapError" });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Components live inside the OpenAPI document, which sets the dialect; drop the per-schema ids.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  );
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const requestId = { "X-Request-Id": header("X-Request-Id") };
const cachingHeaders = {
  ETag: header("ETag"),
  "Cache-Control": header("Cache-Control"),
  "Last-Modified": header("Last-Modified"),
  ...requestId,
};

/** The OpenAPI response of a cacheable JSON 200: a schema by component name, or inline. */
export function cachedJson(
  schema: string | Record<string, unknown>,
  description: string,
): Record<string, unknown> {
  return {
    description,
    headers: cachingHeaders,
    content: { "application/json": { schema: typeof schema === "string" ? ref(schema) : schema } },
  };
}

/** The OpenAPI response of a JSON 200 built per request, never cached. */
export function liveJson(schema: string, description: string): Record<string, unknown> {
  return { description, headers: requestId, content: { "application/json": { schema: ref(schema) } } };
}

/** The OpenAPI response of the front page's 200: the endpoint index as JSON, or the HTML dashboard. */
export function pageOrIndex(description: string): Record<string, unknown> {
  const text = { type: "string" };
  const endpoint = {
    type: "object",
    required: ["method", "path", "description"],
    properties: { method: text, path: text, description: text },
  };
  return {
    description,
    headers: cachingHeaders,
    content: {
      "application/json": {
        schema: {
          type: "object",
          required: ["name", "version", "endpoints"],
          properties: { name: text, version: text, endpoints: { type: "array", items: endpoint } },
        },
      },
      "text/html": { schema: text },
    },
  };
}

/** The OpenAPI response of a cacheable HTML page's 200. */
/**
 * The OpenAPI response of a 200 of Open-Meteo's forecast API: its JSON (one location's object, or
 * an array of them), or the FlatBuffers its SDKs ask for with `format=flatbuffers`.
 */
export function openMeteoForecastOk(description: string): Record<string, unknown> {
  const text = { type: "string" }, number = { type: "number" };
  const location = {
    type: "object",
    required: [
      "latitude",
      "longitude",
      "generationtime_ms",
      "utc_offset_seconds",
      "timezone",
      "timezone_abbreviation",
    ],
    properties: {
      latitude: number,
      longitude: number,
      generationtime_ms: number,
      utc_offset_seconds: { type: "integer" },
      timezone: text,
      timezone_abbreviation: text,
      elevation: number,
      location_id: { type: "integer" },
    },
  };
  return {
    description,
    headers: cachingHeaders,
    content: {
      "application/json": { schema: { oneOf: [location, { type: "array", items: location }] } },
      "application/octet-stream": {
        schema: {
          type: "string",
          format: "binary",
          description: "Size-prefixed WeatherApiResponse messages",
        },
      },
    },
  };
}

export function htmlPage(description: string): Record<string, unknown> {
  return { description, headers: cachingHeaders, content: { "text/html": { schema: { type: "string" } } } };
}

/** Error codes every route may answer with, whatever its own. */
const EVERY_ROUTE: readonly ProblemCode[] = [
  "bad_request",
  "uri_too_long",
  "method_not_allowed",
  "internal_error",
];
/** Error codes of the mock controls, on API routes. */
const API_ROUTE: readonly ProblemCode[] = ["rate_limited", "service_unavailable"];

function errorResponses(route: Route): Record<string, unknown> {
  const codes = new Set([...EVERY_ROUTE, ...route.errors, ...(route.api ? API_ROUTE : [])]);
  // A route that shapes its own errors documents their schema; the others answer problem details.
  const content: Record<string, unknown> = route.errorSchema
    ? { "application/json": { schema: ref(route.errorSchema) } }
    : { "application/problem+json": { schema: ref("Problem") } };
  if (route.htmlErrors) content["text/html"] = { schema: { type: "string" } };
  const responses: Record<string, unknown> = {};
  for (const key of Object.keys(ERROR_STATUSES)) {
    const status = Number(key) as ErrorStatus;
    const reasons = [...codes].filter((code) => PROBLEM_STATUS[code] === status)
      .map((code) => `\`${code}\`: ${PROBLEM_DESCRIPTION[code]}`);
    // On an API route a client may ask for any documented error with Prefer.
    if (route.api) reasons.push(`asked for with \`Prefer: code=${status}\``);
    if (reasons.length === 0) continue;
    responses[key] = { description: reasons.join("; "), headers: requestId, content };
  }
  return responses;
}

function parametersOf(route: Route): unknown[] {
  const parameters: unknown[] = [];
  const brace = /\{(\w+)\}/.exec(route.path);
  if (brace && route.pathParameter) {
    parameters.push({ name: brace[1], in: "path", required: true, ...route.pathParameter });
  }
  for (const { name, required, description, schema } of Object.values(route.query)) {
    parameters.push({ name, in: "query", required, description, schema });
  }
  if (route.conditional) {
    parameters.push({ $ref: "#/components/parameters/If-None-Match" }, {
      $ref: "#/components/parameters/If-Modified-Since",
    });
  }
  if (route.api) parameters.push({ $ref: "#/components/parameters/Prefer" });
  return parameters;
}

/**
 * The POST of a route that reads its query from the body: the same parameters as a form or a JSON
 * object (arrays for lists), the same answers, never conditional and never cached.
 */
function postOperation(route: Route): Record<string, unknown> {
  const properties = Object.fromEntries(
    Object.values(route.query).map((p) => [p.name, { description: p.description }]),
  );
  const form = { type: "object", properties };
  return {
    operationId: `${route.operationId}Post`,
    summary: `${route.summary} (the parameters in the body)`,
    requestBody: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": { schema: form },
        "application/json": { schema: form },
      },
    },
    responses: { "200": route.ok, ...errorResponses(route) },
  };
}

/**
 * The OpenAPI 3.1 description of `routes`. Its schemas are generated from `src/schema.ts`, the
 * same zod schemas that validate the data file, and its paths and errors from the route table and
 * the status table, so the contract cannot drift from the code.
 */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths = Object.fromEntries(routes.map((route) => [route.path, {
    get: {
      operationId: route.operationId,
      summary: route.summary,
      parameters: parametersOf(route),
      responses: {
        "200": route.ok,
        ...(route.conditional
          ? {
            "304": {
              description: "Not Modified: the representation matches If-None-Match or If-Modified-Since",
            },
          }
          : {}),
        ...errorResponses(route),
      },
    },
    ...(route.post ? { post: postOperation(route) } : {}),
  }]));
  const preferable = Object.keys(ERROR_STATUSES).join(", ");
  return {
    openapi: "3.1.0",
    info: {
      title: "Local weather API",
      version,
      description: "Current weather and forecasts for the cities of a local JSON data file and any " +
        "point, from one weather model. Every error is an RFC 9457 problem details object with a " +
        "stable `code`, except on the routes that speak another API (Open-Meteo's `/v1/`, " +
        "OpenWeatherMap's `/data/` and `/geo/`), which answer that API's own error body.",
    },
    paths,
    components: {
      schemas: componentSchemas(),
      parameters: {
        Prefer: {
          name: "Prefer",
          in: "header",
          required: false,
          description: `\`code=N\` answers with that documented error (${preferable}); ` +
            "`delay=MS` adds latency (up to 60000). Other values are ignored; Preference-Applied says " +
            "what was applied.",
          schema: { type: "string" },
        },
        "If-None-Match": {
          name: "If-None-Match",
          in: "header",
          required: false,
          description: "Entity tags the client holds; a match answers 304",
          schema: { type: "string" },
        },
        "If-Modified-Since": {
          name: "If-Modified-Since",
          in: "header",
          required: false,
          description: "Answers 304 when the data is not newer (ignored with If-None-Match)",
          schema: { type: "string" },
        },
      },
      headers: {
        ETag: { description: "Strong entity tag of the body", schema: { type: "string" } },
        "Cache-Control": { description: "`max-age=N`, or `no-cache`", schema: { type: "string" } },
        "Last-Modified": { description: "When the data was loaded", schema: { type: "string" } },
        "X-Request-Id": {
          description: "The request's own X-Request-Id when plain, else a generated UUID",
          schema: { type: "string" },
        },
      },
    },
  };
}
