// The front page, `GET /`: a server-rendered HTML dashboard for browsers and a JSON index of the
// endpoints for API clients.
//
// The page's CSS and JS are constants served inline and allowed by their SHA-256 in the
// Content-Security-Policy: one response is the whole page (no extra routes in the handler, no
// request waterfall), and there is no 'unsafe-inline'. The script reads what it needs from the
// DOM (data-* attributes the server escaped), so no data is ever embedded in a <script>.
import { MODEL_WEATHER, type WeatherScope } from "./weather_scope.ts";
import { normalizeCityName } from "./city_names.ts";
import type { Dataset } from "./dataset.ts";
import { compassPoint } from "./format.ts";
import { dailyOutlook, type OutlookDay } from "./forecast.ts";
import { slotOf } from "./model/time.ts";
import { LruCache } from "./lru_cache.ts";
import { contentTag, type Representation } from "./http.ts";
import type { City, Current } from "./schema.ts";
import { cityWeather, UNIT_SYSTEMS, UNITS, type UnitSystem } from "./units.ts";
import { WMO_CODES } from "./wmo.ts";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes `text` for HTML text and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** A link in the page's footer, to one of the API's routes. */
export interface DashboardLink {
  href: string;
  label: string;
}

/** Options of {@linkcode renderDashboard}. */
export interface DashboardOptions {
  /** The units the values are shown in before any script runs. */
  units: UnitSystem;
  /** Links to the API's routes, for the footer. @default none */
  links?: readonly DashboardLink[];
  /** Name of the data file, shown in the footer. */
  fileName?: string;
  /** Version (content hash) of the data, shown in the footer. */
  version?: string;
  /** Each city's forecast days, in the order of the cities: today's range and a strip. @default none */
  outlooks?: readonly (readonly OutlookDay[])[];
}

/** The weather model's seed and clock (epoch ms) a page's forecasts are for. */
export interface ModelClock {
  readonly seed: number;
  readonly now: number;
}

// --- Condition symbols: one <symbol> per kind of weather, drawn once and <use>d by each card. ---

type Sky = "clear" | "partly" | "cloudy" | "fog" | "drizzle" | "rain" | "snow" | "storm";

/** The kind of sky a WMO 4677 code shows, for its symbol. */
export function skyOf(code: number): Sky {
  if (code === 0) return "clear";
  if (code <= 2) return "partly";
  if (code === 3) return "cloudy";
  if (code === 45 || code === 48) return "fog";
  if (code >= 51 && code <= 57) return "drizzle";
  if ((code >= 61 && code <= 67) || (code >= 80 && code <= 82)) return "rain";
  if ((code >= 71 && code <= 77) || code === 85 || code === 86) return "snow";
  return "storm";
}

const CLOUD = "M7 18h10.5a3.5 3.5 0 0 0 .4-7 5 5 0 0 0-9.6-1.2A4 4 0 0 0 7 18z";
const CLOUD_LOW = "M7 15h10.5a3.5 3.5 0 0 0 .4-7 5 5 0 0 0-9.6-1.2A4 4 0 0 0 7 15z";
const SUN = '<circle cx="12" cy="12" r="4.5" fill="#f4b400" stroke="#b06d00" stroke-width="1"/>' +
  '<path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1" ' +
  'stroke="#d48a00" stroke-width="2" stroke-linecap="round"/>';
const cloud = (d: string) => `<path d="${d}" fill="#d9dee4" stroke="#5b6674" stroke-width="1.2"/>`;
const strokes = (d: string, color: string) =>
  `<path d="${d}" stroke="${color}" stroke-width="1.8" stroke-linecap="round" fill="none"/>`;

const SYMBOLS: Record<Sky, string> = {
  clear: SUN,
  partly: `<g transform="translate(-3 -4) scale(.8)">${SUN}</g>${cloud(CLOUD)}`,
  cloudy: cloud(CLOUD),
  fog: `${cloud(CLOUD_LOW)}${strokes("M4 18h16M6 21h12", "#5b6674")}`,
  drizzle: `${cloud(CLOUD_LOW)}${strokes("M9 18v1M13 19v1M17 18v1", "#1f6fd1")}`,
  rain: `${cloud(CLOUD_LOW)}${strokes("M9 17l-1 4M13 17l-1 4M17 17l-1 4", "#1f6fd1")}`,
  snow: `${cloud(CLOUD_LOW)}${
    strokes("M8 18v3M6.7 19.5h2.6M12 18v3M10.7 19.5h2.6M16 18v3M14.7 19.5h2.6", "#3b82c4")
  }`,
  storm: `${cloud(CLOUD_LOW)}<path d="M13 14l-3 5h3l-2 4 5-6h-3l2-3z" fill="#f4b400" stroke="#8a5a00" ` +
    'stroke-width=".8" stroke-linejoin="round"/>',
};

/** The condition symbols as one hidden SVG sprite, for `<use href="#sky-…">`. */
export const SKY_SPRITE: string =
  '<svg class="sprite" width="0" height="0" aria-hidden="true" focusable="false">' +
  Object.entries(SYMBOLS).map(([sky, body]) => `<symbol id="sky-${sky}" viewBox="0 0 24 24">${body}</symbol>`)
    .join("") +
  "</svg>";

// --- The page's style and script: constants, hashed once for the CSP. ---

/** The style sheet of every page: the dashboard, the city pages and the error pages. */
export const PAGE_STYLE: string = `
:root{color-scheme:light dark;--bg:#eef1f4;--card:#fff;--text:#1b1f24;--muted:#4a5461;--line:#d3d9df;
--link:#0a53be;--on-link:#fff;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
line-height:1.45}
@media (prefers-color-scheme:dark){:root{--bg:#101418;--card:#1a2027;--text:#e9edf1;--muted:#aeb8c3;
--line:#313c48;--link:#8ab4f8;--on-link:#101418}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--text)}
a{color:var(--link)}
a:focus-visible,input:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.wrap{max-width:78rem;margin:0 auto;padding:1rem}
.sprite{position:absolute}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
header h1{margin:0 0 .25rem;font-size:1.6rem}
header p{margin:0;color:var(--muted)}
.bar{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:flex-start;margin:1.1rem 0}
.label{display:block;font-weight:600;margin-bottom:.25rem}
.search{flex:1 1 16rem;max-width:26rem}
.search input{font:inherit;width:100%;padding:.45rem .7rem;border:1px solid var(--muted);
border-radius:.5rem;background:var(--card);color:var(--text)}
.search p{margin:.2rem 0 0;color:var(--muted);font-size:.9rem}
.units div{display:flex}
.units a{padding:.45rem .9rem;border:1px solid var(--link);text-decoration:none;white-space:nowrap;
background:var(--card)}
.units a:first-child{border-radius:.5rem 0 0 .5rem}
.units a:last-child{border-radius:0 .5rem .5rem 0;border-left:0}
.units a[aria-current]{background:var(--link);color:var(--on-link);font-weight:600}
.cities{list-style:none;margin:0;padding:0;display:grid;gap:.75rem;
grid-template-columns:repeat(auto-fill,minmax(min(100%,17rem),1fr))}
.city{background:var(--card);border:1px solid var(--line);border-top:.3rem solid var(--band,#888);
border-radius:.6rem;padding:.7rem .9rem;display:flex;flex-direction:column}
.frigid{--band:#6f42c1}.cold{--band:#2f7fd8}.cool{--band:#2aa198}.mild{--band:#4caf50}
.warm{--band:#f0a500}.hot{--band:#e0452b}
.city h3{margin:0;font-size:1.1rem;overflow-wrap:anywhere}
.country{color:var(--muted);font-weight:400;font-size:.85rem}
.now{display:flex;align-items:center;gap:.6rem;margin:.35rem 0}
.now svg{width:2.6rem;height:2.6rem;flex:none}
.temp{font-size:1.7rem;font-weight:650;line-height:1.1}
.cond{color:var(--muted);font-size:.9rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .8rem;margin:.2rem 0 .5rem;font-size:.9rem}
dl div{display:contents}
dt{color:var(--muted)}
dd{margin:0}
.arrow{width:1em;height:1em;vertical-align:-.15em;fill:currentColor}
.json{margin-top:auto;font-size:.9rem}
.city h3 a{color:inherit;text-decoration-color:var(--line);text-underline-offset:.2em}
.city h3 a:hover{text-decoration-color:currentColor}
.week{list-style:none;margin:.1rem 0 .6rem;padding:0;display:grid;grid-template-columns:repeat(7,1fr);
gap:.15rem;font-size:.8rem;text-align:center;font-variant-numeric:tabular-nums}
.week li{display:flex;flex-direction:column;align-items:center;line-height:1.25}
.week svg{width:1.5rem;height:1.5rem}
.week .day{font-weight:600}
.lo{color:var(--muted)}
.page h1{margin:0 0 .25rem;font-size:1.8rem;overflow-wrap:anywhere}
.page section{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem;
margin:0 0 1rem}
.page h2{margin:0 0 .5rem;font-size:1.2rem}
.page .now svg{width:3.2rem;height:3.2rem}
.page .now .temp{font-size:2.2rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.92rem}
th,td{padding:.3rem .6rem;text-align:right;border-bottom:1px solid var(--line);white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead th{color:var(--muted);font-weight:600}
td svg{width:1.4rem;height:1.4rem;vertical-align:middle;margin-right:.3rem}
td.sky{text-align:left}
.chart{display:block;width:100%;height:auto;max-height:22rem;font-size:12px}
.chart text{fill:var(--muted)}
.chart .grid{stroke:var(--line);stroke-width:1}
.chart .night{fill:var(--text);opacity:.07}
.chart .rain{fill:#1f6fd1;opacity:.55}
.chart .line{fill:none;stroke:#e0452b;stroke-width:2.5;stroke-linejoin:round}
.chart .mark{fill:var(--card);stroke:#e0452b;stroke-width:2}
.chart .mark-text{fill:var(--text);font-weight:600}
.legend{margin:.4rem 0 0;color:var(--muted);font-size:.9rem}
details{margin-top:.6rem}
summary{cursor:pointer;color:var(--link)}
#none{padding:1rem 0}
footer{margin-top:1.5rem;color:var(--muted);font-size:.9rem}
footer ul{padding-left:1.2rem}
`;

// Plain ES2020 with no template literals, so String.raw keeps regex escapes without interpolating.
const SCRIPT = String.raw`
"use strict";
(function () {
  var fold = function (s) {
    return s.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase().trim().replace(/\s+/g, " ");
  };
  var cards = Array.prototype.slice.call(document.querySelectorAll(".city"));
  var input = document.getElementById("q");
  var status = document.getElementById("status");
  var none = document.getElementById("none");
  var total = cards.length;
  var filter = function () {
    var query = fold(input.value);
    var shown = 0;
    cards.forEach(function (card) {
      var match = card.getAttribute("data-search").indexOf(query) !== -1;
      card.hidden = !match;
      if (match) shown++;
    });
    status.textContent = query === "" ? total + (total === 1 ? " city" : " cities")
      : shown + " of " + total + " match";
    none.hidden = shown > 0;
  };
  input.addEventListener("input", filter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && input.value !== "") { input.value = ""; filter(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && event.target === document.body) { event.preventDefault(); input.focus(); }
  });
  window.addEventListener("pageshow", filter);
  document.getElementById("search").hidden = false;
  filter();

  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-units]"));
  var show = function (units) {
    document.querySelectorAll("[data-metric]").forEach(function (element) {
      element.textContent = element.getAttribute("data-" + units);
    });
    links.forEach(function (link) {
      if (link.getAttribute("data-units") === units) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
    document.querySelectorAll("a[data-page]").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("data-page") + (units === "metric" ? "" : "?units=" + units));
    });
  };
  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      show(link.getAttribute("data-units"));
      history.replaceState(null, "", link.href);
    });
  });

  var clocks = Array.prototype.slice.call(document.querySelectorAll("time[data-tz]"));
  var ages = Array.prototype.slice.call(document.querySelectorAll("[data-since]"));
  var formats = {};
  var ago = function (ms) {
    var minutes = Math.round(ms / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return minutes + " min ago";
    var hours = Math.round(minutes / 60);
    if (hours < 48) return hours + " h ago";
    return Math.round(hours / 24) + " days ago";
  };
  var tick = function () {
    var now = new Date();
    clocks.forEach(function (clock) {
      var zone = clock.getAttribute("data-tz");
      var format = formats[zone] || (formats[zone] = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
        hourCycle: "h23"
      }));
      clock.textContent = format.format(now);
      clock.setAttribute("datetime", now.toISOString());
      clock.parentElement.parentElement.hidden = false;
    });
    ages.forEach(function (age) {
      var since = Date.parse(age.getAttribute("data-since"));
      if (isNaN(since) || since > now.getTime() + 60000) return;
      age.textContent = " (" + ago(now.getTime() - since) + ")";
    });
  };
  tick();
  setInterval(tick, 15000);
})();
`;

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * The page's Content-Security-Policy: nothing but its own inline style and script, by hash;
 * no fetches, frames, forms, plugins or base URL changes, and Trusted Types to keep the script
 * off HTML sinks.
 */
export const DASHBOARD_CSP: string = [
  "default-src 'none'",
  `style-src 'sha256-${await sha256Base64(PAGE_STYLE)}'`,
  `script-src 'sha256-${await sha256Base64(SCRIPT)}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

// --- Rendering. ---

function band(celsius: number): string {
  if (celsius < -10) return "frigid";
  if (celsius < 5) return "cold";
  if (celsius < 13) return "cool";
  if (celsius < 22) return "mild";
  if (celsius < 30) return "warm";
  return "hot";
}

type Formatted = Record<"temperature" | "feels_like" | "wind" | "pressure", string>;

function formatted(city: City, units: UnitSystem): Formatted {
  const now: Current = cityWeather(city, units).current;
  const unit = UNITS[units];
  return {
    temperature: `${now.temperature} ${unit.temperature}`,
    feels_like: `${now.feels_like} ${unit.feels_like}`,
    wind: now.wind_speed === 0
      ? "Calm"
      : `${now.wind_speed} ${unit.wind_speed} from ${compassPoint(now.wind_direction)}`,
    pressure: `${now.pressure} ${unit.pressure}`,
  };
}

/** An element whose text the script can switch between units: every version rides in data-*. */
function switchable(
  tag: string,
  attributes: string,
  values: Record<UnitSystem, string>,
  units: UnitSystem,
): string {
  const data = UNIT_SYSTEMS.map((system) => ` data-${system}="${escapeHtml(values[system])}"`).join("");
  return `<${tag}${attributes}${data}>${escapeHtml(values[units])}</${tag}>`;
}

function observedFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** The English weekday abbreviation of a calendar date "YYYY-MM-DD": "Mon" for "2026-11-23". */
export function weekdayOf(date: string): string {
  return WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()]!;
}

/** A temperature with its unit, as the pages show it: "14.2 °C". */
export function temperatureText(value: number, units: UnitSystem): string {
  return `${value} ${UNITS[units].temperature}`;
}

/** A temperature in a narrow place, to the degree: "14°", or "287" in kelvin. */
function shortTemperature(value: number, units: UnitSystem): string {
  const whole = Math.round(value) || 0;
  return units === "si" ? `${whole}` : `${whole}°`;
}

/** A condition symbol of the sprite, its words as the accessible name. */
export function skySymbol(code: number, words: string): string {
  const text = escapeHtml(words);
  return `<svg role="img" aria-label="${text}"><title>${text}</title><use href="#sky-${skyOf(code)}"/></svg>`;
}

/** The path of a city's page: "/city/S%C3%A3o%20Paulo", with `?units=` unless metric. */
export function cityPagePath(name: string, units: UnitSystem = "metric"): string {
  return `/city/${encodeURIComponent(name)}${units === "metric" ? "" : `?units=${units}`}`;
}

type Each<T> = (system: UnitSystem) => T;
const inEvery = (value: Each<string>) =>
  Object.fromEntries(UNIT_SYSTEMS.map((system) => [system, value(system)])) as Record<UnitSystem, string>;

function renderOutlook(days: readonly OutlookDay[], units: UnitSystem): { today: string; week: string } {
  const [first] = days;
  const today = first === undefined
    ? ""
    : `<div><dt>Today</dt><dd><span class="vh">high </span>${
      switchable("span", ' class="max"', inEvery((u) => temperatureText(first.temperature_max[u], u)), units)
    } / <span class="vh">low </span>${
      switchable("span", ' class="min"', inEvery((u) => temperatureText(first.temperature_min[u], u)), units)
    }</dd></div>`;
  const items = days.map((day) =>
    `<li><span class="day">${weekdayOf(day.date)}</span>${
      skySymbol(day.weather_code, day.condition)
    }<span class="vh">high</span>${
      switchable("span", ' class="hi"', inEvery((u) => shortTemperature(day.temperature_max[u], u)), units)
    }<span class="vh">low</span>${
      switchable("span", ' class="lo"', inEvery((u) => shortTemperature(day.temperature_min[u], u)), units)
    }</li>`
  ).join("");
  const week = days.length === 0
    ? ""
    : `<ol class="week" aria-label="${days.length}-day forecast">${items}</ol>`;
  return { today, week };
}

function renderCity(
  city: City,
  units: UnitSystem,
  formats: Map<string, Intl.DateTimeFormat>,
  outlook: readonly OutlookDay[],
): string {
  const now = city.current;
  const all = Object.fromEntries(UNIT_SYSTEMS.map((system) => [system, formatted(city, system)])) as Record<
    UnitSystem,
    Formatted
  >;
  const pick = (field: keyof Formatted) =>
    Object.fromEntries(UNIT_SYSTEMS.map((system) => [system, all[system][field]])) as Record<
      UnitSystem,
      string
    >;
  const format = formats.get(city.timezone) ??
    formats.set(city.timezone, observedFormat(city.timezone)).get(city.timezone)!;
  const observed = format.format(new Date(now.observed_at));
  const wmo = WMO_CODES.get(now.weather_code) ?? `WMO ${now.weather_code}`;
  const name = escapeHtml(city.name);
  const forecast = renderOutlook(outlook, units);
  // The same folding as city lookup and the script's search: no accents, case or extra spaces.
  const searchKey = normalizeCityName(`${city.name} ${city.country}`);
  // The arrow points where the wind blows to: opposite to where it comes from.
  const rotate = `rotate(${(now.wind_direction + 180) % 360} 12 12)`;
  const arrow = now.wind_speed === 0
    ? ""
    : ` <svg class="arrow" viewBox="0 0 24 24" aria-hidden="true"><path transform="${rotate}" ` +
      `d="M12 2l6 10h-4.5v10h-3V12H6z"/></svg>`;
  return `<li class="city ${band(now.temperature)}" data-search="${escapeHtml(searchKey)}">
<h3><a href="${escapeHtml(cityPagePath(city.name, units))}" data-page="${
    escapeHtml(cityPagePath(city.name))
  }">${name}</a> <span class="country">${escapeHtml(city.country)}</span></h3>
<div class="now"><svg role="img" aria-label="${escapeHtml(wmo)}"><title>${
    escapeHtml(`${wmo} (WMO ${now.weather_code})`)
  }</title><use href="#sky-${skyOf(now.weather_code)}"/></svg><div>${
    switchable("div", ' class="temp"', pick("temperature"), units)
  }<div class="cond">${escapeHtml(now.condition)}</div></div></div>
<dl>
<div><dt>Feels like</dt>${switchable("dd", "", pick("feels_like"), units)}</div>${forecast.today}
<div><dt>Humidity</dt><dd>${now.humidity}%</dd></div>
<div><dt>Wind</dt><dd>${switchable("span", "", pick("wind"), units)}${arrow}</dd></div>
<div><dt>Pressure</dt>${switchable("dd", "", pick("pressure"), units)}</div>
<div><dt>Observed</dt><dd><time datetime="${escapeHtml(now.observed_at)}">${
    escapeHtml(observed)
  }</time><span class="ago" data-since="${escapeHtml(now.observed_at)}"></span></dd></div>
<div hidden><dt>Local time</dt><dd><time data-tz="${escapeHtml(city.timezone)}"></time></dd></div>
</dl>
${forecast.week}
<a class="json" href="/weather/${
    escapeHtml(encodeURIComponent(city.name))
  }">JSON<span class="vh"> for ${name}</span></a>
</li>`;
}

const UNIT_LABELS: Record<UnitSystem, string> = {
  metric: "Metric °C",
  imperial: "Imperial °F",
  si: "SI K",
};

/**
 * Renders the dashboard: every city as a card with its condition, temperature, feels-like,
 * humidity, wind, pressure and observation time (local to the city), with `options.outlooks`
 * today's range and a strip of days, a search box and a units toggle. Every value from `cities` is HTML-escaped; the page needs {@linkcode DASHBOARD_CSP}.
 *
 * @example
 * ```ts
 * const html = renderDashboard(dataset.cities, { units: "imperial", version: dataset.version });
 * ```
 */
export function renderDashboard(cities: readonly City[], options: DashboardOptions): string {
  const { units } = options;
  const count = `${cities.length} ${cities.length === 1 ? "city" : "cities"}`;
  const formats = new Map<string, Intl.DateTimeFormat>();
  const toggle = UNIT_SYSTEMS.map((system) =>
    `<a href="/?units=${system}" data-units="${system}"${system === units ? ' aria-current="true"' : ""}>${
      escapeHtml(UNIT_LABELS[system])
    }</a>`
  ).join("");
  const source = options.fileName === undefined
    ? ""
    : ` from ${escapeHtml(options.fileName)}${
      options.version === undefined ? "" : ` (version <code>${escapeHtml(options.version)}</code>)`
    }`;
  const links = (options.links ?? []).map(({ href, label }) =>
    `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a> (<code>${escapeHtml(href)}</code>)</li>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weather now in ${count}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${SKY_SPRITE}
<div class="wrap">
<header>
<h1>Weather now</h1>
<p>Current conditions and ${options.outlooks === undefined ? "" : "7-day forecasts "}in ${count}${source}.</p>
</header>
<div class="bar">
<div class="search" id="search" hidden>
<label class="label" for="q">Search cities</label>
<input id="q" type="search" autocomplete="off" spellcheck="false" placeholder="City or country code" aria-describedby="status">
<p id="status" role="status">${count}</p>
</div>
<nav class="units" aria-labelledby="units-label"><span class="label" id="units-label">Units</span><div>${toggle}</div></nav>
</div>
<main>
<h2 class="vh">Cities</h2>
<ul class="cities">
${cities.map((city, i) => renderCity(city, units, formats, options.outlooks?.[i] ?? [])).join("\n")}
</ul>
<p id="none" hidden>No city matches your search.</p>
</main>
<footer>
<h2 class="vh">For developers</h2>
<p>Each city’s name links to its page with the forecast (<code>/city/{city}</code>), and each card to
its city’s JSON (<code>/weather/{city}</code>).</p>
<ul>
${links}
</ul>
</footer>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

// --- The `/` resource. ---

const encoder = new TextEncoder();

/** A rendered page: its bytes and tag, and the HTTP date of what it depends on. */
export interface PageAnswer {
  readonly representation: Representation;
  /** The later of the data's load and the start of the clock's forecast slot, as an HTTP date. */
  readonly lastModified: string;
}

/** Dashboard pages kept per dataset and links: the unit systems of a few clock slots and seeds. */
export const MAX_CACHED_DASHBOARDS = 12;

/** Days of the strip on each card. */
const STRIP_DAYS = 7;

// Pages live as long as their dataset: a reload makes a new Dataset, so a new cache.
const pages = new WeakMap<readonly DashboardLink[], WeakMap<Dataset, LruCache<string, PageAnswer>>>();
// The latest slot's outlooks of each dataset: one model run per city serves every unit system.
const outlooks = new WeakMap<Dataset, { key: string; days: readonly OutlookDay[][] }>();
const NO_LINKS: readonly DashboardLink[] = [];

function outlooksOf(
  data: Dataset,
  cities: readonly City[],
  seed: number,
  slot: number,
  weather: string,
): readonly OutlookDay[][] {
  const key = `${seed}|${slot}${weather}`;
  let latest = outlooks.get(data);
  if (latest?.key !== key) {
    latest = { key, days: cities.map((city) => dailyOutlook(city, seed, slot, STRIP_DAYS)) };
    outlooks.set(data, latest);
  }
  return latest.days;
}

/**
 * The dashboard of `data` in `units` with the model's forecasts for `clock`, and `links` in its
 * footer: rendered once per dataset, seed, 15-minute slot of the clock and units, then served from
 * a bounded least-recently-used cache. Its ETag hashes the HTML itself, so a change of data,
 * forecast, units or renderer all change it.
 *
 * @example
 * ```ts
 * const { representation } = dashboardPage(dataset, "metric", { seed: 0, now: Date.now() });
 * ```
 */
export function dashboardPage(
  data: Dataset,
  units: UnitSystem,
  clock: ModelClock,
  links: readonly DashboardLink[] = NO_LINKS,
  weather: WeatherScope = MODEL_WEATHER,
): PageAnswer {
  let byData = pages.get(links);
  if (byData === undefined) pages.set(links, byData = new WeakMap());
  let cache = byData.get(data);
  if (cache === undefined) byData.set(data, cache = new LruCache(MAX_CACHED_DASHBOARDS));
  const cities = weather === MODEL_WEATHER ? data.cities : data.cities.map((city) => weather.of(city));
  weather.ready();
  const slot = slotOf(clock.now);
  return cache.get(`${clock.seed}|${slot}|${units}${weather.key}`, () => {
    const html = renderDashboard(cities, {
      units,
      links,
      fileName: data.fileName,
      version: data.version,
      outlooks: outlooksOf(data, cities, clock.seed, slot, weather.key),
    });
    return {
      representation: { body: encoder.encode(html), etag: `"${contentTag(html)}"` },
      lastModified: new Date(Math.max(data.loadedAt.getTime(), slot)).toUTCString(),
    };
  });
}

/**
 * An error as a small page in the dashboard's style, for a browser that asked for HTML: the
 * status, what went wrong, any `links` to try instead (such as the cities meant), and a way back.
 * It needs {@linkcode DASHBOARD_CSP}.
 */
export function errorPage(
  status: number,
  title: string,
  detail: string,
  links: readonly DashboardLink[] = NO_LINKS,
): string {
  const choices = links.length === 0
    ? ""
    : `<ul>\n${
      links.map(({ href, label }) => `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></li>`).join(
        "\n",
      )
    }\n</ul>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${status} ${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<div class="wrap">
<header>
<h1>${status} ${escapeHtml(title)}</h1>
<p>${escapeHtml(detail)}</p>
</header>
${choices}<p><a href="/">Back to the dashboard</a></p>
</div>
</body>
</html>
`;
}
