import assert from "node:assert/strict";
import fc from "fast-check";
import { DASHBOARD_CSP, dashboardPage, escapeHtml, renderDashboard, skyOf } from "../src/dashboard.ts";
import { forecastBody } from "../src/forecast.ts";
import { createHandler, type Handler } from "../src/handler.ts";
import { contentTag } from "../src/http.ts";
import { displayPath, ROUTES } from "../src/routes.ts";
import type { Forecast } from "../src/schema.ts";
import { MAX_CACHED_DASHBOARDS } from "../src/dashboard.ts";
import type { UnitSystem } from "../src/units.ts";
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
    "/v1/forecast?latitude={latitude}&longitude={longitude}",
    "/v1/search?name={name}",
    "/data/2.5/weather",
    "/data/2.5/forecast",
    "/data/3.0/onecall",
    "/data/3.0/onecall/timemachine",
    "/geo/1.0/direct",
    "/geo/1.0/reverse",
    "/geo/1.0/zip",
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

// --- Forecasts on the dashboard and the city page, at a frozen clock. ---

const frozen = createHandler({ current: bundled }, { frozenClock: NOW });
const WEEKDAY = new Intl.DateTimeFormat("en-GB", { weekday: "short", timeZone: "UTC" });
const week = (units: UnitSystem) => ({ days: 7, hours: 48, pastDays: 0, units });

/** The cards of a dashboard page, in order. */
function cards(html: string): string[] {
  return html.split('<li class="city ').slice(1).map((card) => card.slice(0, card.indexOf("</li>\n")));
}

const texts = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1]!);

Deno.test("createHandler() shows on each card today's range and 7 days of the model's forecast", async () => {
  for (const units of ["metric", "imperial", "si"] as const) {
    const { html } = await getPage(frozen, `/?units=${units}`);
    const all = cards(html);
    assert.equal(all.length, bundled.cities.length);
    const unit = units === "metric" ? "°C" : units === "imperial" ? "°F" : "K";
    bundled.cities.forEach((city, i) => {
      const card = all[i]!;
      const { daily } = forecastBody(city, 0, NOW, week(units));
      // The first day is the city's local date at the clock.
      const local = new Intl.DateTimeFormat("en-CA", { timeZone: city.timezone }).format(NOW);
      assert.equal(daily[0]!.date, local, city.name);
      assert.deepEqual(texts(card, /class="max"[^>]*>([^<]*)</g), [`${daily[0]!.temperature_max} ${unit}`]);
      assert.deepEqual(texts(card, /class="min"[^>]*>([^<]*)</g), [`${daily[0]!.temperature_min} ${unit}`]);
      const labels = texts(card, /<span class="day">([^<]*)<\/span>/g);
      assert.deepEqual(labels, daily.map((day) => WEEKDAY.format(Date.parse(`${day.date}T12:00:00Z`))));
      const short = (value: number) => `${Math.round(value) || 0}${units === "si" ? "" : "°"}`;
      assert.deepEqual(
        texts(card, /class="hi"[^>]*>([^<]*)</g),
        daily.map((day) => short(day.temperature_max)),
      );
      assert.deepEqual(
        texts(card, /class="lo"[^>]*>([^<]*)</g),
        daily.map((day) => short(day.temperature_min)),
      );
      assert.equal(count(card, 'role="img" aria-label='), 8, city.name); // now, and one per day
    });
  }
});

Deno.test("createHandler() links each card's name to its city page in the page's units", async () => {
  const { html } = await getPage(frozen, "/?units=imperial");
  assert.ok(html.includes('<h3><a href="/city/Tokyo?units=imperial" data-page="/city/Tokyo">Tokyo</a>'));
  assert.ok(
    html.includes('<a href="/city/S%C3%A3o%20Paulo?units=imperial" data-page="/city/S%C3%A3o%20Paulo">'),
  );
});

Deno.test("dashboardPage() renders once per clock slot and units, keeping a bounded number", () => {
  const data = bundled;
  const slot = (n: number) => ({ seed: 0, now: NOW + n * 900_000 });
  const first = dashboardPage(data, "metric", slot(0));
  assert.equal(dashboardPage(data, "metric", { seed: 0, now: NOW + 899_999 }), first);
  assert.notEqual(dashboardPage(data, "metric", { seed: 1, now: NOW }), first);
  const next = dashboardPage(data, "metric", slot(1));
  assert.notEqual(next.representation.etag, first.representation.etag);
  assert.equal(next.lastModified, bundled.lastModified, "the data is newer than the slot");
  const future = dashboardPage(data, "metric", { seed: 0, now: Date.parse("2030-01-01T00:14:59Z") });
  assert.equal(future.lastModified, "Tue, 01 Jan 2030 00:00:00 GMT", "the slot is newer than the data");
  for (let n = 2; n <= MAX_CACHED_DASHBOARDS + 1; n++) dashboardPage(data, "metric", slot(n));
  const again = dashboardPage(data, "metric", slot(0));
  assert.notEqual(again, first, "the oldest page was dropped");
  assert.equal(again.representation.etag, first.representation.etag, "and renders the same");
});

/** The city page's chart, parsed: its temperature points and axis labels, bars, hour labels. */
function parseChart(html: string) {
  const svg = /<svg class="chart"[^]*?<\/svg>/.exec(html)![0];
  const line = /<path class="line" d="([^"]+)"/.exec(svg)![1]!;
  const points = [...line.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map(([, x, y]) => ({ x: +x!, y: +y! }));
  const ticks = [
    ...svg.matchAll(/<text class="t-label" x="[\d.]+" y="([\d.]+)"[^>]*>(-?[\d.]+) ([^<]+)<\/text>/g),
  ]
    .map(([, y, value, unit]) => ({ y: +y! - 4, value: +value!, unit: unit! }));
  const rain = /<path class="rain" d="([^"]+)"/.exec(svg)?.[1] ?? "";
  const night = /<path class="night" d="([^"]+)"/.exec(svg)?.[1] ?? "";
  return {
    svg,
    points,
    ticks,
    bars: count(rain, "M"),
    nights: count(night, "M"),
    hours: texts(svg, /<text class="h-label"[^>]*>(\d\d)<\/text>/g),
    precipitationLabels: texts(svg, /<text class="p-label"[^>]*>([^<]+)<\/text>/g),
  };
}

function checkChart(html: string, forecast: Forecast, unit: string, rainUnit: string) {
  const chart = parseChart(html);
  const hourly = forecast.hourly;
  assert.equal(chart.points.length, hourly.length);
  assert.ok(chart.ticks.length >= 2, "at least two temperature labels");
  assert.ok(chart.ticks.every((tick) => tick.unit === unit), unit);
  // The axis labels fix the scale; every point then sits at its hour's temperature.
  const [a, b] = [chart.ticks[0]!, chart.ticks.at(-1)!];
  const yOf = (t: number) => a.y + (t - a.value) * (b.y - a.y) / (b.value - a.value);
  hourly.forEach((hour, i) => {
    assert.ok(
      Math.abs(chart.points[i]!.y - yOf(hour.temperature)) <= 0.11,
      `${hour.time}: ${hour.temperature}`,
    );
    if (i > 0) assert.ok(chart.points[i]!.x > chart.points[i - 1]!.x);
  });
  const wet = hourly.filter((hour) => hour.precipitation > 0).length;
  assert.equal(chart.bars, wet);
  let runs = 0;
  hourly.forEach((hour, i) => {
    if (!hour.is_day && (i === 0 || hourly[i - 1]!.is_day)) runs++;
  });
  assert.equal(chart.nights, runs);
  assert.deepEqual(
    chart.hours,
    hourly.map((hour) => hour.time.slice(11, 13)).filter((hh) => Number(hh) % 6 === 0),
  );
  assert.ok(chart.precipitationLabels.every((label) => label.endsWith(` ${rainUnit}`)));
  const temps = hourly.map((hour) => hour.temperature);
  assert.ok(chart.svg.includes(`>max ${Math.max(...temps)} ${unit}</text>`));
  assert.ok(chart.svg.includes(`>min ${Math.min(...temps)} ${unit}</text>`));
  assert.match(
    chart.svg,
    /^<svg class="chart" viewBox="0 0 \d+ \d+" role="img" aria-label="[^"]+"><title>[^<]+<\/title><desc>[^<]+<\/desc>/,
  );
  assert.ok(count(chart.svg, "<") < 60, "a few elements, not one per point");
  return { wet };
}

Deno.test("createHandler() answers GET /city/{city} with the forecast page and its chart", async () => {
  let wetSomewhere = 0;
  for (const city of bundled.cities.slice(0, 12)) {
    const { response, html } = await getPage(frozen, `/city/${encodeURIComponent(city.name)}`);
    assert.equal(response.status, 200, city.name);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("content-security-policy"), DASHBOARD_CSP);
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.equal(response.headers.get("vary"), "Accept-Encoding");
    assert.equal(count(html, "<script"), 0);
    assert.doesNotMatch(html, /\sstyle=/);
    const forecast = forecastBody(city, 0, NOW, week("metric"));
    wetSomewhere += checkChart(html, forecast, "°C", "mm").wet;
    assert.equal(count(html, "<tr><td><time"), 48, "the chart's text alternative has every hour");
    const days = /<table class="days">[^]*?<\/table>/.exec(html)![0];
    assert.deepEqual(
      texts(days, /<td class="max">([^<]+)</g),
      forecast.daily.map((d) => `${d.temperature_max} °C`),
    );
    assert.deepEqual(
      texts(days, /<td class="min">([^<]+)</g),
      forecast.daily.map((d) => `${d.temperature_min} °C`),
    );
    assert.ok(html.includes(`<div class="temp">${forecast.current.temperature} °C</div>`));
  }
  assert.ok(wetSomewhere > 0, "some city has rain to draw");
});

Deno.test("createHandler() draws the city page in the units asked for", async () => {
  for (const [units, unit, rain] of [["imperial", "°F", "inch"], ["si", "K", "mm"]] as const) {
    const { response, html } = await getPage(frozen, `/city/Tokyo?units=${units.toUpperCase()}`);
    assert.equal(response.status, 200);
    checkChart(html, forecastBody(tokyo, 0, NOW, week(units)), unit, rain);
    assert.ok(html.includes(`<a href="/city/Tokyo?units=${units}" aria-current="true">`));
  }
});

Deno.test("createHandler() escapes hostile city names on the city page", async () => {
  const data = await datasetOf({ cities: HOSTILE.map((name) => ({ ...tokyo, name, admin1: name })) });
  const handler = createHandler({ current: data }, { frozenClock: NOW });
  const dashboard = await getPage(handler, "/");
  for (const name of HOSTILE) {
    const { response, html } = await getPage(handler, `/city/${encodeURIComponent(name)}`);
    assert.equal(response.status, 200, name);
    assert.ok(!html.includes(name), name);
    assert.ok(html.includes(`<h1>${escapeHtml(name)} <span`), name);
    assert.ok(html.includes(`<title>Next 48 hours in ${escapeHtml(name)}</title>`), name);
    assert.equal(count(html, "<script"), 0);
    assert.equal(count(html, "<img"), 0);
    assert.doesNotMatch(html.replace(/"[^"]*"/g, '""'), /<[^>]*\son\w+=/i, "no event handler attributes");
    assert.ok(dashboard.html.includes(`href="/city/${escapeHtml(encodeURIComponent(name))}"`), name);
  }
});

Deno.test("createHandler() answers an unknown city on the city page with a 404 page of suggestions", async () => {
  const { response, html } = await getPage(frozen, "/city/Tokio", "application/json");
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("content-security-policy"), DASHBOARD_CSP);
  assert.ok(html.includes("<h1>404 Not Found</h1>"));
  assert.ok(html.includes("Cannot find city &quot;Tokio&quot;: did you mean &quot;Tokyo&quot;?"));
  assert.ok(html.includes('<li><a href="/city/Tokyo">Tokyo</a></li>'));
  const hostile = await getPage(frozen, `/city/${encodeURIComponent(HOSTILE[0]!)}`);
  assert.equal(hostile.response.status, 404);
  assert.ok(!hostile.html.includes(HOSTILE[0]!));
  const units = await getPage(frozen, "/city/Tokyo?units=kelvin");
  assert.equal(units.response.status, 400);
  assert.match(units.html, /Unknown units &quot;kelvin&quot;/);
  const blank = await getPage(frozen, "/city/%20");
  assert.equal(blank.response.status, 400);
  assert.equal(blank.response.headers.get("content-type"), "text/html; charset=utf-8");
});

Deno.test("createHandler() revalidates the city page: ETag and 304, a new slot a new tag", async () => {
  const { response, html } = await getPage(frozen, "/city/Paris");
  const etag = response.headers.get("etag")!;
  assert.equal(etag, `"${contentTag(html)}"`);
  assert.equal(response.headers.get("last-modified"), bundled.lastModified);
  const revalidated = await frozen(
    new Request("http://localhost/city/paris", { headers: { "if-none-match": etag } }),
  );
  assert.equal(revalidated.status, 304);
  assert.equal(revalidated.headers.get("content-security-policy"), DASHBOARD_CSP);
  assert.equal(await revalidated.text(), "");
  const later = createHandler({ current: bundled }, { frozenClock: Date.parse("2030-01-01T00:14:59Z") });
  const next = await later(
    new Request("http://localhost/city/Paris", { headers: { "if-none-match": etag } }),
  );
  assert.equal(next.status, 200);
  assert.notEqual(next.headers.get("etag"), etag);
  assert.equal(next.headers.get("last-modified"), "Tue, 01 Jan 2030 00:00:00 GMT");
  await next.body?.cancel();
  const head = await frozen(new Request("http://localhost/city/Paris", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("etag"), etag);
});

Deno.test("openApiDocument() describes the city page as a cacheable HTML page", async () => {
  const { body } = await getJson(frozen, "/openapi.json");
  const get = body.paths["/city/{city}"].get;
  assert.equal(get.operationId, "cityPage");
  assert.deepEqual(Object.keys(get.responses["200"].content), ["text/html"]);
  assert.ok(get.responses["304"]);
  assert.deepEqual(Object.keys(get.responses["404"].content), ["application/problem+json", "text/html"]);
  assert.equal(get.parameters[0].name, "city");
  assert.equal(get.parameters[0].in, "path");
});
