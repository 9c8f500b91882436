// The contract test: every answer the suite knows how to provoke must be described by
// /openapi.json, and its body must validate against the schema the document gives for it.
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { ERROR_STATUSES, PROBLEM_STATUS } from "../src/problem.ts";
import { findRoute, ROUTES } from "../src/routes.ts";
import { bundled, bundledHandler, getJson, TUTORIAL_FIELDS } from "./_helpers.ts";

const handler = bundledHandler();
const document = (await getJson(handler, "/openapi.json")).body;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, "openapi.json");

const EXERCISED: [method: string, path: string, headers?: Record<string, string>][] = [
  ["GET", "/weather/cities"],
  ["GET", "/get_weather?city=Tokyo"],
  ["GET", "/get_weather?city=sao%20paulo&units=imperial"],
  ["GET", "/get_weather?city=Reykjav%C3%ADk&units=si"],
  ["GET", "/get_weather"],
  ["GET", "/get_weather?city=Tokio"],
  ["GET", "/get_weather?city=a&city=b"],
  ["GET", `/get_weather?city=${"x".repeat(300)}`],
  ["GET", "/weather/Tokyo"],
  ["GET", "/weather/McMurdo%20Station?units=imperial"],
  ["GET", "/weather/Atlantis"],
  ["GET", "/weather/Tokyo?units=kelvin"],
  ["GET", "/weather/%E0%A4"],
  ["GET", "/healthz"],
  ["GET", "/openapi.json"],
  ["GET", "/schema/weather.json"],
  ["GET", "/schema/weather.json", { "if-none-match": "*" }],
  ["GET", "/weather/Bombay"],
  ["GET", "/get_weather?city=Bombai"],
  ["GET", "/weather/Tokyo/forecast"],
  ["GET", "/weather/McMurdo%20Station/forecast?days=16&hours=0&units=imperial"],
  ["GET", "/weather/Reykjav%C3%ADk/forecast?days=3&hours=384&past_days=92&units=si"],
  ["GET", "/get_forecast?city=Kathmandu&days=1&hours=1"],
  ["GET", "/get_forecast?city=Tokyo&days=17"],
  ["GET", "/get_forecast?city=Tokyo&hours=-1"],
  ["GET", "/get_forecast?city=Tokyo&days=2&days=3"],
  ["GET", "/get_forecast"],
  ["GET", "/weather/Atlantis/forecast"],
  ["GET", "/weather/Tokyo/forecast", { "if-none-match": "*" }],
  ["GET", "/v1/forecast?latitude=52.52&longitude=13.41&current=temperature_2m&hourly=rain&daily=sunrise"],
  ["GET", "/v1/forecast?latitude=1,2&longitude=3,4&hourly=temperature_2m&timezone=auto"],
  ["GET", "/v1/forecast?latitude=52.52&longitude=13.41&hourly=temperature_2m&format=flatbuffers"],
  ["GET", "/v1/forecast?latitude=91&longitude=0"],
  ["GET", "/v1/forecast?latitude=1&longitude=2&hourly=nope"],
  ["GET", "/v1/forecast?latitude=1&longitude=2", { prefer: "code=429" }],
  ["GET", "/v1/forecast?latitude=1&longitude=2", { prefer: "code=503" }],
  ["DELETE", "/v1/forecast"],
  ["GET", "/data/2.5/weather?q=Tokyo&appid=k"],
  ["GET", "/data/2.5/weather?lat=-77.8419&lon=166.6863&units=imperial&appid=k"],
  ["GET", "/data/2.5/weather?q=Tokyo"],
  ["GET", "/data/2.5/weather?q=Atlantis&appid=k"],
  ["GET", "/data/2.5/weather?lat=91&lon=0&appid=k"],
  ["GET", "/data/2.5/weather?q=Tokyo&appid=k", { prefer: "code=429" }],
  ["GET", "/data/2.5/forecast?q=Lima&cnt=4&appid=k"],
  ["GET", "/data/3.0/onecall?lat=40&lon=-100&appid=k"],
  ["GET", "/data/3.0/onecall/timemachine?lat=40&lon=-100&dt=1795000000&appid=k"],
  ["GET", "/geo/1.0/direct?q=Paris&appid=k"],
  ["GET", "/geo/1.0/reverse?lat=48.85&lon=2.35&appid=k"],
  ["GET", "/geo/1.0/zip?zip=10001,us&appid=k"],
  ["GET", "/geo/1.0/zip?zip=1,xx&appid=k"],
  ["HEAD", "/weather/Tokyo"],
  ["POST", "/weather/cities"],
  ["DELETE", "/healthz"],
  ["GET", "/weather/Tokyo", { "if-none-match": "*" }],
  ["GET", "/"],
  ["GET", "/?units=si", { accept: "text/html" }],
  ["GET", "/?units=kelvin", { accept: "text/html" }],
  ["GET", "/?units=kelvin"],
  ["GET", "/healthz?units=bogus"],
  ["GET", "/healthz/"],
  ["GET", "/weather/cities", { prefer: "code=404" }],
  ["GET", "/weather/Tokyo", { prefer: "code=503" }],
  ["GET", "/get_weather?city=Tokyo", { prefer: "code=405" }],
  ["GET", "/v1/search?name=Berlin"],
  ["GET", "/v1/search?name=bombay&count=3&language=de&countryCode=in"],
  ["GET", "/v1/search?name=Paris%2C%20France&format=json"],
  ["GET", "/v1/search?name=Zzyzx"],
  ["GET", "/v1/search?name=T"],
  ["GET", "/v1/search"],
  ["GET", "/v1/search?name=Tokyo&count=0"],
  ["GET", "/v1/search?name=Tokyo&count=abc"],
  ["GET", "/v1/search?name=Tokyo&format=protobuf"],
  ["GET", "/v1/search?name=Tokyo", { "if-none-match": "*" }],
  ["HEAD", "/v1/search?name=Tokyo"],
  ["POST", "/v1/search?name=Tokyo"],
  ["GET", "/v1/search?name=Tokyo", { prefer: "code=429" }],
  ["GET", "/v1/search?name=Tokyo", { prefer: "code=503" }],
  ["GET", "/v1/search?name=Tokyo", { prefer: "code=404" }],
];

function template(pathname: string): string {
  const route = findRoute(pathname);
  if (route === undefined) throw new Error(`No route for ${pathname}`);
  return route.path;
}

Deno.test("openapi.json describes every route of the route table, and no other path", () => {
  assert.deepEqual(Object.keys(document.paths), ROUTES.map((route) => route.path));
  for (const route of ROUTES) {
    const operation = document.paths[route.path].get;
    assert.equal(operation.operationId, route.operationId);
    // A route that reads a POST body documents it, with the same parameters.
    const post = document.paths[route.path].post;
    assert.equal(post !== undefined, route.post === true, route.path);
    if (post) {
      assert.deepEqual(
        Object.keys(post.requestBody.content["application/x-www-form-urlencoded"].schema.properties),
        Object.values(route.query).map((p) => p.name),
      );
    }
    assert.equal(operation.summary, route.summary);
    const names = operation.parameters.filter((p: { in?: string }) => p.in === "query").map((
      p: { name: string },
    ) => p.name);
    assert.deepEqual(names, Object.values(route.query).map((p) => p.name), route.path);
    const statuses = Object.keys(operation.responses).map(Number);
    for (const code of route.errors) {
      assert.ok(statuses.includes(PROBLEM_STATUS[code]), `${route.path} ${code}`);
    }
    // A client may ask an API route for any documented error with Prefer; other routes answer fewer.
    const errors = statuses.filter((status) => status >= 400);
    if (route.api) assert.deepEqual(errors, Object.keys(ERROR_STATUSES).map(Number), route.path);
    else assert.ok(!errors.includes(429) && !errors.includes(503), route.path);
  }
});

Deno.test("openapi.json builds its schemas from the data schema", () => {
  const schemas = document.components.schemas;
  for (const id of ["CityWeather", "CityList", "Health", "Problem", "Current", "Units"]) {
    assert.ok(id in schemas, id);
  }
  assert.deepEqual(schemas.Current.properties.weather_code.enum.slice(0, 4), [0, 1, 2, 3]);
  assert.equal(schemas.CityWeather.properties.current.$ref, "#/components/schemas/Current");
  assert.deepEqual(Object.keys(schemas.CityWeather.properties), TUTORIAL_FIELDS);
  assert.deepEqual(schemas.CityWeather.required, Object.keys(schemas.CityWeather.properties));
  assert.deepEqual(document.paths["/get_weather"].get.parameters[1].schema.enum, [
    "metric",
    "imperial",
    "si",
  ]);
});

for (const [method, path, headers] of EXERCISED) {
  Deno.test(`openapi.json describes ${method} ${path.slice(0, 60)} and its body validates`, async () => {
    const response = await handler(new Request(new URL(path, "http://localhost"), { method, headers }));
    const text = await response.text();
    const operation = document.paths[template(new URL(path, "http://localhost").pathname)];
    const spec = operation.get?.responses?.[String(response.status)];
    assert.ok(spec, `status ${response.status} of ${method} ${path} is not documented`);
    if (text === "") {
      assert.ok(method === "HEAD" || response.status === 304 || spec.content === undefined);
      return;
    }
    const mediaType = response.headers.get("content-type")!.split(";")[0]!;
    const schema = spec.content?.[mediaType]?.schema;
    assert.ok(schema, `${mediaType} body of ${response.status} is not documented`);
    const validate = ajv.compile(
      schema.$ref ? { $ref: `openapi.json${schema.$ref}` } : schema,
    );
    // HTML and FlatBuffers are documented as strings; JSON bodies are validated as values.
    const valid = validate(mediaType.endsWith("json") ? JSON.parse(text) : text);
    assert.ok(valid, `${method} ${path}: ${ajv.errorsText(validate.errors)}`);
  });
}

Deno.test("openapi.json documents the errors of a route that shapes its own in that shape", () => {
  for (const route of ROUTES) {
    const responses = document.paths[route.path].get.responses;
    for (const [status, response] of Object.entries<{ content?: Record<string, unknown> }>(responses)) {
      if (Number(status) < 400) continue;
      const types = Object.keys(response.content ?? {});
      if (route.errorSchema) {
        assert.deepEqual(types, ["application/json"], `${route.path} ${status}`);
        assert.deepEqual(response.content!["application/json"], {
          schema: { $ref: `#/components/schemas/${route.errorSchema}` },
        });
      } else assert.ok(types.includes("application/problem+json"), `${route.path} ${status}`);
    }
  }
  assert.equal(ROUTES.find((route) => route.path === "/v1/search")?.errorSchema, "OpenMeteoError");
});

Deno.test("openapi.json schemas reject Open-Meteo bodies that drift from Open-Meteo's shape", async () => {
  const error = ajv.compile({ $ref: "openapi.json#/components/schemas/OpenMeteoError" });
  assert.ok(error({ error: true, reason: "Not Found" }));
  assert.ok(!error({ error: "Not Found" }));
  assert.ok(!error({ error: true, reason: "x", code: "not_found" }));
  const compiled = ajv.compile({ $ref: "openapi.json#/components/schemas/GeocodingSearch" });
  const search = (body: unknown): boolean => compiled(body);
  const berlin = (await getJson(handler, "/v1/search?name=Berlin")).body;
  assert.ok(search(berlin));
  assert.ok(search({ generationtime_ms: 0.5 }));
  assert.ok(!search({ results: [], generationtime_ms: 0.5 }));
  assert.ok(!search({ ...berlin, results: [{ ...berlin.results[0], ranking: 1 }] }));
  assert.ok(!search({ ...berlin, results: [{ ...berlin.results[0], country_code: "de" }] }));
});

Deno.test("openapi.json schemas reject bodies that drift from the contract", async () => {
  const tokyo = (await getJson(handler, "/weather/Tokyo")).body;
  const compiled = ajv.compile({ $ref: "openapi.json#/components/schemas/CityWeather" });
  // A plain boolean: the compiled function is a type guard that would narrow `tokyo` to unknown.
  const validate = (body: unknown): boolean => compiled(body);
  assert.ok(validate(tokyo));
  assert.ok(!validate({ ...tokyo, current: { ...tokyo.current, humidity: "58" } }));
  assert.ok(!validate({ ...tokyo, extra: 1 }));
  // The city fields past the tutorial's own are not part of the body.
  for (const field of ["elevation", "population", "admin1", "aliases"]) {
    assert.ok(!validate({ ...tokyo, [field]: bundled.cities[0]![field as "elevation"] }), field);
  }
  const { units: _, ...withoutUnits } = tokyo;
  assert.ok(!validate(withoutUnits));
  assert.ok(!validate({ ...tokyo, current: { ...tokyo.current, observed_at: "yesterday" } }));
});
