import assert from "node:assert/strict";
import type { Cacheable } from "../src/cached_response.ts";
import { jsonRepresentation } from "../src/http.ts";
import { fail } from "../src/problem.ts";
import { createHandler } from "../src/handler.ts";
import { findRoute, type Route, ROUTES } from "../src/routes.ts";
import { createUrlMemo, MAX_KEPT_URL_LENGTH } from "../src/url_memo.ts";
import { bundled, datasetOf } from "./_helpers.ts";

const city = findRoute("/weather/Tokyo")!;
const health = findRoute("/healthz")!;
const openApi = findRoute("/openapi.json")!;
const cities = findRoute("/weather/cities")!;
const outcome: Cacheable = { kind: "representation", representation: jsonRepresentation({ a: 1 }) };

const get = (url: string, init?: RequestInit) => new Request(`http://localhost${url}`, init);

function kept(memo: ReturnType<typeof createUrlMemo>, route: Route, url: string): void {
  memo.keep(get(url), route, outcome, bundled);
}

Deno.test("createUrlMemo() finds what it kept for the same URL and data, for GET and HEAD", () => {
  const memo = createUrlMemo();
  assert.equal(memo.find(get("/weather/Tokyo"), bundled), undefined);
  kept(memo, city, "/weather/Tokyo");
  assert.deepEqual(memo.find(get("/weather/Tokyo"), bundled), { route: city, outcome, data: bundled });
  assert.equal(memo.find(get("/weather/Tokyo", { method: "HEAD" }), bundled)?.outcome, outcome);
  // Another spelling is another URL, and so is another Host.
  assert.equal(memo.find(get("/weather/tokyo"), bundled), undefined);
  assert.equal(memo.find(new Request("http://127.0.0.1/weather/Tokyo"), bundled), undefined);
  for (const method of ["POST", "OPTIONS", "DELETE"]) {
    assert.equal(memo.find(get("/weather/Tokyo", { method }), bundled), undefined, method);
  }
});

Deno.test("createUrlMemo() gives nothing kept from other data: a reload makes answers again", async () => {
  const memo = createUrlMemo();
  kept(memo, city, "/weather/Tokyo");
  const reloaded = await datasetOf({ cities: [bundled.cities[0]] });
  assert.equal(memo.find(get("/weather/Tokyo"), reloaded), undefined);
  memo.keep(get("/weather/Tokyo"), city, outcome, reloaded);
  assert.equal(memo.find(get("/weather/Tokyo"), reloaded)?.data, reloaded);
  assert.equal(memo.find(get("/weather/Tokyo"), bundled), undefined);
  assert.equal(memo.size, 1);
});

Deno.test("createUrlMemo() keeps only representations of routes whose answers are the same for a URL", () => {
  const memo = createUrlMemo();
  assert.equal(health.sameForUrl, undefined);
  memo.keep(get("/healthz"), health, outcome, bundled);
  memo.keep(get("/weather/Nowhere"), city, fail("city_not_found", "No city"), bundled);
  memo.keep(get("/weather/Tokyo", { method: "POST" }), city, outcome, bundled);
  memo.keep(get(`/weather/Tokyo?${"x".repeat(MAX_KEPT_URL_LENGTH)}`), city, outcome, bundled);
  assert.equal(memo.size, 0);
  kept(memo, city, `/weather/Tokyo?${"x".repeat(MAX_KEPT_URL_LENGTH - 40)}`);
  assert.equal(memo.size, 1);
});

Deno.test("createUrlMemo() leaves a bad Host and a Prefer on an API route to the whole path", () => {
  const memo = createUrlMemo();
  kept(memo, cities, "/weather/cities");
  kept(memo, openApi, "/openapi.json");
  // Deno builds the URL from the Host header: Host "localhost/weather" and a path of "/cities" give this URL.
  const moved = get("/weather/cities", { headers: { host: "localhost/weather" } });
  assert.equal(memo.find(moved, bundled), undefined);
  assert.ok(memo.find(get("/weather/cities", { headers: { host: "localhost" } }), bundled));
  const prefer = { headers: { prefer: "code=503" } };
  assert.equal(memo.find(get("/weather/cities", prefer), bundled), undefined);
  // The gate reads Prefer on API routes only.
  assert.equal(openApi.api, false);
  assert.ok(memo.find(get("/openapi.json", prefer), bundled));
});

Deno.test("createUrlMemo() keeps at most its limit, forgetting the URL kept longest", () => {
  const memo = createUrlMemo(3);
  for (const name of ["A", "B", "C"]) kept(memo, city, `/weather/${name}`);
  // A hit leaves the order alone.
  assert.ok(memo.find(get("/weather/A"), bundled));
  kept(memo, city, "/weather/D");
  assert.equal(memo.size, 3);
  assert.equal(memo.find(get("/weather/A"), bundled), undefined);
  for (const name of ["B", "C", "D"]) assert.ok(memo.find(get(`/weather/${name}`), bundled), name);
  // Keeping a URL again moves it to the end of the line.
  kept(memo, city, "/weather/B");
  kept(memo, city, "/weather/E");
  assert.equal(memo.find(get("/weather/C"), bundled), undefined);
  assert.ok(memo.find(get("/weather/B"), bundled));
});

Deno.test("routes that say sameForUrl answer a URL the same whatever the clock, the seed and the headers", async () => {
  const kept = ROUTES.filter((route) => route.sameForUrl);
  assert.deepEqual(kept.map((route) => route.path), [
    "/weather/cities",
    "/get_weather",
    "/weather/{city}",
    "/openapi.json",
    "/schema/weather.json",
  ]);
  const handlers = [
    createHandler({ current: bundled }, { frozenClock: Date.UTC(2026, 0, 1), controls: { seed: 1 } }),
    createHandler({ current: bundled }, { frozenClock: Date.UTC(2026, 6, 1, 12), controls: { seed: 2 } }),
  ];
  const asks: RequestInit[] = [{}, {
    headers: { accept: "text/html", "accept-language": "de", origin: "http://a" },
  }];
  for (const route of kept) {
    const path = route.path.replace("{city}", "Lima") + (route.query.city ? "?city=Lima&units=imperial" : "");
    const bodies = new Set<string>();
    for (const handler of handlers) {
      for (const init of asks) {
        const response = await handler(new Request(`http://localhost${path}`, init));
        assert.equal(response.status, 200, path);
        bodies.add(`${response.headers.get("etag")} ${await response.text()}`);
      }
    }
    assert.equal(bodies.size, 1, path);
  }
});
