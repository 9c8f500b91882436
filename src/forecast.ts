/**
 * Our own forecast answer: the model's series for one city, in the API's shape and units, and the
 * bounded cache that computes each answer once per data version, city, seed, 15-minute slot of
 * the clock, units and window.
 * @module
 */

import type { Dataset } from "./dataset.ts";
import { jsonRepresentation, type Representation } from "./http.ts";
import { LruCache } from "./lru_cache.ts";
import { MODEL_WEATHER, type WeatherScope } from "./weather_scope.ts";
import { currentConditions, dailySeries, hourlySeries, type ModelInput } from "./model/forecast.ts";
import { addDays, localDate, localIsoTime, slotOf, utcOffsetSeconds } from "./model/time.ts";
import { DAILY_VARIABLES, HOURLY_VARIABLES, type HourlySeries } from "./model/variables.ts";
import type { City, Forecast, ForecastValueField } from "./schema.ts";
import { FORECAST_MEASURES } from "./schema.ts";
import { convertMeasure, MEASURE_UNITS, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";
import { WMO_CODES } from "./wmo.ts";

/** The window and units of a forecast answer. */
export interface ForecastQuery {
  /** Days from the clock's local date, 1 to 16. */
  readonly days: number;
  /** Hours from the start of the clock's local hour, 0 to 384. */
  readonly hours: number;
  /** Days before the clock's local date, 0 to 92; as many times 24 hours come before the hours. */
  readonly pastDays: number;
  readonly units: UnitSystem;
}

const MS_PER_HOUR = 3_600_000;

/** The hourly variables of our answers: the model's, `is_day` as a boolean after the numbers. */
const HOUR_NUMBERS = HOURLY_VARIABLES.filter((name) => name !== "is_day");

function unitsBlock(units: UnitSystem): Record<ForecastValueField, string> {
  const names = MEASURE_UNITS[units];
  return Object.fromEntries(
    Object.entries(FORECAST_MEASURES).map(([field, measure]) => [field, names[measure]]),
  ) as Record<ForecastValueField, string>;
}

const UNITS_BLOCKS = {
  metric: unitsBlock("metric"),
  imperial: unitsBlock("imperial"),
  si: unitsBlock("si"),
} as const;

const condition = (code: number) => WMO_CODES.get(code) ?? "Unknown";

function hourAt(series: HourlySeries, i: number, units: UnitSystem): Record<string, unknown> {
  const t = series.time[i]! * 1000;
  const hour: Record<string, unknown> = { time: localIsoTime(t, series.utc_offset_seconds[i]!, true) };
  for (const name of HOUR_NUMBERS) {
    hour[name] = convertMeasure(FORECAST_MEASURES[name], series[name][i]!, units);
  }
  hour.condition = condition(series.weather_code[i]!);
  hour.is_day = series.is_day[i] === 1;
  return hour;
}

/**
 * The forecast of `city` for the clock `now` and `seed`: current conditions (the clock's
 * 15-minute slot, which at that slot are the data file's `current`), `query.hours` hours from
 * the start of the clock's local hour and `query.days` local days from its local date, each
 * preceded by `query.pastDays` days of the past.
 *
 * @example
 * ```ts
 * const body = forecastBody(tokyo, 0, Date.parse("2026-11-23T12:00:00Z"), { days: 7, hours: 48, pastDays: 0, units: "metric" });
 * body.daily[0].date; // "2026-11-23"
 * ```
 */
export function forecastBody(city: City, seed: number, now: number, query: ForecastQuery): Forecast {
  const input: ModelInput = { city, seed, now };
  const { units } = query;
  const zone = city.timezone;
  const offset = utcOffsetSeconds(zone, now);
  // The local hour holding `now`, which in a zone 30 or 45 minutes off the hour starts on a quarter hour.
  const hourStart = Math.floor((now + offset * 1000) / MS_PER_HOUR) * MS_PER_HOUR - offset * 1000;
  const pastHours = query.pastDays * 24;
  const hourly = hourlySeries(input, hourStart - pastHours * MS_PER_HOUR, pastHours + query.hours);
  const today = localDate(zone, now);
  const daily = dailySeries(input, addDays(today, -query.pastDays), query.pastDays + query.days);
  const current = currentConditions(input);

  const currentBody: Record<string, unknown> = {
    time: localIsoTime(current.time * 1000, current.utc_offset_seconds, true),
    interval: current.interval,
  };
  for (const name of HOUR_NUMBERS) {
    currentBody[name] = convertMeasure(FORECAST_MEASURES[name], current[name], units);
  }
  currentBody.condition = condition(current.weather_code);
  currentBody.is_day = current.is_day === 1;

  const hours = Array.from({ length: hourly.length }, (_, i) => hourAt(hourly, i, units));
  const days = Array.from({ length: daily.length }, (_, d) => {
    const offsetOf = (s: number) => utcOffsetSeconds(zone, s * 1000);
    const sunrise = daily.sunrise[d]!, sunset = daily.sunset[d]!;
    const day: Record<string, unknown> = { date: daily.date[d] };
    for (const name of DAILY_VARIABLES) {
      day[name] = convertMeasure(FORECAST_MEASURES[name], daily[name][d]!, units);
    }
    day.condition = condition(daily.weather_code[d]!);
    day.sunrise = sunrise === null ? null : localIsoTime(sunrise * 1000, offsetOf(sunrise), true);
    day.sunset = sunset === null ? null : localIsoTime(sunset * 1000, offsetOf(sunset), true);
    return day;
  });

  return {
    name: city.name,
    country: city.country,
    latitude: city.latitude,
    longitude: city.longitude,
    timezone: zone,
    elevation: city.elevation ?? 0,
    utc_offset_seconds: offset,
    current: currentBody,
    hourly: hours,
    daily: days,
    units: UNITS_BLOCKS[units],
  } as Forecast;
}

/** A cached forecast answer: its bytes and the HTTP date of what it depends on. */
export interface ForecastAnswer {
  readonly representation: Representation;
  /** The later of the data's load and the start of the clock's slot, as an HTTP date. */
  readonly lastModified: string;
}

/**
 * Most forecast answers kept per dataset. A 7-day, 48-hour answer is about 20 KB with its
 * compressed variants, so the cache holds at most about 20 MB of them.
 */
export const MAX_CACHED_FORECASTS = 1000;

const caches = new WeakMap<Dataset, LruCache<string, ForecastAnswer>>();

/**
 * The forecast of the city at position `index` of `data`, computed on first use for its seed,
 * clock slot, units and window, then served from a cache of at most
 * {@linkcode MAX_CACHED_FORECASTS} answers per dataset.
 */
export function cachedForecast(
  data: Dataset,
  index: number,
  seed: number,
  now: number,
  query: ForecastQuery,
  weather: WeatherScope = MODEL_WEATHER,
): ForecastAnswer {
  const city = weather.city(data.cities[index]!);
  let cache = caches.get(data);
  if (cache === undefined) caches.set(data, cache = new LruCache(MAX_CACHED_FORECASTS));
  const slot = slotOf(now);
  const key =
    `${index}|${seed}|${slot}|${query.units}|${query.days}|${query.hours}|${query.pastDays}${weather.key}`;
  return cache.get(key, () => ({
    representation: jsonRepresentation(forecastBody(city, seed, slot, query)),
    lastModified: new Date(Math.max(data.loadedAt.getTime(), slot)).toUTCString(),
  }));
}

/** One local day of a forecast in brief, its temperatures in every unit system. */
export interface OutlookDay {
  /** Local calendar date, "YYYY-MM-DD". */
  readonly date: string;
  readonly weather_code: number;
  readonly condition: string;
  readonly temperature_max: Readonly<Record<UnitSystem, number>>;
  readonly temperature_min: Readonly<Record<UnitSystem, number>>;
}

/**
 * The `days` local days from the clock's local date of `city`'s forecast, in brief: one run of
 * the model for all unit systems, each value the one {@linkcode forecastBody} gives in that system.
 *
 * @example
 * ```ts
 * const [today] = dailyOutlook(tokyo, 0, Date.parse("2026-11-23T12:00:00Z"), 7);
 * today.temperature_max.imperial; // as forecastBody(...).daily[0].temperature_max in imperial
 * ```
 */
export function dailyOutlook(city: City, seed: number, now: number, days: number): OutlookDay[] {
  const daily = dailySeries({ city, seed, now }, localDate(city.timezone, now), days);
  const inEvery = (measure: "temperature_max" | "temperature_min", value: number) =>
    Object.fromEntries(
      UNIT_SYSTEMS.map((units) => [units, convertMeasure(FORECAST_MEASURES[measure], value, units)]),
    ) as Record<UnitSystem, number>;
  return Array.from({ length: daily.length }, (_, d) => ({
    date: daily.date[d]!,
    weather_code: daily.weather_code[d]!,
    condition: condition(daily.weather_code[d]!),
    temperature_max: inEvery("temperature_max", daily.temperature_max[d]!),
    temperature_min: inEvery("temperature_min", daily.temperature_min[d]!),
  }));
}
