import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CITY_PARAMETER,
  displayPath,
  findRoute,
  routePath,
  ROUTES,
  routesHelp,
  UNITS_PARAMETER,
} from "../src/routes.ts";
import { BadParameterError } from "../src/problem.ts";

const byPath = (path: string) => ROUTES.find((route) => route.path === path)!;

Deno.test("findRoute() finds each route by its path, and a templated one by any one segment", () => {
  for (const route of ROUTES) {
    if (!route.path.includes("{")) assert.equal(findRoute(route.path), route, route.path);
  }
  assert.equal(findRoute("/weather/Tokyo"), byPath("/weather/{city}"));
  assert.equal(findRoute("/weather/S%C3%A3o%20Paulo"), byPath("/weather/{city}"));
  // The exact path wins over the template it also matches.
  assert.equal(findRoute("/weather/cities"), byPath("/weather/cities"));
  for (const path of ["/weather/", "/weather", "/weather/a/b", "/nothing", "", "/healthzz", "//healthz"]) {
    assert.equal(findRoute(path), undefined, path);
  }
});

Deno.test("findRoute() ignores one trailing slash, and routePath() drops it", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ROUTES.map((route) => route.path.replace("{city}", "Lima"))), (path) => {
      assert.equal(findRoute(`${path}/`.replace("//", "/")), findRoute(path));
    }),
  );
  assert.equal(routePath("/healthz/"), "/healthz");
  assert.equal(routePath("/weather/Lima/"), "/weather/Lima");
  assert.equal(routePath("/"), "/");
  assert.equal(findRoute("/healthz//"), undefined);
});

Deno.test("displayPath() spells out required query parameters", () => {
  assert.equal(displayPath(byPath("/get_weather")), "/get_weather?city={city}");
  assert.equal(displayPath(byPath("/weather/{city}")), "/weather/{city}");
  assert.equal(displayPath(byPath("/v1/search")), "/v1/search?name={name}");
});

Deno.test("routesHelp() lists every route with its summary, and which take units", () => {
  const help = routesHelp();
  for (const route of ROUTES) assert.ok(help.includes(`GET ${displayPath(route)}`), route.path);
  for (const route of ROUTES) assert.ok(help.includes(route.summary), route.summary);
  assert.match(
    help,
    /\n\/, \/city\/\{city\}, \/get_weather, \/weather\/\{city\}, \/get_forecast and \/weather\/\{city\}\/forecast take \?units=metric\|imperial\|si, in any case\.$/,
  );
});

Deno.test("UNITS_PARAMETER reads one unit system in any case, metric when absent", () => {
  assert.equal(UNITS_PARAMETER.parse([]), "metric");
  assert.equal(UNITS_PARAMETER.parse(["IMPERIAL"]), "imperial");
  assert.equal(UNITS_PARAMETER.parse(["Si"]), "si");
  for (const values of [["kelvin"], [""], ["si", "si"]]) {
    assert.throws(() => UNITS_PARAMETER.parse(values), BadParameterError, values.join(","));
  }
  assert.throws(
    () => UNITS_PARAMETER.parse(["x"]),
    (error: BadParameterError) => error.failure.code === "bad_units",
  );
  assert.throws(
    () => UNITS_PARAMETER.parse(["si", "metric"]),
    (error: BadParameterError) => error.failure.code === "bad_request",
  );
});

Deno.test("CITY_PARAMETER takes one city, blank when absent", () => {
  assert.equal(CITY_PARAMETER.parse([]), "");
  assert.equal(CITY_PARAMETER.parse(["Lima"]), "Lima");
  assert.throws(() => CITY_PARAMETER.parse(["a", "b"]), BadParameterError);
});
