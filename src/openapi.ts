import { z } from "zod";
import {
  CityListSchema,
  CityWeatherSchema,
  HealthSchema,
  ProblemSchema,
  ReportedCurrentSchema,
  UnitsSchema,
} from "./schema.ts";
import { UNIT_SYSTEMS } from "./units.ts";

/** Longest city name a request may carry; longer ones are refused before any lookup. */
export const MAX_CITY_LENGTH = 200;

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(ReportedCurrentSchema, { id: "Current" });
  registry.add(UnitsSchema, { id: "Units" });
  registry.add(CityWeatherSchema, { id: "CityWeather" });
  registry.add(CityListSchema, { id: "CityList" });
  registry.add(HealthSchema, { id: "Health" });
  registry.add(ProblemSchema, { id: "Problem" });
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
const json = (schema: unknown, description: string, headers: Record<string, unknown> = cachingHeaders) => ({
  description,
  headers,
  content: { "application/json": { schema } },
});
const problem = (description: string) => ({
  description,
  headers: { "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" } },
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const cachingHeaders = {
  ETag: { $ref: "#/components/headers/ETag" },
  "Cache-Control": { $ref: "#/components/headers/Cache-Control" },
  "Last-Modified": { $ref: "#/components/headers/Last-Modified" },
  "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" },
};
const conditional = [
  { $ref: "#/components/parameters/If-None-Match" },
  { $ref: "#/components/parameters/If-Modified-Since" },
];
const mockErrors = {
  "429": problem(
    "Rate limit exceeded (`--rate-limit`), or asked for with `Prefer: code=429`; see Retry-After",
  ),
  "503": problem("Simulated outage (`--fail-rate`), or asked for with `Prefer: code=503`; see Retry-After"),
};
const preferParameter = { $ref: "#/components/parameters/Prefer" };
const commonErrors = {
  "304": { description: "Not Modified: the representation matches If-None-Match or If-Modified-Since" },
  "405": problem("Method not allowed on this route; `Allow` lists the methods"),
  "500": problem("Unexpected server error (details in the server's log only)"),
};
const weatherResponses = {
  "200": json(ref("CityWeather"), "The city's current weather in the requested units"),
  "400": problem("Missing or blank city, several `city` parameters, bad encoding, or unknown units"),
  "404": problem("Unknown city, with up to three `suggestions`"),
  "414": problem("City name or URL too long"),
  ...commonErrors,
  ...mockErrors,
};

/**
 * The OpenAPI 3.1 description of the API. Its schemas are generated from `src/schema.ts`, the
 * same zod schemas that validate the data file, so the contract cannot drift from the code.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const unitsParameter = {
    name: "units",
    in: "query",
    required: false,
    description: "metric (°C, km/h, hPa), imperial (°F, mph, inHg) or si (K, m/s, Pa)",
    schema: { type: "string", enum: UNIT_SYSTEMS, default: "metric" },
  };
  const cityParameter = (where: "query" | "path") => ({
    name: "city",
    in: where,
    required: true,
    description: "City name; case, accents and extra white space are ignored",
    schema: { type: "string", minLength: 1, maxLength: MAX_CITY_LENGTH },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Local weather API",
      version,
      description: "Current weather for the cities of a local JSON data file. Every error is an " +
        "RFC 9457 problem details object with a stable `code`.",
    },
    paths: {
      "/": {
        get: {
          operationId: "frontPage",
          summary: "The HTML dashboard for browsers (Accept: text/html), else a JSON index of the endpoints",
          parameters: [
            {
              name: "units",
              in: "query",
              required: false,
              description: "Units of the dashboard page",
              schema: { type: "string", enum: ["metric", "imperial"], default: "metric" },
            },
            ...conditional,
          ],
          responses: {
            "200": {
              description: "The endpoint index, or the dashboard page",
              headers: cachingHeaders,
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["name", "version", "endpoints"],
                    properties: {
                      name: { type: "string" },
                      version: { type: "string" },
                      endpoints: {
                        type: "array",
                        items: {
                          type: "object",
                          required: ["method", "path", "description"],
                          properties: {
                            method: { type: "string" },
                            path: { type: "string" },
                            description: { type: "string" },
                          },
                        },
                      },
                    },
                  },
                },
                "text/html": { schema: { type: "string" } },
              },
            },
            "400": problem("Units the page does not offer"),
            ...commonErrors,
          },
        },
      },
      "/weather/cities": {
        get: {
          operationId: "listCities",
          summary: "Names of all cities, in data-file order",
          parameters: [...conditional, preferParameter],
          responses: {
            "200": json(ref("CityList"), "The city names"),
            "400": problem("Asked for with `Prefer: code=400`"),
            "404": problem("Asked for with `Prefer: code=404`"),
            "414": problem("URL too long"),
            ...commonErrors,
            ...mockErrors,
          },
        },
      },
      "/get_weather": {
        get: {
          operationId: "getWeather",
          summary: "Current weather of one city (the original tutorial route)",
          parameters: [cityParameter("query"), unitsParameter, ...conditional, preferParameter],
          responses: weatherResponses,
        },
      },
      "/weather/{city}": {
        get: {
          operationId: "getCityWeather",
          summary: "Current weather of one city, REST style",
          parameters: [cityParameter("path"), unitsParameter, ...conditional, preferParameter],
          responses: weatherResponses,
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          summary: "Server and data status",
          responses: {
            "200": json(ref("Health"), "The server is up and has data", {
              "X-Request-Id": { $ref: "#/components/headers/X-Request-Id" },
            }),
            "405": commonErrors["405"],
            "500": commonErrors["500"],
          },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "openApi",
          summary: "This document",
          parameters: conditional,
          responses: { "200": json({ type: "object" }, "The OpenAPI document"), ...commonErrors },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      parameters: {
        Prefer: {
          name: "Prefer",
          in: "header",
          required: false,
          description: "`code=N` answers with that documented error (400, 404, 405, 414, 429, 500, 503); " +
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
