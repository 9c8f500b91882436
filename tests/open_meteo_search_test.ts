import assert from "node:assert/strict";
import fc from "fast-check";
import { searchCities } from "../src/dialects/open_meteo_search.ts";
import { placeIds } from "../src/city_ids.ts";
import { openMeteoErrorBody } from "../src/dialects/open_meteo_errors.ts";
import { createHandler } from "../src/handler.ts";
import { fail } from "../src/problem.ts";
import { bundled, datasetOf, getJson } from "./_helpers.ts";

const handler = createHandler({ current: bundled });
const JSON_TYPE = "application/json; charset=utf-8";

async function search(query: string, init?: RequestInit, h = handler) {
  const response = await h(new Request(`http://localhost/v1/search?${query}`, init));
  const text = await response.text();
  return { response, text, body: text === "" ? undefined : JSON.parse(text) };
}

const names = async (query: string) =>
  ((await search(query)).body.results ?? []).map((place: { name: string }) => place.name);

Deno.test("GET /v1/search finds a city by its exact name, in any case and with or without accents", async () => {
  for (const name of ["Berlin", "berlin", "BERLIN", "  berlin  "]) {
    assert.deepEqual(await names(`name=${encodeURIComponent(name)}`), ["Berlin"], name);
  }
  for (const name of ["São Paulo", "sao paulo", "SAO   PAULO", "Zurich", "zürich", "krakow", "Reykjavik"]) {
    const found = await names(`name=${encodeURIComponent(name)}`);
    assert.equal(found.length, 1, name);
  }
  assert.deepEqual(await names("name=sao%20paulo"), ["São Paulo"]);
});

Deno.test("GET /v1/search finds a city by an alias, and answers with its name", async () => {
  assert.deepEqual(await names("name=Bombay"), ["Mumbai"]);
  assert.deepEqual(await names("name=Peking"), ["Beijing"]);
  assert.deepEqual(await names(`name=${encodeURIComponent("北京")}`), ["Beijing"]);
  assert.deepEqual(await names("name=LA"), ["Los Angeles"]);
});

Deno.test("GET /v1/search finds names a query of 3 or more characters starts, most populous first", async () => {
  assert.deepEqual(await names("name=san"), ["Santiago"]);
  assert.deepEqual(await names("name=new"), ["New York"]);
  // "Ca": two characters find exact names only; "Cai" starts Cairo.
  assert.deepEqual(await names("name=ca"), []);
  assert.deepEqual(await names("name=cai"), ["Cairo"]);
  const data = await datasetOf({
    cities: [
      { ...bundled.cities[0]!, name: "Portland", population: 650_000, aliases: [] },
      { ...bundled.cities[1]!, name: "Porto", population: 230_000, aliases: [] },
      { ...bundled.cities[2]!, name: "Port", population: 100, aliases: [] },
      { ...bundled.cities[3]!, name: "Port Louis", population: 150_000, aliases: [] },
    ],
  });
  const own = createHandler({ current: data });
  const found = (await search("name=port", {}, own)).body.results.map((p: { name: string }) => p.name);
  // The exact name first, then the prefixes by population.
  assert.deepEqual(found, ["Port", "Portland", "Porto", "Port Louis"]);
  const two = (await search("name=port&count=2", {}, own)).body.results.map((p: { name: string }) => p.name);
  assert.deepEqual(two, ["Port", "Portland"]);
});

Deno.test("GET /v1/search finds a close misspelling when nothing else matches", async () => {
  assert.deepEqual(await names("name=Berln"), ["Berlin"]);
  assert.deepEqual(await names("name=Bombai"), ["Mumbai"]);
});

Deno.test("GET /v1/search keeps the cities of the country or region after a comma", async () => {
  for (const area of ["France", "FR", "fr", "Île-de-France", "ile-de-france"]) {
    assert.deepEqual(await names(`name=${encodeURIComponent(`Paris, ${area}`)}`), ["Paris"], area);
  }
  for (const area of ["US", "Germany", "Texas"]) {
    assert.deepEqual(await names(`name=${encodeURIComponent(`Paris, ${area}`)}`), [], area);
  }
  // Only the first area counts, and an empty one keeps everything.
  assert.deepEqual(await names(`name=${encodeURIComponent("Paris, France, Mars")}`), ["Paris"]);
  assert.deepEqual(await names(`name=${encodeURIComponent("Paris,")}`), ["Paris"]);
  assert.deepEqual(await names(`name=${encodeURIComponent("Cape Town, Western Cape")}`), ["Cape Town"]);
});

Deno.test("GET /v1/search keeps the cities of countryCode, in any case", async () => {
  assert.deepEqual(await names("name=Lima&countryCode=PE"), ["Lima"]);
  assert.deepEqual(await names("name=Lima&countryCode=pe"), ["Lima"]);
  assert.deepEqual(await names("name=Lima&countryCode=US"), []);
  assert.deepEqual(await names("name=Lima&countryCode=Peru"), []);
});

Deno.test("GET /v1/search answers at most count places, 10 by default", async () => {
  const cities = Array.from({ length: 120 }, (_, i) => ({
    ...bundled.cities[0]!,
    name: `Springfield ${i}`,
    population: 1000 + i,
    aliases: [],
  }));
  const own = createHandler({ current: await datasetOf({ cities }) });
  const count = async (query: string) => (await search(query, {}, own)).body.results.length;
  assert.equal(await count("name=springfield"), 10);
  assert.equal(await count("name=springfield&count=1"), 1);
  assert.equal(await count("name=springfield&count=100"), 100);
  assert.equal(await count("name=springfield&count=%2B7"), 7);
  const top = (await search("name=springfield&count=3", {}, own)).body.results.map((p: { name: string }) =>
    p.name
  );
  assert.deepEqual(top, ["Springfield 119", "Springfield 118", "Springfield 117"]);
});

Deno.test("GET /v1/search refuses a bad count, format or a missing name with Open-Meteo's 400", async () => {
  const cases: [string, string][] = [
    ["name=Tokyo&count=0", "Parameter count must be between 1 and 100."],
    ["name=Tokyo&count=101", "Parameter count must be between 1 and 100."],
    ["name=Tokyo&count=-3", "Parameter count must be between 1 and 100."],
    [
      "name=Tokyo&count=abc",
      "Value was not of type 'Int' at path 'count'. Data found at 'count' was not Int.",
    ],
    [
      "name=Tokyo&count=2.5",
      "Value was not of type 'Int' at path 'count'. Data found at 'count' was not Int.",
    ],
    ["name=Tokyo&count=", "Value was not of type 'Int' at path 'count'. Data found at 'count' was not Int."],
    ["", "No value found (expected type 'String') at path 'name'. No String was found at 'name'."],
    ["count=3", "No value found (expected type 'String') at path 'name'. No String was found at 'name'."],
    ["name=Tokyo&format=protobuf", "This server answers format=json only, not protobuf."],
    ["name=Tokyo&format=xml", 'Unknown format "xml": expected json.'],
  ];
  for (const [query, reason] of cases) {
    const { response, text } = await search(query);
    assert.equal(response.status, 400, query);
    assert.equal(response.headers.get("content-type"), JSON_TYPE, query);
    assert.equal(response.headers.get("cache-control"), "no-store", query);
    assert.equal(text, JSON.stringify({ error: true, reason }), query);
  }
});

Deno.test("GET /v1/search ignores language, apikey and format=json", async () => {
  const plain = (await search("name=Tokyo")).text;
  for (const extra of ["language=de", "language=xx", "apikey=secret", "format=json"]) {
    assert.equal((await search(`name=Tokyo&${extra}`)).text, plain, extra);
  }
});

Deno.test("GET /v1/search finds nothing for a name under 2 characters, and answers no results key", async () => {
  for (const query of ["name=", "name=T", "name=%20%20T%20", "name=x", "name=Zzyzx%20Qqq"]) {
    const { response, text } = await search(query);
    assert.equal(response.status, 200, query);
    assert.equal(response.headers.get("content-type"), JSON_TYPE);
    assert.match(text, /^\{"generationtime_ms":\d+\.\d+\}$/, query);
  }
});

Deno.test("GET /v1/search answers Open-Meteo's fields in Open-Meteo's order", async () => {
  const { text, body } = await search("name=Berlin");
  assert.equal(
    text.replace(/"generationtime_ms":[\d.]+/, '"generationtime_ms":0'),
    '{"results":[{"id":' + body.results[0].id + ',"name":"Berlin","latitude":52.52,"longitude":13.405,' +
      '"elevation":34.0,"feature_code":"PPL","country_code":"DE","timezone":"Europe/Berlin",' +
      '"population":3800000,"country":"Germany","admin1":"Berlin"}],"generationtime_ms":0}',
  );
  assert.deepEqual(Object.keys(body), ["results", "generationtime_ms"]);
});

Deno.test("GET /v1/search leaves out the fields a city has no value for", async () => {
  const { admin1: _, population: __, elevation: ___, ...bare } = bundled.cities[0]!;
  const data = await datasetOf({
    cities: [
      { ...bare, name: "Nowhere", aliases: [] },
      { ...bare, name: "Null Island", latitude: 0, longitude: 0, elevation: 0, population: 0, country: "AQ" },
    ],
  });
  const own = createHandler({ current: data });
  const nowhere = (await search("name=nowhere", {}, own)).body.results[0];
  assert.deepEqual(Object.keys(nowhere), [
    "id",
    "name",
    "latitude",
    "longitude",
    "feature_code",
    "country_code",
    "timezone",
    "country",
  ]);
  assert.equal(nowhere.country, "Japan");
  const island = (await search("name=null%20island", {}, own)).body.results[0];
  assert.deepEqual(Object.keys(island), [
    "id",
    "name",
    "feature_code",
    "country_code",
    "timezone",
    "country",
  ]);
  assert.equal(island.country, "Antarctica");
});

Deno.test("GET /v1/search ids are stable across data files and distinct across the bundled cities", async () => {
  const ids = placeIds(bundled.cities);
  assert.equal(new Set(ids).size, bundled.cities.length);
  for (const id of ids) assert.ok(id >= 1_000_000 && id <= 9_999_999, String(id));
  // The same cities, reordered and a few dropped, in a separately loaded dataset.
  const other = await datasetOf({ cities: bundled.cities.slice(5).reverse() });
  const otherHandler = createHandler({ current: other });
  for (const city of ["Berlin", "Tokyo", "McMurdo Station", "São Paulo"]) {
    const here = (await search(`name=${encodeURIComponent(city)}`)).body.results[0];
    const there = (await search(`name=${encodeURIComponent(city)}`, {}, otherHandler)).body.results?.[0];
    if (city === "Tokyo") {
      assert.equal(there, undefined);
      continue;
    }
    assert.equal(here.id, there.id, city);
  }
});

Deno.test("placeIds() settles a collision by the cities' identities, not their order", () => {
  // "Town 4479" and "Town 14186" of ZZ hash to the same first candidate.
  const [a, b] = ["Town 4479", "Town 14186"].map((name) => ({ ...bundled.cities[0]!, name, country: "ZZ" }));
  const forward = placeIds([a!, b!]);
  const backward = placeIds([b!, a!]);
  assert.notEqual(forward[0], forward[1]);
  assert.deepEqual([forward[0], forward[1]], [backward[1], backward[0]]);
  // The one that sorts first ("town 14186") keeps the plain hash; alone, each gets it.
  assert.equal(forward[1], placeIds([b!])[0]);
  assert.equal(forward[0] === placeIds([a!])[0], false);
});

Deno.test("GET /v1/search answers the same bytes for the same question, in any process", async () => {
  const first = await search("name=tokyo&count=3");
  const again = await search("name=tokyo&count=3");
  assert.equal(first.text, again.text);
  assert.equal(first.response.headers.get("etag"), again.response.headers.get("etag"));
  const other = createHandler({ current: await datasetOf({ cities: bundled.cities }) });
  assert.equal((await search("name=tokyo&count=3", {}, other)).text, first.text);
  // The same lookup key is the same question; another count is another one.
  assert.equal((await search("name=%20TOKYO%20&count=3")).text, first.text);
  assert.notEqual((await search("name=tokyo&count=4")).text, first.text);
  const time = (text: string) => Number(JSON.parse(text).generationtime_ms);
  assert.ok(time(first.text) >= 0.15 && time(first.text) <= 1, first.text);
});

Deno.test("GET /v1/search answers the mock controls in Open-Meteo's shape", async () => {
  const cases: [number, string][] = [
    [429, "Minutely API request limit exceeded. Please try again in one minute."],
    [503, "The service is overloaded"],
    [500, "Internal Server Error"],
    [404, "Not Found"],
    [400, 'Simulated 400 Bad Request, asked for by "Prefer: code=400"'],
  ];
  for (const [status, reason] of cases) {
    const { response, text } = await search("name=Tokyo", { headers: { prefer: `code=${status}` } });
    assert.equal(response.status, status);
    assert.equal(response.headers.get("content-type"), JSON_TYPE);
    assert.equal(text, JSON.stringify({ error: true, reason }));
    if (status === 429 || status === 503) assert.equal(response.headers.get("retry-after"), "1");
  }
  const limited = createHandler({ current: bundled }, {
    controls: { rateLimit: { limit: 1, windowMs: 60_000 } },
    now: () => 0,
  });
  assert.equal((await search("name=Tokyo", {}, limited)).response.status, 200);
  const over = await search("name=Tokyo", {}, limited);
  assert.equal(over.response.status, 429);
  assert.deepEqual(over.body, {
    error: true,
    reason: "Minutely API request limit exceeded. Please try again in one minute.",
  });
  const failing = createHandler({ current: bundled }, { controls: { failRate: 1, seed: 1 } });
  const down = await search("name=Tokyo", {}, failing);
  assert.equal(down.response.status, 503);
  assert.deepEqual(down.body, { error: true, reason: "The service is overloaded" });
});

Deno.test("GET /v1/search refuses other methods in Open-Meteo's shape", async () => {
  const { response, body } = await search("name=Tokyo", { method: "POST" });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET, HEAD, OPTIONS");
  assert.deepEqual(body, { error: true, reason: "Method Not Allowed" });
});

Deno.test("openMeteoErrorBody() gives a 400 its detail and other statuses Open-Meteo's reasons", () => {
  assert.deepEqual(openMeteoErrorBody(fail("bad_parameter", "Parameter count must be between 1 and 100.")), {
    status: 400,
    body: '{"error":true,"reason":"Parameter count must be between 1 and 100."}',
  });
  assert.deepEqual(JSON.parse(openMeteoErrorBody(fail("uri_too_long", "long")).body), {
    error: true,
    reason: "URI Too Long",
  });
  assert.equal(openMeteoErrorBody(fail("method_not_allowed", "no")).status, 405);
});

Deno.test("GET /v1/search answers HEAD, an ETag and 304", async () => {
  const get = await search("name=Tokyo");
  const etag = get.response.headers.get("etag")!;
  assert.match(etag, /^"/);
  assert.equal(get.response.headers.get("last-modified"), bundled.lastModified);
  const head = await search("name=Tokyo", { method: "HEAD" });
  assert.equal(head.response.status, 200);
  assert.equal(head.text, "");
  assert.equal(head.response.headers.get("etag"), etag);
  assert.equal(
    head.response.headers.get("content-length"),
    String(new TextEncoder().encode(get.text).length),
  );
  const cached = await search("name=Tokyo", { headers: { "if-none-match": etag } });
  assert.equal(cached.response.status, 304);
  assert.equal(cached.text, "");
  const changed = await search("name=Tokyo&count=2", { headers: { "if-none-match": etag } });
  assert.equal(changed.response.status, 200);
});

Deno.test("GET /v1/search lists the route in the endpoint index", async () => {
  const { body } = await getJson(handler, "/");
  assert.ok(body.endpoints.some((e: { path: string }) => e.path === "/v1/search?name={name}"));
});

/** `name` in random case, with accents added and white space around and between its words. */
const disguised = (name: string) =>
  fc.tuple(
    fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }),
    fc.array(fc.constantFrom("", "", "\u0301", "\u0308", "\u0303"), {
      minLength: name.length,
      maxLength: name.length,
    }),
    fc.constantFrom("", " ", "  ", "\t"),
    fc.constantFrom(" ", "  ", " \t "),
  ).map(([upper, marks, edge, gap]) => {
    const chars = [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase()) + marks[i]);
    return edge + chars.join("").replace(/ +/g, gap) + edge;
  });

Deno.test("GET /v1/search finds any bundled city first by its name in any case, accents and spacing", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...bundled.cities).chain((city) =>
        disguised(city.name).map((query) => ({ city, query }))
      ),
      async ({ city, query }) => {
        const { body } = await search(`name=${encodeURIComponent(query)}`);
        assert.equal(body.results?.[0]?.name, city.name, JSON.stringify(query));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("searchCities() answers positions best first, at most count", () => {
  assert.deepEqual(searchCities(bundled, { name: "Bombay", count: 10 }), [3]);
  assert.deepEqual(searchCities(bundled, { name: "Tokyo", count: 1, countryCode: "jp" }), [0]);
  fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.integer({ min: 1, max: 100 }), (name, count) => {
    const found = searchCities(bundled, { name, count });
    assert.ok(found.length <= count);
    assert.equal(new Set(found).size, found.length);
  }));
});
