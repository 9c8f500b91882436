// A city's page, `GET /city/{city}`: the model's current conditions, a 48-hour chart drawn as
// inline SVG by the server and the next 7 days, as plain HTML under the dashboard's CSP. It needs
// no script: the units toggle is links, and the chart's text alternative is a <details> table.
import { MODEL_WEATHER, type WeatherScope } from "./weather_scope.ts";
import {
  cityPagePath,
  escapeHtml,
  type ModelClock,
  PAGE_STYLE,
  type PageAnswer,
  SKY_SPRITE,
  skySymbol,
  temperatureText,
  weekdayOf,
} from "./dashboard.ts";
import type { Dataset } from "./dataset.ts";
import { compassPoint } from "./format.ts";
import { forecastBody } from "./forecast.ts";
import { slotOf } from "./model/time.ts";
import { LruCache } from "./lru_cache.ts";
import { contentTag } from "./http.ts";
import type { City, Forecast } from "./schema.ts";
import { round, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";

/** Hours the page's chart covers, from the start of the clock's local hour. */
export const CHART_HOURS = 48;
/** Days the page's table covers, from the clock's local date. */
export const PAGE_DAYS = 7;

type Hour = Forecast["hourly"][number];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const UNIT_LABELS: Record<UnitSystem, string> = { metric: "Metric °C", imperial: "Imperial °F", si: "SI K" };

/** "Mon 23 Nov" of a local date "2026-11-23". */
function dayText(date: string): string {
  return `${weekdayOf(date)} ${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

/** "Mon 21:00" of a local ISO time "2026-11-23T21:00:00+09:00". */
const hourText = (time: string) => `${weekdayOf(time.slice(0, 10))} ${time.slice(11, 16)}`;
/** SVG coordinates to a tenth of a unit. */
const at = (x: number) => `${Math.round(x * 10) / 10}`;

function amountText(value: number, unit: string, units: UnitSystem): string {
  return `${round(value, units === "imperial" ? 2 : 1)} ${unit}`;
}

// The chart's box, in viewBox units: the plot and the margins for its axes' labels.
const WIDTH = 720, HEIGHT = 260, LEFT = 52, RIGHT = 62, TOP = 20, BOTTOM = 36;
const PLOT_W = WIDTH - LEFT - RIGHT, PLOT_H = HEIGHT - TOP - BOTTOM;
const BASE = TOP + PLOT_H;
/** Precipitation bars use the lower part of the plot, so that they rarely hide the line. */
const BAR_SHARE = 0.45;
const TEMPERATURE_STEPS = [0.5, 1, 2, 5, 10, 20, 50, 100];

/** A temperature axis with at most 5 intervals of a round step, holding `lo` to `hi`. */
function temperatureAxis(lo: number, hi: number): { from: number; to: number; step: number } {
  for (const step of TEMPERATURE_STEPS) {
    const from = Math.floor(lo / step) * step;
    let to = Math.ceil(hi / step) * step;
    if (to === from) to += step;
    if ((to - from) / step <= 5) return { from, to, step };
  }
  return { from: lo, to: hi + 1, step: hi + 1 - lo };
}

/** The top of the precipitation scale: a round amount at least the wettest hour and a light shower. */
function precipitationScale(max: number, units: UnitSystem): number {
  const steps = units === "imperial" ? [0.04, 0.1, 0.2, 0.5, 1, 2, 4] : [1, 2, 5, 10, 20, 50, 100];
  return steps.find((step) => step >= max) ?? max;
}

/**
 * The 48-hour chart of `forecast`: night shaded by `is_day`, precipitation as bars on the right
 * axis, the temperature as one line on the left axis with its lowest and highest hours marked, and
 * hour ticks in the city's local time. A few paths and labels whatever the number of hours.
 */
export function forecastChart(forecast: Forecast, units: UnitSystem): string {
  const hours = forecast.hourly;
  const n = hours.length;
  if (n === 0) return "";
  const tUnit = forecast.units.temperature, pUnit = forecast.units.precipitation;
  const step = PLOT_W / n;
  const x = (i: number) => LEFT + (i + 0.5) * step;
  const temps = hours.map((hour) => hour.temperature);
  let iMin = 0, iMax = 0;
  temps.forEach((t, i) => {
    if (t < temps[iMin]!) iMin = i;
    if (t > temps[iMax]!) iMax = i;
  });
  const axis = temperatureAxis(temps[iMin]!, temps[iMax]!);
  const y = (t: number) => TOP + PLOT_H * (axis.to - t) / (axis.to - axis.from);

  const grid: string[] = [], labels: string[] = [];
  for (let t = axis.from; t <= axis.to + axis.step / 1000; t += axis.step) {
    const value = round(t, 1);
    grid.push(`M${LEFT} ${at(y(value))}H${WIDTH - RIGHT}`);
    labels.push(
      `<text class="t-label" x="${LEFT - 6}" y="${at(y(value) + 4)}" text-anchor="end">${
        escapeHtml(`${value} ${tUnit}`)
      }</text>`,
    );
  }

  // Night: each run of hours with the sun down, one rectangle each, in one path.
  let night = "";
  for (let i = 0; i < n; i++) {
    if (hours[i]!.is_day) continue;
    let j = i;
    while (j + 1 < n && !hours[j + 1]!.is_day) j++;
    night += `M${at(LEFT + i * step)} ${TOP}h${at((j - i + 1) * step)}v${PLOT_H}h-${at((j - i + 1) * step)}z`;
    i = j;
  }

  const wettest = Math.max(0, ...hours.map((hour) => hour.precipitation));
  const scale = precipitationScale(wettest, units);
  const barHeight = (p: number) => Math.max(1, PLOT_H * BAR_SHARE * p / scale);
  const barWidth = step * 0.7;
  const bars = hours.map((hour, i) =>
    hour.precipitation > 0
      ? `M${at(x(i) - barWidth / 2)} ${BASE}v-${at(barHeight(hour.precipitation))}h${at(barWidth)}V${BASE}z`
      : ""
  ).join("");
  const scaleY = BASE - PLOT_H * BAR_SHARE;
  labels.push(
    `<text class="p-label" x="${WIDTH - RIGHT + 6}" y="${BASE + 4}">${escapeHtml(`0 ${pUnit}`)}</text>`,
    `<text class="p-label" x="${WIDTH - RIGHT + 6}" y="${at(scaleY + 4)}">${
      escapeHtml(`${scale} ${pUnit}`)
    }</text>`,
  );
  grid.push(`M${WIDTH - RIGHT} ${at(scaleY)}h4M${WIDTH - RIGHT} ${BASE}h4`);

  // Hour ticks every 3 local hours, labelled every 6, and the weekday under each midnight.
  for (let i = 0; i < n; i++) {
    const time = hours[i]!.time;
    const hh = Number(time.slice(11, 13));
    if (time.slice(14, 16) !== "00" || hh % 3 !== 0) continue;
    grid.push(hh === 0 ? `M${at(x(i))} ${TOP}V${BASE + 4}` : `M${at(x(i))} ${BASE}v4`);
    if (hh % 6 !== 0) continue;
    labels.push(
      `<text class="h-label" x="${at(x(i))}" y="${BASE + 17}" text-anchor="middle">${
        time.slice(11, 13)
      }</text>`,
    );
    if (hh === 0) {
      labels.push(
        `<text x="${at(x(i))}" y="${BASE + 31}" text-anchor="middle">${weekdayOf(time.slice(0, 10))}</text>`,
      );
    }
  }

  const line = temps.map((t, i) => `${i === 0 ? "M" : "L"}${at(x(i))} ${at(y(t))}`).join("");
  const clampX = (value: number) => Math.min(Math.max(value, LEFT + 24), WIDTH - RIGHT - 24);
  const mark = (i: number, kind: "max" | "min") => {
    const below = kind === "min" && y(temps[i]!) + 18 < BASE;
    const labelY = below ? y(temps[i]!) + 18 : y(temps[i]!) - 9;
    return `<circle class="mark" data-mark="${kind}" cx="${at(x(i))}" cy="${at(y(temps[i]!))}" r="4"/>` +
      `<text class="mark-text" x="${at(clampX(x(i)))}" y="${at(labelY)}" text-anchor="middle">${kind} ${
        escapeHtml(temperatureText(temps[i]!, units))
      }</text>`;
  };

  const total = hours.reduce((sum, hour) => sum + hour.precipitation, 0);
  const wet = hours.filter((hour) => hour.precipitation > 0).length;
  const title = `Next ${n} hours in ${forecast.name}`;
  const desc = `Temperature from ${temperatureText(temps[iMin]!, units)} (${hourText(hours[iMin]!.time)}) ` +
    `to ${temperatureText(temps[iMax]!, units)} (${hourText(hours[iMax]!.time)}); ` +
    (wet === 0
      ? "no precipitation"
      : `precipitation ${amountText(total, pUnit, units)} in ${wet} of ${n} hours`) +
    "; night hours shaded; times are local.";
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${
    escapeHtml(`${title}: ${desc}`)
  }"><title>${escapeHtml(title)}</title><desc>${escapeHtml(desc)}</desc>` +
    (night === "" ? "" : `<path class="night" d="${night}"/>`) +
    `<path class="grid" d="${grid.join("")}"/>` +
    (bars === "" ? "" : `<path class="rain" d="${bars}"/>`) +
    `<path class="line" d="${line}"/>${mark(iMax, "max")}${mark(iMin, "min")}${labels.join("")}</svg>`;
}

function hourRows(forecast: Forecast): string {
  const u = forecast.units;
  return forecast.hourly.map((hour: Hour) =>
    `<tr><td><time datetime="${escapeHtml(hour.time)}">${escapeHtml(hourText(hour.time))}</time>${
      hour.is_day ? "" : " (night)"
    }</td><td class="sky">${escapeHtml(hour.condition)}</td><td>${hour.temperature} ${
      escapeHtml(u.temperature)
    }</td><td>${hour.precipitation} ${
      escapeHtml(u.precipitation)
    }</td><td>${hour.precipitation_probability}%</td></tr>`
  ).join("\n");
}

function dayRows(forecast: Forecast): string {
  const u = forecast.units;
  return forecast.daily.map((day) =>
    `<tr><th scope="row"><time datetime="${escapeHtml(day.date)}">${
      escapeHtml(dayText(day.date))
    }</time></th><td class="sky">${skySymbol(day.weather_code, day.condition)}${
      escapeHtml(day.condition)
    }</td><td class="max">${day.temperature_max} ${
      escapeHtml(u.temperature)
    }</td><td class="min">${day.temperature_min} ${
      escapeHtml(u.temperature)
    }</td><td>${day.precipitation_sum} ${
      escapeHtml(u.precipitation)
    }</td><td>${day.precipitation_probability_max}%</td><td>${day.wind_speed_max} ${
      escapeHtml(u.wind_speed)
    }</td></tr>`
  ).join("\n");
}

/** Options of {@linkcode renderCityPage}. */
export interface CityPageOptions {
  /** The units of the forecast, marked in the units toggle. */
  units: UnitSystem;
  /** The city's region, shown under its name. @default none */
  admin1?: string;
}

/**
 * Renders a city's page from its forecast (48 hours and 7 days in `options.units`): the current
 * conditions, the chart of {@linkcode forecastChart} with a table as its text alternative, and
 * the days as a table. Every value is HTML-escaped; the page needs `DASHBOARD_CSP`.
 */
export function renderCityPage(forecast: Forecast, options: CityPageOptions): string {
  const { units } = options;
  const u = forecast.units;
  const now = forecast.current;
  const name = escapeHtml(forecast.name);
  const toggle = UNIT_SYSTEMS.map((system) =>
    `<a href="${escapeHtml(cityPagePath(forecast.name, system))}"${
      system === units ? ' aria-current="true"' : ""
    }>${escapeHtml(UNIT_LABELS[system])}</a>`
  ).join("");
  const region = options.admin1 === undefined ? "" : `${escapeHtml(options.admin1)} · `;
  const json = `/weather/${encodeURIComponent(forecast.name)}/forecast${
    units === "metric" ? "" : `?units=${units}`
  }`;
  const wind = now.wind_speed === 0
    ? "Calm"
    : `${now.wind_speed} ${u.wind_speed} from ${compassPoint(now.wind_direction)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}: weather and forecast</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
${SKY_SPRITE}
<div class="wrap page">
<header>
<p><a href="${units === "metric" ? "/" : `/?units=${units}`}">← All cities</a></p>
<h1>${name} <span class="country">${escapeHtml(forecast.country)}</span></h1>
<p>${region}${escapeHtml(forecast.timezone)} · forecast from <time datetime="${escapeHtml(now.time)}">${
    escapeHtml(hourText(now.time))
  }</time> local time, by the weather model</p>
</header>
<div class="bar">
<nav class="units" aria-labelledby="units-label"><span class="label" id="units-label">Units</span><div>${toggle}</div></nav>
</div>
<main>
<section aria-labelledby="now-heading">
<h2 id="now-heading">Now</h2>
<div class="now">${skySymbol(now.weather_code, now.condition)}<div><div class="temp">${
    escapeHtml(temperatureText(now.temperature, units))
  }</div><div class="cond">${escapeHtml(now.condition)}</div></div></div>
<dl>
<div><dt>Feels like</dt><dd>${escapeHtml(temperatureText(now.apparent_temperature, units))}</dd></div>
<div><dt>Humidity</dt><dd>${now.relative_humidity}%</dd></div>
<div><dt>Wind</dt><dd>${escapeHtml(wind)}</dd></div>
<div><dt>Pressure</dt><dd>${now.pressure_msl} ${escapeHtml(u.pressure_msl)}</dd></div>
<div><dt>Precipitation</dt><dd>${now.precipitation} ${escapeHtml(u.precipitation)} an hour</dd></div>
<div><dt>Cloud cover</dt><dd>${now.cloud_cover}%</dd></div>
</dl>
</section>
<section aria-labelledby="hours-heading">
<h2 id="hours-heading">Next ${forecast.hourly.length} hours</h2>
${forecastChart(forecast, units)}
<p class="legend">Line: temperature (${escapeHtml(u.temperature)}, left). Bars: precipitation (${
    escapeHtml(u.precipitation)
  } an hour, right). Shaded: night. Hours in local time.</p>
<details>
<summary>The hours as a table</summary>
<div class="scroll"><table>
<thead><tr><th scope="col">Local time</th><th scope="col">Weather</th><th scope="col">Temperature</th><th scope="col">Precipitation</th><th scope="col">Chance</th></tr></thead>
<tbody>
${hourRows(forecast)}
</tbody>
</table></div>
</details>
</section>
<section aria-labelledby="days-heading">
<h2 id="days-heading">Next ${forecast.daily.length} days</h2>
<div class="scroll"><table class="days">
<thead><tr><th scope="col">Day</th><th scope="col">Weather</th><th scope="col">High</th><th scope="col">Low</th><th scope="col">Precipitation</th><th scope="col">Chance</th><th scope="col">Wind</th></tr></thead>
<tbody>
${dayRows(forecast)}
</tbody>
</table></div>
</section>
</main>
<footer>
<p>As JSON: <a href="${escapeHtml(json)}"><code>${escapeHtml(json)}</code></a></p>
</footer>
</div>
</body>
</html>
`;
}

// --- The `/city/{city}` resource. ---

/** City pages kept per dataset: a 48-hour, 7-day page is about 40 KB with its compressed variants. */
export const MAX_CACHED_CITY_PAGES = 300;

const encoder = new TextEncoder();
const caches = new WeakMap<Dataset, LruCache<string, PageAnswer>>();

/**
 * The page of the city at position `index` of `data` in `units`, for the model's `clock`:
 * rendered once per seed, 15-minute slot of the clock and units, then served from a bounded
 * least-recently-used cache that lives as long as the dataset.
 */
export function cityPage(
  data: Dataset,
  index: number,
  units: UnitSystem,
  clock: ModelClock,
  weather: WeatherScope = MODEL_WEATHER,
): PageAnswer {
  const city: City = weather.city(data.cities[index]!);
  let cache = caches.get(data);
  if (cache === undefined) caches.set(data, cache = new LruCache(MAX_CACHED_CITY_PAGES));
  const slot = slotOf(clock.now);
  return cache.get(`${index}|${clock.seed}|${slot}|${units}${weather.key}`, () => {
    const forecast = forecastBody(city, clock.seed, slot, {
      days: PAGE_DAYS,
      hours: CHART_HOURS,
      pastDays: 0,
      units,
    });
    const html = renderCityPage(forecast, { units, admin1: city.admin1 });
    return {
      representation: { body: encoder.encode(html), etag: `"${contentTag(html)}"` },
      lastModified: new Date(Math.max(data.loadedAt.getTime(), slot)).toUTCString(),
    };
  });
}
