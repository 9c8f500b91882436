import assert from "node:assert/strict";
import fc from "fast-check";
import { DASHBOARD_CSP, dashboardPage, escapeHtml, renderDashboard, skyOf } from "../src/dashboard.ts";
import { createHandler, type Handler } from "../src/handler.ts";
import { contentTag } from "../src/http.ts";
import { displayPath, ROUTES } from "../src/routes.ts";
import { cityWeather } from "../src/units.ts";
import { WMO_CODES } from "../src/wmo.ts";
import { bundled, datasetOf, getJson } from "./_helpers.ts";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const HOSTILE = [
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(2)</script>",
  `"><svg onload=alert(3)>`,
  "' onmouseover='alert(4)",
  "Tom &amp; Jerry <!--",
];

const tokyo = bundled.cities[0]!;
const NOW = Date.parse("2026-11-23T12:00:00Z");
const CLOCK = { seed: 0, now: NOW };
const metricPage = renderDashboard(bundled.cities, { units: "metric" });

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function getPage(handler: Handler, path: string, accept = BROWSER_ACCEPT) {
  const response = await handler(new Request(new URL(path, "http://localhost"), { headers: { accept } }));
  return { response, html: await response.text() };
}

Deno.test("escapeHtml() escapes the five HTML-special characters", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
  );
  assert.equal(escapeHtml("São Paulo"), "São Paulo");
});

Deno.test("renderDashboard() shows every city with its weather and a link to its JSON", () => {
  assert.equal(count(metricPage, '<li class="city '), bundled.cities.length);
  for (const city of bundled.cities) {
    assert.ok(
      metricPage.includes(`>${escapeHtml(city.name)}</a> <span class="country">${city.country}</span></h3>`),
    );
    assert.ok(
      metricPage.includes(`<a class="json" href="/weather/${encodeURIComponent(city.name)}">`),
      city.name,
    );
    assert.ok(metricPage.includes(`data-tz="${city.timezone}"`), city.name);
  }
  assert.ok(metricPage.includes('href="/weather/S%C3%A3o%20Paulo"'));
  assert.ok(metricPage.includes("<h1>Weather now</h1>"));
  assert.ok(metricPage.includes('<label class="label" for="q">Search cities</label>'));
  assert.ok(metricPage.includes('<html lang="en">'));
  // Tokyo: 14.2 °C, 58 %, 11.5 km/h from 209° (SSW), observed 20:14 local time.
  assert.ok(metricPage.includes(">14.2 °C</div>"));
  assert.ok(metricPage.includes("<dd>58%</dd>"));
  assert.ok(metricPage.includes(">11.5 km/h from SSW</span>"));
  assert.ok(metricPage.includes('<time datetime="2026-11-23T20:14:00+09:00">Mon 23 Nov, 20:14</time>'));
  assert.ok(metricPage.includes('aria-label="Partly cloudy"'));
});

Deno.test("renderDashboard() gives every WMO code a drawn symbol", () => {
  for (const code of WMO_CODES.keys()) {
    assert.ok(metricPage.includes(`<symbol id="sky-${skyOf(code)}"`), `code ${code}`);
  }
  assert.equal(skyOf(0), "clear");
  assert.equal(skyOf(45), "fog");
  assert.equal(skyOf(73), "snow");
  assert.equal(skyOf(81), "rain");
  assert.equal(skyOf(96), "storm");
});

Deno.test("renderDashboard() escapes hostile names and values from the data file", async () => {
  const [first, second] = bundled.cities;
  const data = await datasetOf({
    cities: HOSTILE.map((name, index) => ({
      ...(index % 2 === 0 ? first : second)!,
      name,
      current: { ...first!.current, condition: `<b onclick="x()">${name}</b>` },
    })),
  });
  const html = renderDashboard(data.cities, { units: "metric", fileName: "<x>.json", version: data.version });
  for (const name of HOSTILE) {
    assert.ok(!html.includes(name), name);
    assert.ok(html.includes(`>${escapeHtml(name)}</a> <span class="country">`), name);
    assert.ok(html.includes(`<h3><a href="/city/${escapeHtml(encodeURIComponent(name))}"`), name);
    assert.ok(html.includes(`href="/weather/${escapeHtml(encodeURIComponent(name))}"`), name);
  }
  assert.equal(count(html, "<script"), 1);
  assert.equal(count(html, "</script"), 1);
  assert.equal(count(html, "<img"), 0);
  assert.equal(count(html, "<b "), 0);
  assert.ok(html.includes("&lt;x&gt;.json"));
  // Outside quoted attribute values (where escaped text may say anything), no tag has a handler.
  assert.doesNotMatch(html.replace(/"[^"]*"/g, '""'), /<[^>]*\son\w+=/i, "no event handler attributes");
});

Deno.test("renderDashboard() escapes any city name", () => {
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 100 }), (name) => {
    const html = renderDashboard([{ ...tokyo, name }], { units: "metric" });
    assert.equal(count(html, "<script"), 1);
    assert.equal(count(html, "</script"), 1);
    assert.ok(html.includes(`>${escapeHtml(name)}</a> <span class="country">`));
  }));
});

Deno.test("renderDashboard() marks the chosen units and carries every system for the script", () => {
  const imperialPage = renderDashboard(bundled.cities, { units: "imperial" });
  const imperial = cityWeather(tokyo, "imperial").current;
  assert.ok(metricPage.includes('<a href="/?units=metric" data-units="metric" aria-current="true">'));
  assert.ok(metricPage.includes('<a href="/?units=imperial" data-units="imperial">'));
  assert.ok(imperialPage.includes('<a href="/?units=metric" data-units="metric">'));
  assert.ok(imperialPage.includes('<a href="/?units=imperial" data-units="imperial" aria-current="true">'));
  const kelvin = cityWeather(tokyo, "si").current.temperature;
  const temperature =
    `data-metric="14.2 °C" data-imperial="${imperial.temperature} °F" data-si="${kelvin} K"`;
  assert.ok(metricPage.includes(`${temperature}>14.2 °C</div>`));
  assert.ok(imperialPage.includes(`${temperature}>57.6 °F</div>`));
  assert.ok(imperialPage.includes(`>${imperial.wind_speed} mph from SSW</span>`));
  assert.ok(imperialPage.includes(`>${imperial.pressure} inHg</dd>`));
  assert.equal(count(imperialPage, "°F</div>"), bundled.cities.length);
});

Deno.test("DASHBOARD_CSP allows exactly the page's one inline style and script, by hash", async () => {
  const style = /<style>([^]*?)<\/style>/.exec(metricPage)![1]!;
  const script = /<script>([^]*?)<\/script>/.exec(metricPage)![1]!;
  assert.equal(count(metricPage, "<style"), 1);
  assert.equal(count(metricPage, "<script"), 1);
  assert.ok(DASHBOARD_CSP.includes(`style-src 'sha256-${await sha256Base64(style)}'`), DASHBOARD_CSP);
  assert.ok(DASHBOARD_CSP.includes(`script-src 'sha256-${await sha256Base64(script)}'`), DASHBOARD_CSP);
  assert.match(DASHBOARD_CSP, /^default-src 'none';/);
  assert.doesNotMatch(DASHBOARD_CSP, /unsafe|\*|https?:/);
  // Style attributes would need 'unsafe-inline' too: there must be none.
  assert.doesNotMatch(metricPage, /\sstyle=/);
});

Deno.test("createHandler() answers GET / from a browser with the dashboard and its headers", async () => {
  const handler = createHandler({ current: bundled }, { frozenClock: NOW });
  const { response, html } = await getPage(handler, "/");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("content-security-policy"), DASHBOARD_CSP);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.equal(response.headers.get("cache-control"), "no-cache");
  const links = ROUTES.flatMap((route) => route.link ? [{ href: route.path, label: route.link }] : []);
  assert.equal(response.headers.get("etag"), `"${contentTag(html)}"`);
  assert.match(response.headers.get("etag")!, /^"[0-9a-z]+"$/);
  assert.equal(response.headers.get("vary"), "Accept, Accept-Encoding");
  assert.match(response.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(html.includes(` from weather.json (version <code>${bundled.version}</code>).`));
  const imperial = await getPage(handler, "/?units=imperial");
  assert.equal(
    imperial.response.headers.get("etag"),
    dashboardPage(bundled, "imperial", CLOCK, links).representation.etag,
  );
  assert.notEqual(imperial.response.headers.get("etag"), response.headers.get("etag"));
  const revalidated = await handler(
    new Request("http://localhost/", {
      headers: { accept: BROWSER_ACCEPT, "if-none-match": response.headers.get("etag")! },
    }),
  );
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.headers.get("content-security-policy"), DASHBOARD_CSP);
  assert.ok(imperial.html.includes(">57.6 °F</div>"));
});

Deno.test("createHandler() answers GET / from an API client with the endpoint index", async () => {
  const handler = createHandler({ current: bundled });
  for (const accept of ["application/json", "*/*", "text/html;q=0.1, */*", "image/png"]) {
    const { status, headers, body } = await getJson(handler, "/", { headers: { accept } });
    assert.equal(status, 200, accept);
    assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(headers.get("vary"), "Accept, Accept-Encoding");
    assert.deepEqual(
      body.endpoints,
      ROUTES.map((route) => ({ method: "GET", path: displayPath(route), description: route.summary })),
    );
  }
  const { body } = await getJson(handler, "/");
  assert.deepEqual(body.endpoints.map((e: { path: string }) => e.path), [
    "/",
    "/city/{city}",
    "/weather/cities",
    "/get_weather?city={city}",
    "/weather/{city}",
    "/get_forecast?city={city}",
    "/weather/{city}/forecast",
    "/healthz",
    "/openapi.json",
    "/schema/weather.json",
  ]);
});

Deno.test("createHandler() serves the dashboard in every unit system, in any case", async () => {
  const handler = createHandler({ current: bundled });
  const si = cityWeather(tokyo, "si").current;
  for (const query of ["?units=si", "?units=SI"]) {
    const { response, html } = await getPage(handler, `/${query}`);
    assert.equal(response.status, 200, query);
    assert.ok(html.includes(`>${si.temperature} K</div>`), query);
    assert.ok(html.includes('<a href="/?units=si" data-units="si" aria-current="true">'), query);
  }
});

Deno.test("createHandler() answers a browser's bad units on / with an HTML error page", async () => {
  const handler = createHandler({ current: bundled });
  const cases: [string, RegExp][] = [
    ["?units=kelvin", /Unknown units &quot;kelvin&quot;: expected &quot;metric&quot;/],
    ["?units=metric&units=imperial", /Give one &quot;units&quot; parameter, not several/],
    ["?units=", /Unknown units &quot;&quot;/],
  ];
  for (const [query, detail] of cases) {
    const { response, html } = await getPage(handler, `/${query}`);
    assert.equal(response.status, 400, query);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("content-security-policy"), DASHBOARD_CSP);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.ok(html.startsWith("<!doctype html>"), query);
    assert.ok(html.includes("<h1>400 Bad Request</h1>"), query);
    assert.match(html, detail);
    assert.ok(html.includes('<a href="/">Back to the dashboard</a>'));
  }
  const api = await getJson(handler, "/?units=kelvin", { headers: { accept: "application/json" } });
  assert.equal(api.status, 400);
  assert.equal(api.headers.get("content-type"), "application/problem+json; charset=utf-8");
  assert.equal(api.body.code, "bad_units");
});

Deno.test("renderDashboard() shows each observation's date and local time with the date", () => {
  const [observed] = /<time datetime="[^"]+">([^<]+)<\/time>/.exec(metricPage)!.slice(1);
  assert.match(observed!, /^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d$/);
  assert.ok(metricPage.includes(`<span class="ago" data-since="${tokyo.current.observed_at}"></span>`));
  assert.equal(count(metricPage, 'class="ago"'), bundled.cities.length);
});

Deno.test("renderDashboard() links the routes it is given from its footer", () => {
  const html = renderDashboard(bundled.cities, {
    units: "metric",
    links: [{ href: "/healthz", label: "Server <health>" }],
  });
  assert.ok(html.includes('<li><a href="/healthz">Server &lt;health&gt;</a> (<code>/healthz</code>)</li>'));
});

Deno.test("dashboardPage() renders once per dataset, units and links, and anew after a reload", async () => {
  const first = dashboardPage(bundled, "metric", CLOCK);
  assert.equal(dashboardPage(bundled, "metric", CLOCK), first);
  assert.notEqual(dashboardPage(bundled, "imperial", CLOCK), first);
  assert.notEqual(dashboardPage(bundled, "metric", CLOCK, [{ href: "/healthz", label: "Health" }]), first);
  const source = { current: bundled };
  const handler = createHandler(source);
  const before = await getPage(handler, "/");
  source.current = await datasetOf({ cities: [{ ...tokyo, name: "Atlantis" }] });
  const after = await getPage(handler, "/");
  assert.notEqual(after.response.headers.get("etag"), before.response.headers.get("etag"));
  assert.ok(after.html.includes(">Atlantis</a> <span"));
  assert.ok(!after.html.includes(">Tokyo</a> <span"));
});
