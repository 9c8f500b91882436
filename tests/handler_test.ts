import assert from "node:assert/strict";
import { createDataset } from "../src/dataset.ts";
import { createHandler } from "../src/handler.ts";
import { HealthSchema } from "../src/schema.ts";
import {
  bundled,
  bundledHandler,
  datasetOf,
  getJson,
  type JsonResult,
  ROOT,
  TUTORIAL_FIELDS,
  versionFile,
} from "./_helpers.ts";

const handler = bundledHandler();

function assertProblem(
  result: JsonResult,
  status: number,
  code: string,
  detail: RegExp,
) {
  assert.equal(result.status, status);
  assert.equal(result.headers.get("content-type"), "application/problem+json; charset=utf-8");
  assert.equal(result.body.status, status);
  assert.equal(result.body.code, code);
  assert.equal(typeof result.body.title, "string");
  assert.equal(result.body.type, "about:blank");
  assert.match(result.body.detail, detail);
  assert.equal(result.body.error, result.body.detail);
}

Deno.test("createHandler() lists the cities in data-file order", async () => {
  const { status, headers, body } = await getJson(handler, "/weather/cities");
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
  assert.deepEqual(Object.keys(body), ["cities"]);
  assert.deepEqual(body.cities, bundled.cities.map((city) => city.name));
});

Deno.test("createHandler() answers /get_weather with the city, its current weather and units", async () => {
  const { status, body } = await getJson(handler, "/get_weather?city=Tokyo");
  assert.equal(status, 200);
  const { name, country, latitude, longitude, timezone, current } = bundled
    .cities[bundled.index.find("Tokyo")!]!;
  assert.deepEqual(body, { name, country, latitude, longitude, timezone, current, units: body.units });
  assert.deepEqual(Object.keys(body), TUTORIAL_FIELDS);
  assert.deepEqual(body.units, {
    temperature: "°C",
    feels_like: "°C",
    humidity: "%",
    wind_speed: "km/h",
    wind_direction: "°",
    pressure: "hPa",
  });
});

Deno.test("createHandler() answers /weather/{city} like /get_weather", async () => {
  const rest = await getJson(handler, "/weather/S%C3%A3o%20Paulo");
  const query = await getJson(handler, "/get_weather?city=S%C3%A3o+Paulo");
  assert.equal(rest.status, 200);
  assert.equal(rest.body.name, "São Paulo");
  assert.deepEqual(rest.body, query.body);
});

Deno.test("createHandler() answers the tutorial routes with their fields only, whatever a city carries", async () => {
  for (const city of bundled.cities) {
    assert.ok(city.elevation !== undefined && city.aliases !== undefined, city.name);
    for (
      const path of [
        `/get_weather?city=${encodeURIComponent(city.name)}&units=si`,
        `/weather/${encodeURIComponent(city.name)}`,
      ]
    ) {
      const { status, body } = await getJson(handler, path);
      assert.equal(status, 200, path);
      assert.deepEqual(Object.keys(body), TUTORIAL_FIELDS, path);
    }
  }
  // Scenarios, and a field the schema does not know yet, as one the data file may gain, stay out as well.
  const [tokyo] = bundled.cities;
  const scenarios = [{ from: "+1h", to: "+3h", ramp_hours: 2, set: { temperature: 30 } }];
  const future = { ...tokyo!, scenarios, radar: "none", elevation: 40, aliases: ["Edo"] };
  const data = await createDataset({ cities: [future] }, new Uint8Array(), "future.json");
  const { body } = await getJson(createHandler({ current: data }), "/weather/Edo");
  assert.deepEqual(Object.keys(body), TUTORIAL_FIELDS);
  assert.equal(body.name, "Tokyo");
});

Deno.test("createHandler() finds a city by an alias and answers with its own name", async () => {
  const cases = [
    ["/weather/Bombay", "Mumbai"],
    ["/get_weather?city=PEKING", "Beijing"],
    ["/get_weather?city=mexico%20%20city", "Ciudad de México"],
    ["/weather/%E5%8C%97%E4%BA%AC", "Beijing"],
    ["/weather/nyc", "New York"],
  ];
  const mumbai = await getJson(handler, "/weather/Mumbai");
  for (const [path, name] of cases) {
    const { status, body } = await getJson(handler, path!);
    assert.equal(status, 200, path);
    assert.equal(body.name, name, path);
  }
  assert.deepEqual((await getJson(handler, "/weather/bombay")).body, mumbai.body);
});

Deno.test("createHandler() finds cities ignoring case, accents and white space", async () => {
  for (const spelling of ["sao paulo", "SÃO PAULO", " São  Paulo ", "SAO\tPAULO"]) {
    const { status, body } = await getJson(handler, `/get_weather?city=${encodeURIComponent(spelling)}`);
    assert.equal(status, 200, spelling);
    assert.equal(body.name, "São Paulo");
  }
  assert.equal((await getJson(handler, "/weather/zurich")).body.name, "Zürich");
});

Deno.test("createHandler() returns 400 for a missing or empty city", async () => {
  for (const path of ["/get_weather", "/get_weather?city=", "/get_weather?city=%20%20", "/weather/%20"]) {
    assertProblem(await getJson(handler, path), 400, "missing_city", /Give a city name/);
  }
});

Deno.test("createHandler() returns 400 for several city parameters", async () => {
  assertProblem(
    await getJson(handler, "/get_weather?city=Tokyo&city=Paris"),
    400,
    "bad_request",
    /one "city"/,
  );
});

Deno.test("createHandler() returns 404 for an unknown city with suggestions", async () => {
  const result = await getJson(handler, "/get_weather?city=Tokio");
  assertProblem(result, 404, "city_not_found", /^Cannot find city "Tokio": did you mean "Tokyo"\?$/);
  assert.equal(result.body.city, "Tokio");
  assert.deepEqual(result.body.suggestions, ["Tokyo"]);
  const alias = await getJson(handler, "/weather/Bombai");
  assertProblem(alias, 404, "city_not_found", /^Cannot find city "Bombai": did you mean "Mumbai"\?$/);
  assert.deepEqual(alias.body.suggestions, ["Mumbai"]);
  const none = await getJson(handler, "/weather/Atlantis");
  assertProblem(none, 404, "city_not_found", /^Cannot find city "Atlantis"$/);
  assert.deepEqual(none.body.suggestions, []);
});

Deno.test("createHandler() returns 404 for an unknown path", async () => {
  for (
    const path of [
      "/weather",
      "/weather/",
      "/weather/Tokyo/extra",
      "/get_weather/Tokyo",
      "/WEATHER/cities",
    ]
  ) {
    assertProblem(await getJson(handler, path), 404, "not_found", /No route for path/);
  }
});

Deno.test("createHandler() returns 400 for a city that is not valid percent-encoding", async () => {
  assertProblem(await getJson(handler, "/weather/%E0%A4"), 400, "bad_request", /Cannot decode/);
  assertProblem(await getJson(handler, "/weather/%"), 400, "bad_request", /Cannot decode/);
});

Deno.test("createHandler() returns 400 for a Host header that is not a host", async () => {
  // Deno.serve builds request.url from the Host header, so "a b" made it unparseable (a 500) and
  // "x/weather/cities?" moved the path; a Host of any other shape is refused before routing.
  for (const host of ["a b", "x/weather/cities?a=", "a#b", "a\\b", "x@y", "[::1", "x:99999x"]) {
    const result = await getJson(handler, "/healthz", { headers: { host } });
    assertProblem(
      result,
      400,
      "bad_request",
      /^Invalid Host header ".*": expected a host and an optional port$/,
    );
  }
  const fake = { method: "GET", url: "http://x:99999/healthz", headers: new Headers({ host: "x:99999" }) };
  assertProblem(await getJson(() => handler(fake as Request), "/"), 400, "bad_request", /Invalid Host/);
  for (
    const host of [
      "localhost",
      "127.0.0.1:5000",
      "[::1]:5000",
      "weather.example",
      "xn--caf-dma.example:80",
      "",
    ]
  ) {
    assert.equal((await getJson(handler, "/healthz", { headers: { host } })).status, 200, host);
  }
});

Deno.test("createHandler() serves the data file's JSON Schema, as committed, with an ETag", async () => {
  const { status, headers, body } = await getJson(handler, "/schema/weather.json");
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
  assert.deepEqual(body, JSON.parse(await Deno.readTextFile(new URL("data/weather.schema.json", ROOT))));
  const etag = headers.get("etag")!;
  assert.match(etag, /^"/);
  const again = await handler(
    new Request("http://localhost/schema/weather.json", { headers: { "if-none-match": etag } }),
  );
  assert.equal(again.status, 304);
  await again.body?.cancel();
});

Deno.test("createHandler() reports health with the number of cities and data version", async () => {
  const { status, body } = await getJson(handler, "/healthz");
  assert.equal(status, 200);
  assert.equal(body.status, "ok");
  assert.equal(body.cities, bundled.cities.length);
  assert.equal(body.version, bundled.version);
  assert.match(body.version, /^[0-9a-f]{16}$/);
  assert.equal(body.loaded_at, bundled.loadedAt.toISOString());
  assert.equal(body.source, "weather.json");
  assert.equal(body.last_reload_error, null);
  assert.deepEqual(HealthSchema.parse(body), body);
});

Deno.test("createHandler() reports the last reload error of its source in health", async () => {
  const failed = createHandler({ current: bundled, lastReloadError: 'Cannot parse "x.json" as JSON: oops' });
  const { status, body } = await getJson(failed, "/healthz");
  assert.equal(status, 200);
  assert.equal(body.version, bundled.version);
  assert.equal(body.last_reload_error, 'Cannot parse "x.json" as JSON: oops');
});

Deno.test("createHandler() serves whichever dataset the source holds now", async () => {
  const source = { current: bundled };
  const swapped = createHandler(source);
  const one = await datasetOf({ cities: [{ ...bundled.cities[0]!, name: "Atlantis" }] });
  assert.equal((await getJson(swapped, "/weather/Atlantis")).status, 404);
  source.current = one;
  assert.deepEqual((await getJson(swapped, "/weather/cities")).body, { cities: ["Atlantis"] });
});

Deno.test("createHandler() turns an exception into a generic 500 and reports it", async () => {
  const failing = {
    get current(): never {
      throw new Error("disk on fire");
    },
  };
  const seen: unknown[] = [];
  const result = await getJson(createHandler(failing, { onError: (error) => seen.push(error) }), "/healthz");
  assertProblem(result, 500, "internal_error", /^The server failed to answer this request$/);
  assert.doesNotMatch(JSON.stringify(result.body), /disk on fire|at /);
  assert.equal((seen[0] as Error).message, "disk on fire");
});

Deno.test("createHandler() answers a URL asked again as it did, until the data changes", async () => {
  const source = { current: bundled };
  const swapped = createHandler(source);
  const first = await getJson(swapped, "/weather/Tokyo");
  const again = await getJson(swapped, "/weather/Tokyo");
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get("etag"), first.headers.get("etag"));
  assert.notEqual(again.headers.get("x-request-id"), first.headers.get("x-request-id"));
  const head = await swapped(new Request("http://localhost/weather/Tokyo", { method: "HEAD" }));
  const bytes = new TextEncoder().encode(JSON.stringify(first.body)).length;
  assert.equal(head.headers.get("content-length"), String(bytes));
  assert.equal(await head.text(), "");
  const revalidated = await swapped(
    new Request("http://localhost/weather/Tokyo", {
      headers: { "if-none-match": first.headers.get("etag")! },
    }),
  );
  assert.equal(revalidated.status, 304);
  assert.deepEqual(
    (await getJson(swapped, "/weather/cities")).body.cities,
    bundled.cities.map((c) => c.name),
  );
  source.current = await datasetOf(versionFile(3));
  assert.equal((await getJson(swapped, "/weather/Tokyo")).body.current.condition, "Version 3");
  assert.deepEqual((await getJson(swapped, "/weather/cities")).body.cities.slice(0, 2), ["Tokyo", "Town 3"]);
});

Deno.test("createHandler() checks Host, Prefer, Accept and the method of a URL it answered before", async () => {
  const fresh = bundledHandler();
  assert.equal((await getJson(fresh, "/weather/cities", { headers: { host: "localhost" } })).status, 200);
  // Deno builds request.url from the Host: Host "localhost/weather" and a path of "/cities" give this URL.
  const moved = await getJson(fresh, "/weather/cities", { headers: { host: "localhost/weather" } });
  assertProblem(moved, 400, "bad_request", /Invalid Host header "localhost\/weather"/);
  const simulated = await getJson(fresh, "/weather/cities", { headers: { prefer: "code=503" } });
  assertProblem(simulated, 503, "service_unavailable", /Simulated 503/);
  const refused = await fresh(new Request("http://localhost/weather/cities", { method: "DELETE" }));
  assert.equal(refused.status, 405);
  await refused.body?.cancel();
  // The front page's answer depends on Accept: it is made again each time.
  assert.equal((await getJson(fresh, "/")).headers.get("content-type"), "application/json; charset=utf-8");
  const page = await fresh(new Request("http://localhost/", { headers: { accept: "text/html" } }));
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  await page.body?.cancel();
});
