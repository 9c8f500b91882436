// HTTP semantics of the handler: methods, caching, CORS, headers, units and limits.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { MIN_COMPRESSED_BODY } from "../src/compression.ts";
import { createHandler, type HandlerOptions } from "../src/handler.ts";
import { UNITS } from "../src/units.ts";
import { bundled, datasetOf, getJson } from "./_helpers.ts";

const make = (options: HandlerOptions = {}) => createHandler({ current: bundled }, options);
const handler = make();
const ROUTES = [
  "/weather/cities",
  "/get_weather?city=Tokyo",
  "/weather/Tokyo",
  "/v1/search?name=Tokyo",
  "/healthz",
  "/openapi.json",
];

async function call(h: ReturnType<typeof make>, path: string, init?: RequestInit) {
  const response = await h(new Request(new URL(path, "http://localhost"), init));
  return { response, text: await response.text() };
}

Deno.test("createHandler() answers HEAD like GET without a body", async () => {
  for (const path of ROUTES) {
    const get = await call(handler, path);
    const head = await call(handler, path, { method: "HEAD" });
    assert.equal(head.response.status, get.response.status, path);
    assert.equal(head.text, "", path);
    assert.equal(
      head.response.headers.get("content-length"),
      String(new TextEncoder().encode(get.text).length),
    );
    for (const name of ["content-type", "etag", "cache-control", "last-modified", "vary"]) {
      assert.equal(head.response.headers.get(name), get.response.headers.get(name), `${path} ${name}`);
    }
  }
  const missing = await call(handler, "/weather/Atlantis", { method: "HEAD" });
  assert.equal(missing.response.status, 404);
  assert.equal(missing.text, "");
});

Deno.test("createHandler() answers OPTIONS with 204 and Allow", async () => {
  for (const path of ROUTES) {
    const { response, text } = await call(handler, path, { method: "OPTIONS" });
    assert.equal(response.status, 204, path);
    assert.equal(response.headers.get("allow"), "GET, HEAD, OPTIONS");
    assert.equal(text, "");
  }
});

Deno.test("createHandler() returns 405 with Allow for other methods on known routes", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "PROPFIND"]) {
    const { status, headers, body } = await getJson(handler, "/weather/Tokyo", { method });
    assert.equal(status, 405, method);
    assert.equal(headers.get("allow"), "GET, HEAD, OPTIONS");
    assert.equal(headers.get("content-type"), "application/problem+json; charset=utf-8");
    assert.equal(body.code, "method_not_allowed");
    assert.equal(body.detail, `Method ${method} is not allowed on /weather/Tokyo: use GET, HEAD, OPTIONS`);
  }
});

Deno.test("createHandler() keeps 404 for unknown paths whatever the method", async () => {
  for (const method of ["GET", "POST", "OPTIONS", "DELETE"]) {
    const { status, body } = await getJson(handler, "/nowhere", { method });
    assert.equal(status, 404, method);
    assert.equal(body.code, "not_found");
  }
});

Deno.test("createHandler() never reads a request body", async () => {
  let pulled = 0;
  const body = new ReadableStream({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
  }, { highWaterMark: 0 });
  const { status } = await getJson(handler, "/weather/Lima", { method: "POST", body });
  assert.equal(status, 405);
  assert.equal(pulled, 0);
});

Deno.test("createHandler() sends a strong ETag, Cache-Control and Last-Modified on every 200", async () => {
  for (const path of ["/weather/cities", "/get_weather?city=Tokyo", "/weather/Tokyo"]) {
    const { response } = await call(handler, path);
    assert.match(response.headers.get("etag")!, /^"[0-9a-z]+"$/, path);
    assert.equal(response.headers.get("cache-control"), "max-age=10");
    assert.equal(response.headers.get("last-modified"), bundled.loadedAt.toUTCString());
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
  }
  const a = (await call(handler, "/weather/Tokyo")).response.headers.get("etag");
  const b = (await call(handler, "/get_weather?city=tokyo")).response.headers.get("etag");
  const c = (await call(handler, "/weather/Lima")).response.headers.get("etag");
  const d = (await call(handler, "/weather/Tokyo?units=imperial")).response.headers.get("etag");
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.notEqual(a, d);
});

Deno.test("createHandler() takes --max-age, with 0 meaning no-cache", async () => {
  assert.equal(
    (await call(make({ maxAge: 300 }), "/weather/cities")).response.headers.get("cache-control"),
    "max-age=300",
  );
  assert.equal(
    (await call(make({ maxAge: 0 }), "/weather/cities")).response.headers.get("cache-control"),
    "no-cache",
  );
});

Deno.test("createHandler() sends no-store on errors and health", async () => {
  assert.equal((await call(handler, "/weather/Atlantis")).response.headers.get("cache-control"), "no-store");
  const health = (await call(handler, "/healthz")).response;
  assert.equal(health.headers.get("cache-control"), "no-store");
  assert.equal(health.headers.get("etag"), null);
});

Deno.test("createHandler() answers If-None-Match with 304 and the same ETag", async () => {
  const first = (await call(handler, "/weather/Tokyo")).response;
  const etag = first.headers.get("etag")!;
  for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
    for (const method of ["GET", "HEAD"]) {
      const { response, text } = await call(handler, "/weather/Tokyo", {
        method,
        headers: { "if-none-match": header },
      });
      assert.equal(response.status, 304, `${method} ${header}`);
      assert.equal(text, "");
      assert.equal(response.headers.get("etag"), etag);
      assert.equal(response.headers.get("cache-control"), "max-age=10");
      assert.equal(response.headers.get("content-type"), null);
    }
  }
  const changed = await call(handler, "/weather/Tokyo", { headers: { "if-none-match": '"stale"' } });
  assert.equal(changed.response.status, 200);
  assert.equal(JSON.parse(changed.text).name, "Tokyo");
});

Deno.test("createHandler() honours If-Modified-Since only without If-None-Match", async () => {
  const later = new Date(bundled.loadedAt.getTime() + 60_000).toUTCString();
  const earlier = new Date(bundled.loadedAt.getTime() - 60_000).toUTCString();
  assert.equal(
    (await call(handler, "/weather/cities", { headers: { "if-modified-since": later } })).response.status,
    304,
  );
  assert.equal(
    (await call(handler, "/weather/cities", { headers: { "if-modified-since": earlier } })).response.status,
    200,
  );
  assert.equal(
    (await call(handler, "/weather/cities", { headers: { "if-modified-since": "garbage" } })).response.status,
    200,
  );
  const both = await call(handler, "/weather/cities", {
    headers: { "if-modified-since": later, "if-none-match": '"other"' },
  });
  assert.equal(both.response.status, 200);
});

Deno.test("createHandler() changes the ETag when the data changes", async () => {
  const source = { current: bundled };
  const h = createHandler(source);
  const before = (await call(h, "/weather/cities")).response.headers.get("etag")!;
  source.current = await datasetOf({ cities: [bundled.cities[1]] });
  const after = await call(h, "/weather/cities", { headers: { "if-none-match": before } });
  assert.equal(after.response.status, 200);
  assert.notEqual(after.response.headers.get("etag"), before);
});

Deno.test("createHandler() sends nosniff, charset and a request id on every answer", async () => {
  for (const [path, method] of [...ROUTES.map((p) => [p, "GET"]), ["/x", "GET"], ["/healthz", "POST"]]) {
    const { response } = await call(handler, path!, { method });
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
    assert.match(response.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
    assert.match(response.headers.get("content-type")!, /; charset=utf-8$/);
  }
  const echoed = (await call(handler, "/healthz", { headers: { "x-request-id": "trace-7" } })).response;
  assert.equal(echoed.headers.get("x-request-id"), "trace-7");
  const odd = (await call(handler, "/healthz", { headers: { "x-request-id": "a b<c>" } })).response;
  assert.match(odd.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
});

Deno.test("createHandler() sends no CORS headers by default", async () => {
  const { response } = await call(handler, "/weather/Tokyo", { headers: { origin: "https://app.example" } });
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  const preflight = await call(handler, "/weather/Tokyo", {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "GET" },
  });
  assert.equal(preflight.response.status, 204);
  assert.equal(preflight.response.headers.get("access-control-allow-origin"), null);
  assert.equal(preflight.response.headers.get("access-control-allow-methods"), null);
});

Deno.test("createHandler() with --cors allows any origin", async () => {
  const h = make({ cors: { kind: "any" } });
  const { response } = await call(h, "/weather/Tokyo", { headers: { origin: "https://app.example" } });
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.match(response.headers.get("access-control-expose-headers")!, /ETag, X-Request-Id/);
  assert.equal(response.headers.get("vary"), "Accept-Encoding");
  const error = (await call(h, "/weather/Atlantis", { headers: { origin: "https://a.example" } })).response;
  assert.equal(error.headers.get("access-control-allow-origin"), "*");
});

Deno.test("createHandler() with listed origins allows only those and varies on Origin", async () => {
  const h = make({ cors: { kind: "list", origins: new Set(["https://app.example"]) } });
  const allowed = (await call(h, "/weather/Tokyo", { headers: { origin: "https://app.example" } })).response;
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(allowed.headers.get("vary"), "Accept-Encoding, Origin");
  const refused = (await call(h, "/weather/Tokyo", { headers: { origin: "https://evil.example" } })).response;
  assert.equal(refused.status, 200);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.equal(refused.headers.get("vary"), "Accept-Encoding, Origin");
  const error = (await call(h, "/nowhere", { headers: { origin: "https://evil.example" } })).response;
  assert.equal(error.headers.get("vary"), "Origin");
});

Deno.test("createHandler() answers a CORS preflight for an allowed origin", async () => {
  const h = make({ cors: { kind: "list", origins: new Set(["https://app.example"]) } });
  const preflight = (origin: string) =>
    call(h, "/get_weather?city=Tokyo", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "GET",
        "access-control-request-headers": "if-none-match, x-request-id",
      },
    });
  const ok = (await preflight("https://app.example")).response;
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(ok.headers.get("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  assert.match(ok.headers.get("access-control-allow-headers")!, /If-None-Match.*X-Request-Id/);
  assert.equal(ok.headers.get("access-control-max-age"), "600");
  assert.match(
    ok.headers.get("vary")!,
    /Origin, Access-Control-Request-Method, Access-Control-Request-Headers/,
  );
  const refused = (await preflight("https://evil.example")).response;
  assert.equal(refused.status, 204);
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.equal(refused.headers.get("access-control-allow-methods"), null);
});

Deno.test("createHandler() converts weather into ?units= and names the units", async () => {
  const metric = (await getJson(handler, "/weather/Tokyo")).body;
  const imperial = (await getJson(handler, "/weather/Tokyo?units=imperial")).body;
  const si = (await getJson(handler, "/get_weather?city=Tokyo&units=si")).body;
  assert.deepEqual(metric.units, UNITS.metric);
  assert.deepEqual(imperial.units, UNITS.imperial);
  assert.deepEqual(si.units, UNITS.si);
  // Tokyo in the bundled data: 14.2 °C, feels 13.2 °C, 11.5 km/h, 1013.2 hPa.
  assert.equal(metric.current.temperature, 14.2);
  assert.equal(imperial.current.temperature, 57.6);
  assert.equal(imperial.current.feels_like, 55.8);
  assert.equal(imperial.current.wind_speed, 7.1);
  assert.equal(imperial.current.pressure, 29.92);
  assert.equal(si.current.temperature, 287.35);
  assert.equal(si.current.wind_speed, 3.2);
  assert.equal(si.current.pressure, 101320);
  assert.equal(si.current.humidity, metric.current.humidity);
});

Deno.test("createHandler() refuses unknown units with the allowed list", async () => {
  for (const units of ["kelvin", "metrics", ""]) {
    const { status, body } = await getJson(handler, `/weather/Tokyo?units=${units}`);
    assert.equal(status, 400, units);
    assert.equal(body.code, "bad_units");
    assert.deepEqual(body.allowed, ["metric", "imperial", "si"]);
    assert.match(body.detail, /expected "metric", "imperial", "si"$/);
  }
  const twice = await getJson(handler, "/weather/Tokyo?units=si&units=metric");
  assert.equal(twice.status, 400);
});

Deno.test("createHandler() takes units in any case", async () => {
  const metric = await call(handler, "/weather/Tokyo");
  for (const [units, like] of [["IMPERIAL", "imperial"], ["Metric", "metric"], ["sI", "si"]]) {
    const { response, text } = await call(handler, `/weather/Tokyo?units=${units}`);
    const expected = await call(handler, `/weather/Tokyo?units=${like}`);
    assert.equal(response.status, 200, units);
    assert.equal(text, expected.text, units);
    assert.equal(response.headers.get("etag"), expected.response.headers.get("etag"));
  }
  assert.equal(metric.response.status, 200);
});

Deno.test("createHandler() parses only the query parameters a route reads", async () => {
  for (
    const path of [
      "/healthz?units=bogus",
      "/openapi.json?units=si&units=metric",
      "/weather/cities?units=x&city=a&city=b",
    ]
  ) {
    const { response } = await call(handler, path);
    assert.equal(response.status, 200, path);
  }
  const weather = await call(handler, "/weather/Tokyo?city=a&city=b");
  assert.equal(weather.response.status, 200);
  const many = await getJson(handler, "/get_weather?city=a&city=b&units=si");
  assert.equal(many.status, 400);
  assert.equal(many.body.code, "bad_request");
});

Deno.test("createHandler() answers a path with a trailing slash as the path without it", async () => {
  for (
    const path of [
      "/healthz",
      "/weather/cities",
      "/weather/Tokyo",
      "/get_weather?city=Tokyo",
      "/openapi.json",
    ]
  ) {
    const [bare, query = ""] = path.split("?");
    const slashed = await call(handler, `${bare}/${query ? `?${query}` : ""}`);
    assert.equal(slashed.response.status, 200, path);
    if (bare !== "/healthz") assert.equal(slashed.text, (await call(handler, path)).text, path);
  }
  for (const path of ["/healthz//", "/weather/", "/weather//", "/nothing/"]) {
    const { response } = await call(handler, path);
    assert.equal(response.status, 404, path);
  }
});

Deno.test("createHandler() refuses an over-long city and URL with 414", async () => {
  const long = "a".repeat(201);
  for (const path of [`/get_weather?city=${long}`, `/weather/${long}`]) {
    const { status, body } = await getJson(handler, path);
    assert.equal(status, 414, path);
    assert.equal(body.code, "city_too_long");
    assert.equal(body.detail, "City name is 201 characters long: the limit is 200");
  }
  assert.equal((await getJson(handler, `/get_weather?city=${"a".repeat(200)}`)).status, 404);
  const huge = await getJson(handler, `/get_weather?city=Tokyo&pad=${"x".repeat(5000)}`);
  assert.equal(huge.status, 414);
  assert.equal(huge.body.code, "uri_too_long");
});

Deno.test("createHandler() serves its OpenAPI document", async () => {
  const { status, headers, body } = await getJson(handler, "/openapi.json");
  assert.equal(status, 200);
  assert.match(headers.get("etag")!, /^"/);
  assert.equal(body.openapi, "3.1.0");
  assert.deepEqual(
    Object.keys(body.paths).sort(),
    [
      "/",
      "/city/{city}",
      "/data/2.5/forecast",
      "/data/2.5/weather",
      "/data/3.0/onecall",
      "/data/3.0/onecall/timemachine",
      "/geo/1.0/direct",
      "/geo/1.0/reverse",
      "/geo/1.0/zip",
      "/get_forecast",
      "/get_weather",
      "/healthz",
      "/openapi.json",
      "/schema/weather.json",
      "/v1/forecast",
      "/v1/search",
      "/weather/cities",
      "/weather/{city}",
      "/weather/{city}/forecast",
    ],
  );
});

Deno.test("createHandler() keeps per-request headers out of the shared response templates", async () => {
  const h = make({ cors: { kind: "list", origins: new Set(["https://app.example"]) } });
  const first = await call(h, "/weather/Tokyo", {
    headers: { origin: "https://app.example", "x-request-id": "first" },
  });
  const second = await call(h, "/weather/Tokyo", { headers: { "x-request-id": "second" } });
  const third = await call(h, "/weather/Tokyo", { method: "HEAD", headers: { "x-request-id": "third" } });
  assert.equal(first.response.headers.get("x-request-id"), "first");
  assert.equal(first.response.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(second.response.headers.get("x-request-id"), "second");
  assert.equal(second.response.headers.get("access-control-allow-origin"), null);
  assert.equal(second.text, first.text);
  assert.equal(third.response.headers.get("x-request-id"), "third");
  assert.equal(third.text, "");
  // Bodies are shared by cloning, never consumed from the template.
  for (let i = 0; i < 3; i++) assert.equal((await call(h, "/weather/cities")).response.status, 200);
});

Deno.test("createHandler() serves precompressed bodies per Accept-Encoding", async () => {
  const plain = await call(handler, "/openapi.json");
  for (
    const [accept, coding, decompress] of [
      ["br", "br", brotliDecompressSync],
      ["gzip, deflate", "gzip", gunzipSync],
      ["gzip;q=0.5, br;q=0.9", "br", brotliDecompressSync],
    ] as const
  ) {
    const response = await handler(
      new Request("http://localhost/openapi.json", { headers: { "accept-encoding": accept } }),
    );
    assert.equal(response.headers.get("content-encoding"), coding, accept);
    assert.equal(response.headers.get("etag"), `W/${plain.response.headers.get("etag")}`);
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.ok(bytes.length < new TextEncoder().encode(plain.text).length);
    assert.equal(new TextDecoder().decode(decompress(bytes)), plain.text);
  }
  const identity = await call(handler, "/openapi.json", { headers: { "accept-encoding": "identity" } });
  assert.equal(identity.response.headers.get("content-encoding"), null);
  assert.equal(identity.text, plain.text);
  const revalidated = await call(handler, "/openapi.json", {
    headers: { "accept-encoding": "br", "if-none-match": `W/${plain.response.headers.get("etag")}` },
  });
  assert.equal(revalidated.response.status, 304);
});

Deno.test("createHandler() sends bodies under 1 KB uncompressed, whatever the client accepts", async () => {
  for (const path of ["/weather/Tokyo", "/weather/cities", "/get_weather?city=Tokyo&units=imperial"]) {
    const response = await call(handler, path, { headers: { "accept-encoding": "gzip, deflate, br" } });
    assert.ok(new TextEncoder().encode(response.text).length < MIN_COMPRESSED_BODY, path);
    assert.equal(response.response.headers.get("content-encoding"), null, path);
    assert.match(response.response.headers.get("etag")!, /^"/, path);
  }
});

Deno.test("createHandler() sends a body that compression would not shrink as it is", async () => {
  const tiny = createHandler({
    current: await datasetOf({ cities: [{ ...bundled.cities[0]!, name: "A" }] }),
  });
  const response = await call(tiny, "/weather/cities", { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(response.response.headers.get("content-encoding"), null);
  assert.equal(response.text, '{"cities":["A"]}');
  assert.match(response.response.headers.get("etag")!, /^"/);
});
