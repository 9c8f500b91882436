/**
 * OpenWeatherMap's APIs over the weather model: current weather (`/data/2.5/weather`), the 5-day
 * forecast (`/data/2.5/forecast`), One Call 3.0 (`/data/3.0/onecall` and its `timemachine`) and
 * geocoding (`/geo/1.0/direct`, `reverse`, `zip`), with OpenWeatherMap's parameters, `appid`
 * check, units, field order and error bodies. It translates and formats only: every value comes
 * from `src/model/`, so a city at an instant has the same weather here as on every other route.
 * @module
 */

import { placeIds } from "../city_ids.ts";
import type { Dataset } from "../dataset.ts";
import { contentTag, type Representation } from "../http.ts";
import { LruCache } from "../lru_cache.ts";
import {
  currentConditions,
  dailySeries,
  hourlySeries,
  type ModelInput,
  modelRange,
} from "../model/forecast.ts";
import { type Place, placesOf } from "../model/places.ts";
import { moonSeries, sunDay } from "../model/sun.ts";
import { addDays, localDate, localMidnight, SLOT_MS, slotOf, utcOffsetSeconds } from "../model/time.ts";
import { cachedJson } from "../openapi.ts";
import {
  type Current15,
  type DailySeries,
  HOURLY_VARIABLES,
  type HourlySeries,
  type HourlyVariable,
} from "../model/variables.ts";
import { BadParameterError, fail, type Failure } from "../problem.ts";
import { textParameter } from "../query_parameters.ts";
import type { Outcome, QueryParameter, Route, RouteContext } from "../routes.ts";
import { searchValues } from "../request_target.ts";
import type { City } from "../schema.ts";
import { isSeries, resolveScenarioTime, scenarioAlert } from "../model/scenario.ts";
import { conditionOf } from "./openweathermap_conditions.ts";
import { openWeatherMapErrorBody } from "./openweathermap_errors.ts";

const bad = (message: string) => new BadParameterError("bad_parameter", message);
const notFound = (message = "city not found"): Failure => fail("city_not_found", message);

// --- Parameters -----------------------------------------------------------------------------------

const text = textParameter;

type OwmUnits = "standard" | "metric" | "imperial";
const UNITS: QueryParameter<OwmUnits> = {
  name: "units",
  description: "standard (K, m/s; the default), metric (°C, m/s) or imperial (°F, mph)",
  required: false,
  schema: { type: "string", enum: ["standard", "metric", "imperial"], default: "standard" },
  // OpenWeatherMap answers in standard units for a value it does not know.
  parse: (values) => values[0] === "metric" || values[0] === "imperial" ? values[0] : "standard",
};

const KEY = {
  appid: text("appid", "API key: any non-empty one, or one of the server's --api-key"),
  APPID: text("APPID", "The same, as older clients spell it"),
};
const LANG = text("lang", "Language of descriptions: accepted, answered in English");
const MODE = text("mode", "json, the only format here");
const WHERE = {
  q: text("q", 'City name, with its country code: "London", "London,GB", "London,uk"'),
  id: text("id", "City id, as /geo and earlier answers give it"),
  lat: text("lat", "Degrees north, -90 to 90 (with lon)"),
  lon: text("lon", "Degrees east, -180 to 180 (with lat)"),
  zip: text("zip", 'Postal code and country, "94040,us" (US when no country)'),
};

type Values<P> = { [K in keyof P]: P[K] extends QueryParameter<infer T> ? T : never };

/** 401 unless the request carries a key the server accepts. */
function checkKey(context: RouteContext, q: Values<typeof KEY>): Failure | undefined {
  const key = q.appid ?? q.APPID;
  if (key === undefined || key === "") return fail("unauthorized", "No appid");
  if (context.apiKeys !== undefined && !context.apiKeys.has(key)) {
    return fail("unauthorized", "Unknown appid");
  }
  return undefined;
}

// --- Where: a data city, or any point ----------------------------------------------------------------

/** The city or point a request asks about, with its name and id as OpenWeatherMap reports them. */
interface Location {
  readonly place: Place;
  readonly latitude: number;
  readonly longitude: number;
  readonly city: City | undefined;
  readonly id: number;
}

const idsOf = new WeakMap<Dataset, { ids: Uint32Array; byId: Map<number, number> }>();
function cityIds(data: Dataset) {
  let known = idsOf.get(data);
  if (known === undefined) {
    const ids = placeIds(data.cities);
    known = { ids, byId: new Map([...ids].map((id, index) => [id, index])) };
    idsOf.set(data, known);
  }
  return known;
}

const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: "GB" };
const countryCode = (text: string) => {
  const code = text.trim().toUpperCase();
  return COUNTRY_ALIASES[code] ?? code;
};

function coordinate(text: string | undefined, limit: number, name: "latitude" | "longitude"): number {
  const value = text === undefined || text.trim() === "" ? NaN : Number(text);
  if (!(value >= -limit && value <= limit)) throw bad(`wrong ${name}`);
  return value;
}

const largest = new WeakMap<Dataset, Map<string, number>>();
/** The most populous data city of `country`, standing in for a postal code: no postal data here. */
function cityOfCountry(data: Dataset, country: string): number | undefined {
  let byCountry = largest.get(data);
  if (byCountry === undefined) {
    byCountry = new Map();
    data.cities.forEach((city, i) => {
      const best = byCountry!.get(city.country);
      if (best === undefined || (city.population ?? 0) > (data.cities[best]!.population ?? 0)) {
        byCountry!.set(city.country, i);
      }
    });
    largest.set(data, byCountry);
  }
  return byCountry.get(country);
}

function cityLocation(context: RouteContext, index: number): Location {
  const city = context.data.cities[index]!;
  return {
    place: placesOf(context.data).at(city.latitude, city.longitude, context.seed, slotOf(context.clock)),
    latitude: city.latitude,
    longitude: city.longitude,
    city,
    id: cityIds(context.data).ids[index]!,
  };
}

function pointLocation(context: RouteContext, latitude: number, longitude: number): Location {
  const place = placesOf(context.data).at(latitude, longitude, context.seed, slotOf(context.clock));
  const index = place.dataIndex;
  return {
    place,
    latitude,
    longitude,
    city: index === undefined ? undefined : context.data.cities[index],
    id: index === undefined ? 0 : cityIds(context.data).ids[index]!,
  };
}

/** The point of `lat` and `lon`, both required. */
function coordinates(q: { lat?: string; lon?: string }): { latitude: number; longitude: number } {
  if (q.lat === undefined || q.lon === undefined) throw bad("Nothing to geocode");
  return { latitude: coordinate(q.lat, 90, "latitude"), longitude: coordinate(q.lon, 180, "longitude") };
}

/** The data city of a `q` ("London", "London,GB", "London,uk"), or undefined when there is none. */
function cityOfName(data: Dataset, text: string | undefined): number | undefined {
  const parts = (text ?? "").split(",");
  const name = parts[0]!.trim();
  if (name === "") throw bad("Nothing to geocode");
  const index = data.index.find(name);
  const country = parts.length > 1 ? countryCode(parts.at(-1)!) : "";
  return index !== undefined && (country === "" || data.cities[index]!.country === country)
    ? index
    : undefined;
}

/** The postal code of a `zip` ("94040,us") and the data city standing in for it, if any. */
function cityOfZip(data: Dataset, text: string | undefined): { code: string; index: number | undefined } {
  const [code, country] = (text ?? "").split(",");
  if (code === undefined || code.trim() === "") throw bad("Nothing to geocode");
  return { code: code.trim(), index: cityOfCountry(data, countryCode(country ?? "US")) };
}

/** The location of `q`, `id`, `lat`+`lon` or `zip`, in OpenWeatherMap's order of precedence. */
function locate(context: RouteContext, q: Values<typeof WHERE>): Location | Failure {
  const { data } = context;
  if (q.lat !== undefined || q.lon !== undefined) {
    const { latitude, longitude } = coordinates(q);
    return pointLocation(context, latitude, longitude);
  }
  let index: number | undefined;
  if (q.q !== undefined) index = cityOfName(data, q.q);
  else if (q.id !== undefined) {
    if (!/^\d{1,10}$/.test(q.id)) throw bad(`${q.id} is not a city ID`);
    index = cityIds(data).byId.get(Number(q.id));
  } else if (q.zip !== undefined) index = cityOfZip(data, q.zip).index;
  else throw bad("Nothing to geocode");
  return index === undefined ? notFound() : cityLocation(context, index);
}

// --- Values, in OpenWeatherMap's units ------------------------------------------------------------

const HOUR_MS = 3_600_000;

const round2 = (x: number) => Math.round(x * 100) / 100 || 0;
const int = (x: number) => Math.round(x) || 0;

function temperature(celsius: number, units: OwmUnits): number {
  if (units === "metric") return round2(celsius);
  if (units === "imperial") return round2(celsius * 9 / 5 + 32);
  return round2(celsius + 273.15);
}

/** Wind from the model's km/h: m/s, or mph in imperial. */
const speed = (kmh: number, units: OwmUnits) => round2(units === "imperial" ? kmh / 1.609344 : kmh / 3.6);
const visibility = (metres: number) => Math.min(10_000, int(metres));

/** An hour of the model as OpenWeatherMap's `weather` entry. */
function weatherOf(
  code: number,
  precipitation: number,
  celsius: number,
  isDay: boolean,
  metres: number,
  cloud: number,
) {
  return [
    conditionOf(code, { precipitation, temperature: celsius, isDay, visibility: metres, cloudCover: cloud }),
  ];
}

/** The values of one instant, from an hourly series or the current slot. */
type Instant = { readonly [K in HourlyVariable]: number };

function hourAt(series: HourlySeries, i: number): Instant {
  const at: Record<string, number> = {};
  for (const key of HOURLY_VARIABLES) at[key] = series[key][i]!;
  return at as Instant;
}

const condition = (v: Instant) =>
  weatherOf(v.weather_code, v.precipitation, v.temperature, v.is_day === 1, v.visibility, v.cloud_cover);
const liquid = (v: Instant) => round2(v.rain + v.showers);
const frozen = (v: Instant) => v.snowfall > 0 ? round2(v.precipitation) : 0;

/** Sunrise and sunset of the local day holding `ms`, epoch seconds (0 for a day without one). */
function sunOf(place: Place, ms: number): { sunrise: number; sunset: number } {
  const { city } = place;
  const day = sunDay(
    { latitude: city.latitude, longitude: city.longitude, timezone: city.timezone },
    localDate(city.timezone, ms),
  );
  return {
    sunrise: day.sunrise === null ? 0 : Math.round(day.sunrise / 1000),
    sunset: day.sunset === null ? 0 : Math.round(day.sunset / 1000),
  };
}

const coord4 = (x: number) => Math.round(x * 10_000) / 10_000 || 0;

// --- Answers ---------------------------------------------------------------------------------------

function current25(location: Location, context: RouteContext, units: OwmUnits) {
  const { place, city } = location;
  const slot = slotOf(context.clock);
  const input: ModelInput = { city: context.weather.city(place.city), seed: context.seed, now: slot };
  const now: Current15 = currentConditions(input);
  const hour = Math.floor(slot / HOUR_MS) * HOUR_MS;
  const around = hourlySeries(input, hour - HOUR_MS, 3).temperature;
  const sun = sunOf(place, slot);
  const body: Record<string, unknown> = {
    coord: { lon: coord4(location.longitude), lat: coord4(location.latitude) },
    weather: condition(now),
    base: "stations",
    main: {
      temp: temperature(now.temperature, units),
      feels_like: temperature(now.apparent_temperature, units),
      temp_min: temperature(Math.min(now.temperature, ...around), units),
      temp_max: temperature(Math.max(now.temperature, ...around), units),
      pressure: int(now.pressure_msl),
      humidity: int(now.relative_humidity),
      sea_level: int(now.pressure_msl),
      grnd_level: int(now.surface_pressure),
    },
    visibility: visibility(now.visibility),
    wind: {
      speed: speed(now.wind_speed, units),
      deg: int(now.wind_direction),
      gust: speed(now.wind_gusts, units),
    },
  };
  if (liquid(now) > 0) body.rain = { "1h": liquid(now) };
  if (frozen(now) > 0) body.snow = { "1h": frozen(now) };
  body.clouds = { all: int(now.cloud_cover) };
  body.dt = slot / 1000;
  body.sys = {
    type: 2,
    id: 2_000_000 + (location.id % 100_000),
    ...(city ? { country: city.country } : {}),
    sunrise: sun.sunrise,
    sunset: sun.sunset,
  };
  body.timezone = utcOffsetSeconds(place.city.timezone, context.clock);
  body.id = location.id;
  body.name = city?.name ?? "";
  body.cod = 200;
  return body;
}

/** Steps of the 5-day forecast: every 3 hours on the UTC clock from the next step, 40 of them. */
function forecast25(location: Location, context: RouteContext, units: OwmUnits, count: number) {
  const { place, city } = location;
  const slot = slotOf(context.clock);
  const input: ModelInput = { city: context.weather.city(place.city), seed: context.seed, now: slot };
  const first = Math.floor(slot / (3 * HOUR_MS)) * 3 * HOUR_MS + 3 * HOUR_MS;
  const series = hourlySeries(input, first, count * 3);
  const list = [];
  for (let step = 0; step < count; step++) {
    const v = hourAt(series, step * 3);
    const hours = [0, 1, 2].map((h) => hourAt(series, step * 3 + h));
    const temps = hours.map((h) => h.temperature);
    const dt = first / 1000 + step * 3 * 3600;
    const item: Record<string, unknown> = {
      dt,
      main: {
        temp: temperature(v.temperature, units),
        feels_like: temperature(v.apparent_temperature, units),
        temp_min: temperature(Math.min(...temps), units),
        temp_max: temperature(Math.max(...temps), units),
        pressure: int(v.pressure_msl),
        sea_level: int(v.pressure_msl),
        grnd_level: int(v.surface_pressure),
        humidity: int(v.relative_humidity),
        temp_kf: 0,
      },
      weather: condition(v),
      clouds: { all: int(v.cloud_cover) },
      wind: {
        speed: speed(v.wind_speed, units),
        deg: int(v.wind_direction),
        gust: speed(v.wind_gusts, units),
      },
      visibility: visibility(v.visibility),
      pop: round2(Math.max(...hours.map((h) => h.precipitation_probability)) / 100),
    };
    const rain = round2(hours.reduce((sum, h) => sum + liquid(h), 0));
    const snow = round2(hours.reduce((sum, h) => sum + frozen(h), 0));
    if (rain > 0) item.rain = { "3h": rain };
    if (snow > 0) item.snow = { "3h": snow };
    item.sys = { pod: v.is_day === 1 ? "d" : "n" };
    item.dt_txt = new Date(dt * 1000).toISOString().replace("T", " ").slice(0, 19);
    list.push(item);
  }
  const sun = sunOf(place, slot);
  return {
    cod: "200",
    message: 0,
    cnt: count,
    list,
    city: {
      id: location.id,
      name: city?.name ?? "",
      coord: { lat: coord4(location.latitude), lon: coord4(location.longitude) },
      country: city?.country ?? "",
      population: city?.population ?? 0,
      timezone: utcOffsetSeconds(place.city.timezone, context.clock),
      sunrise: sun.sunrise,
      sunset: sun.sunset,
    },
  };
}

/** One Call's fields of an instant, `current`'s and `hourly`'s alike. */
function oneCallInstant(v: Instant, dt: number, units: OwmUnits, extra: Record<string, unknown> = {}) {
  return {
    dt,
    ...extra,
    temp: temperature(v.temperature, units),
    feels_like: temperature(v.apparent_temperature, units),
    pressure: int(v.pressure_msl),
    humidity: int(v.relative_humidity),
    dew_point: temperature(v.dew_point, units),
    uvi: round2(v.uv_index),
    clouds: int(v.cloud_cover),
    visibility: visibility(v.visibility),
    wind_speed: speed(v.wind_speed, units),
    wind_deg: int(v.wind_direction),
    wind_gust: speed(v.wind_gusts, units),
    weather: condition(v),
  };
}

function withPrecipitation(item: Record<string, unknown>, v: Instant): Record<string, unknown> {
  if (liquid(v) > 0) item.rain = { "1h": liquid(v) };
  if (frozen(v) > 0) item.snow = { "1h": frozen(v) };
  return item;
}

/** A day's summary in OpenWeatherMap's manner, from its weather. */
function summaryOf(daily: DailySeries, d: number): string {
  const code = daily.weather_code[d]!;
  const cloudy = daily.sunshine_duration[d]! < daily.daylight_duration[d]! * 0.4;
  const sky = cloudy
    ? "cloudy"
    : daily.sunshine_duration[d]! > daily.daylight_duration[d]! * 0.8
    ? "clear"
    : "partly cloudy";
  if (code >= 95) return `Expect a day of ${sky} with thunderstorms`;
  if (daily.snowfall_sum[d]! > 0) return `Expect a day of ${sky} with snow`;
  if (daily.rain_sum[d]! + daily.showers_sum[d]! > 0) {
    return daily.precipitation_hours[d]! >= 12
      ? "There will be rain today"
      : `Expect a day of ${sky} with rain`;
  }
  return cloudy ? "The day will be cloudy" : `You can expect ${sky} in the day`;
}

function oneCall(location: Location, context: RouteContext, units: OwmUnits, exclude: ReadonlySet<string>) {
  const { place } = location;
  const zone = place.city.timezone;
  const slot = slotOf(context.clock);
  const input: ModelInput = { city: context.weather.city(place.city), seed: context.seed, now: slot };
  const hour = Math.floor(slot / HOUR_MS) * HOUR_MS;
  const hourly = hourlySeries(input, hour, 50);
  const body: Record<string, unknown> = {
    lat: coord4(location.latitude),
    lon: coord4(location.longitude),
    timezone: zone,
    timezone_offset: utcOffsetSeconds(zone, context.clock),
  };
  if (!exclude.has("current")) {
    const now: Instant = currentConditions(input);
    body.current = withPrecipitation(oneCallInstant(now, slot / 1000, units, sunOf(place, slot)), now);
  }
  if (!exclude.has("minutely")) {
    // The next 60 minutes, each the rate of its hour blended into the next one's.
    const start = slot + 60_000;
    body.minutely = Array.from({ length: 60 }, (_, m) => {
      const t = start + m * 60_000;
      const i = Math.floor((t - hour) / HOUR_MS), f = (t - hour) / HOUR_MS - i;
      const rate = hourly.precipitation[i]! * (1 - f) + hourly.precipitation[i + 1]! * f;
      return { dt: t / 1000, precipitation: round2(rate) };
    });
  }
  if (!exclude.has("hourly")) {
    body.hourly = Array.from({ length: 48 }, (_, i) => {
      const v = hourAt(hourly, i);
      const item = oneCallInstant(v, hour / 1000 + i * 3600, units);
      return withPrecipitation({ ...item, pop: round2(v.precipitation_probability / 100) }, v);
    });
  }
  if (!exclude.has("daily")) body.daily = oneCallDays(input, place, units, context.clock);
  if (!exclude.has("alerts")) {
    const alerts = alertsOf(location, context);
    if (alerts.length > 0) body.alerts = alerts;
  }
  return body;
}

function oneCallDays(input: ModelInput, place: Place, units: OwmUnits, clock: number) {
  const zone = place.city.timezone;
  const today = localDate(zone, clock);
  const days = dailySeries(input, today, 8);
  const where = { latitude: place.city.latitude, longitude: place.city.longitude, timezone: zone };
  const moon = moonSeries(where, today, 8);
  const first = localMidnight(zone, today);
  const hours = hourlySeries(input, Math.ceil(first / SLOT_MS) * SLOT_MS, 8 * 24 + 1);
  const at = (d: number, h: number) => {
    const t = localMidnight(zone, addDays(today, d)) + h * HOUR_MS;
    return hourAt(
      hours,
      Math.min(hours.length - 1, Math.max(0, Math.round((t - hours.time[0]! * 1000) / HOUR_MS))),
    );
  };
  return Array.from({ length: 8 }, (_, d) => {
    const [morn, day, eve, night] = [6, 12, 18, 0].map((h) => at(d, h));
    const item: Record<string, unknown> = {
      dt: Math.round((localMidnight(zone, addDays(today, d)) + 12 * HOUR_MS) / 1000),
      sunrise: days.sunrise[d] ?? 0,
      sunset: days.sunset[d] ?? 0,
      moonrise: moon.moonrise[d] ?? 0,
      moonset: moon.moonset[d] ?? 0,
      moon_phase: round2(moon.moon_phase[d]!),
      summary: summaryOf(days, d),
      temp: {
        day: temperature(day!.temperature, units),
        min: temperature(days.temperature_min[d]!, units),
        max: temperature(days.temperature_max[d]!, units),
        night: temperature(night!.temperature, units),
        eve: temperature(eve!.temperature, units),
        morn: temperature(morn!.temperature, units),
      },
      feels_like: {
        day: temperature(day!.apparent_temperature, units),
        night: temperature(night!.apparent_temperature, units),
        eve: temperature(eve!.apparent_temperature, units),
        morn: temperature(morn!.apparent_temperature, units),
      },
      pressure: int(day!.pressure_msl),
      humidity: int(day!.relative_humidity),
      dew_point: temperature(day!.dew_point, units),
      wind_speed: speed(days.wind_speed_max[d]!, units),
      wind_deg: int(days.wind_direction_dominant[d]!),
      wind_gust: speed(days.wind_gusts_max[d]!, units),
      weather: weatherOf(
        days.weather_code[d]!,
        days.precipitation_sum[d]! / 24,
        days.temperature_max[d]!,
        true,
        day!.visibility,
        day!.cloud_cover,
      ),
      clouds: int(day!.cloud_cover),
      pop: round2(days.precipitation_probability_max[d]! / 100),
    };
    const rain = round2(days.rain_sum[d]! + days.showers_sum[d]!);
    const snow = days.snowfall_sum[d]! > 0 ? round2(days.precipitation_sum[d]! - rain) : 0;
    if (rain > 0) item.rain = rain;
    if (snow > 0) item.snow = snow;
    item.uvi = round2(days.uv_index_max[d]!);
    return item;
  });
}

/** Alerts from the data file's scenarios of severe weather in the next 8 days. */
function alertsOf(location: Location, context: RouteContext) {
  const city = location.city;
  if (city === undefined || city.scenarios === undefined) return [];
  const slot = slotOf(context.clock);
  const zone = city.timezone;
  const today = localDate(zone, slot);
  const end = localMidnight(zone, addDays(today, 8));
  const dayStart = (offset: number) => localMidnight(zone, addDays(today, offset));
  const alerts = [];
  for (const scenario of city.scenarios) {
    if (isSeries(scenario)) continue;
    const from = resolveScenarioTime(scenario.from, slot, dayStart);
    const to = resolveScenarioTime(scenario.to, slot, dayStart);
    const event = scenarioAlert(scenario.set);
    if (to <= slot || from >= end || event === undefined) continue;
    alerts.push({
      sender_name: "Local weather server (data file scenario)",
      event,
      start: Math.round(from / 1000),
      end: Math.round(to / 1000),
      description:
        `${event} for ${city.name}, from the data file's scenario ${scenario.from} to ${scenario.to}.`,
      tags: [event.split(" ").slice(-2, -1)[0] ?? "Weather"],
    });
  }
  return alerts;
}

function timeMachine(location: Location, context: RouteContext, units: OwmUnits, dt: number) {
  const { place } = location;
  const zone = place.city.timezone;
  const hour = Math.floor(dt * 1000 / HOUR_MS) * HOUR_MS;
  const plain: ModelInput = { city: place.city, seed: context.seed, now: slotOf(context.clock) };
  // A time the model does not cover is refused before any upstream weather is waited for.
  const range = modelRange(plain);
  if (hour < range.start || hour >= range.end) throw bad("requested time is out of allowed range");
  const input: ModelInput = { ...plain, city: context.weather.city(place.city) };
  let series: HourlySeries;
  try {
    series = hourlySeries(input, hour, 1);
  } catch (error) {
    if (error instanceof RangeError) throw bad("requested time is out of allowed range");
    throw error;
  }
  const v = hourAt(series, 0);
  return {
    lat: coord4(location.latitude),
    lon: coord4(location.longitude),
    timezone: zone,
    timezone_offset: utcOffsetSeconds(zone, hour),
    data: [withPrecipitation(oneCallInstant(v, dt, units, sunOf(place, hour)), v)],
  };
}

// --- Geocoding -------------------------------------------------------------------------------------

function geoEntry(city: City) {
  return {
    name: city.name,
    lat: coord4(city.latitude),
    lon: coord4(city.longitude),
    country: city.country,
    ...(city.admin1 ? { state: city.admin1 } : {}),
  };
}

function limitOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 ? Math.min(5, value) : fallback;
}

// --- The routes ------------------------------------------------------------------------------------

/** Answers kept per dataset and route: the text of the question, the seed and the clock's slot. */
export const MAX_CACHED_ANSWERS = 2000;
const answers = new WeakMap<Dataset, LruCache<string, Outcome>>();
const encoder = new TextEncoder();

function cacheOf(data: Dataset): LruCache<string, Outcome> {
  let cache = answers.get(data);
  if (cache === undefined) answers.set(data, cache = new LruCache(MAX_CACHED_ANSWERS));
  return cache;
}
const keyOf = (context: RouteContext) =>
  `${context.pathname}|${context.seed}|${slotOf(context.clock)}|${context.search}`;

/** A JSON answer, kept for the same question in the same slot. */
function json(context: RouteContext, value: unknown): Outcome {
  const text = JSON.stringify(value);
  const representation: Representation = { body: encoder.encode(text), etag: `"${contentTag(text)}"` };
  const outcome: Outcome = {
    kind: "representation",
    representation,
    lastModified: new Date(Math.max(context.data.loadedAt.getTime(), slotOf(context.clock))).toUTCString(),
  };
  const weather = context.weather.stamp();
  cacheOf(context.data).set(keyOf(context), weather === undefined ? outcome : { ...outcome, weather });
  return outcome;
}

/**
 * Runs `answer` under the key check, turning a parameter error into its failure. The key is
 * checked first, as OpenWeatherMap does: without one, every question is a 401.
 */
function guarded<P>(context: RouteContext, q: Values<typeof KEY> & P, answer: () => unknown): Outcome {
  const refused = checkKey(context, q);
  if (refused) return refused;
  try {
    const value = answer();
    return value !== null && typeof value === "object" && "kind" in value && value.kind === "problem"
      ? value as Failure
      : json(context, value);
  } catch (error) {
    if (error instanceof BadParameterError) return error.failure;
    throw error;
  }
}

/**
 * The answer to the same question asked in the same slot, before its parameters are parsed; the
 * key is checked first, so that no cached answer reaches a refused key, whichever handler cached it.
 */
function repeated(context: RouteContext): Outcome | undefined {
  const found = answers.get(context.data)?.find(keyOf(context));
  if (found === undefined) return undefined;
  const key = searchValues(context.search, "appid")[0] ?? searchValues(context.search, "APPID")[0];
  return checkKey(context, { appid: key, APPID: undefined }) ?? found;
}

const ok = (description: string, schema: Record<string, unknown>) => cachedJson(schema, description);
const object = (required: string[]) => ({ type: "object", required });

const common = {
  api: true,
  conditional: true,
  errorBody: openWeatherMapErrorBody,
  errorSchema: "OpenWeatherMapError",
  repeated,
} as const;

const WEATHER_QUERY = { ...WHERE, units: UNITS, lang: LANG, mode: MODE, ...KEY };
/** `GET /data/2.5/weather`: current weather by city name, id, coordinates or postal code. */
export const WEATHER_ROUTE: Route<typeof WEATHER_QUERY> = {
  ...common,
  path: "/data/2.5/weather",
  operationId: "openWeatherMapCurrent",
  summary: "OpenWeatherMap's current weather, by q, id, lat and lon, or zip",
  query: WEATHER_QUERY,
  ok: ok("The current weather, as OpenWeatherMap answers it", object(["coord", "weather", "main", "cod"])),
  errors: ["unauthorized", "bad_parameter", "city_not_found"],
  answer: (context, q) =>
    guarded(context, q, () => {
      const where = locate(context, q);
      return "kind" in where ? where : current25(where, context, q.units);
    }),
};

const FORECAST_QUERY = {
  ...WHERE,
  cnt: text("cnt", "Steps, 1 to 40"),
  units: UNITS,
  lang: LANG,
  mode: MODE,
  ...KEY,
};
/** `GET /data/2.5/forecast`: 5 days in steps of 3 hours. */
export const FORECAST_ROUTE: Route<typeof FORECAST_QUERY> = {
  ...common,
  path: "/data/2.5/forecast",
  operationId: "openWeatherMapForecast",
  summary: "OpenWeatherMap's 5-day forecast in 3-hour steps",
  query: FORECAST_QUERY,
  ok: ok("The forecast, as OpenWeatherMap answers it", object(["cod", "message", "cnt", "list", "city"])),
  errors: ["unauthorized", "bad_parameter", "city_not_found"],
  answer: (context, q) =>
    guarded(context, q, () => {
      let count = 40;
      if (q.cnt !== undefined) {
        if (!/^\d+$/.test(q.cnt)) throw bad(`${q.cnt} is not a number`);
        count = Math.min(40, Math.max(1, Number(q.cnt)));
      }
      const where = locate(context, q);
      return "kind" in where ? where : forecast25(where, context, q.units, count);
    }),
};

const POINT = { lat: WHERE.lat, lon: WHERE.lon };
function point(context: RouteContext, q: { lat?: string; lon?: string }): Location {
  const { latitude, longitude } = coordinates(q);
  return pointLocation(context, latitude, longitude);
}

const ONE_CALL_QUERY = {
  ...POINT,
  exclude: text("exclude", "Sections to leave out: current, minutely, hourly, daily, alerts"),
  units: UNITS,
  lang: LANG,
  ...KEY,
};
/** `GET /data/3.0/onecall`: current, minutely, hourly, daily and alerts for a point. */
export const ONE_CALL_ROUTE: Route<typeof ONE_CALL_QUERY> = {
  ...common,
  path: "/data/3.0/onecall",
  operationId: "openWeatherMapOneCall",
  summary: "OpenWeatherMap's One Call 3.0: current, 60 minutes, 48 hours, 8 days, alerts",
  query: ONE_CALL_QUERY,
  ok: ok(
    "The weather of the point, as One Call answers it",
    object(["lat", "lon", "timezone", "timezone_offset"]),
  ),
  errors: ["unauthorized", "bad_parameter"],
  answer: (context, q) =>
    guarded(context, q, () => {
      const exclude = new Set((q.exclude ?? "").split(",").map((s) => s.trim()));
      return oneCall(point(context, q), context, q.units, exclude);
    }),
};

const TIME_MACHINE_QUERY = {
  ...POINT,
  dt: text("dt", "Unix time of the hour asked for"),
  units: UNITS,
  lang: LANG,
  ...KEY,
};
/** `GET /data/3.0/onecall/timemachine`: the weather of one past or coming hour. */
export const TIME_MACHINE_ROUTE: Route<typeof TIME_MACHINE_QUERY> = {
  ...common,
  path: "/data/3.0/onecall/timemachine",
  operationId: "openWeatherMapTimeMachine",
  summary: "One Call's weather for a timestamp, 92 days back to 16 days ahead",
  query: TIME_MACHINE_QUERY,
  ok: ok("The weather of that hour", object(["lat", "lon", "timezone", "data"])),
  errors: ["unauthorized", "bad_parameter"],
  answer: (context, q) =>
    guarded(context, q, () => {
      if (q.dt === undefined || !/^-?\d{1,12}$/.test(q.dt)) throw bad("Invalid date format");
      return timeMachine(point(context, q), context, q.units, Number(q.dt));
    }),
};

const DIRECT_QUERY = { q: WHERE.q, limit: text("limit", "Results, up to 5"), ...KEY };
/** `GET /geo/1.0/direct`: the data cities of a name. */
export const DIRECT_ROUTE: Route<typeof DIRECT_QUERY> = {
  ...common,
  path: "/geo/1.0/direct",
  operationId: "openWeatherMapGeocode",
  summary: "OpenWeatherMap's geocoding: the cities of a name",
  query: DIRECT_QUERY,
  ok: ok("The places of the name", { type: "array" }),
  errors: ["unauthorized", "bad_parameter"],
  answer: (context, q) =>
    guarded(context, q, () => {
      const index = cityOfName(context.data, q.q);
      return index === undefined ? [] : [geoEntry(context.data.cities[index]!)].slice(0, limitOf(q.limit, 5));
    }),
};

const REVERSE_QUERY = { ...POINT, limit: text("limit", "Results, up to 5"), ...KEY };
/** `GET /geo/1.0/reverse`: the data cities nearest a point, within 100 km. */
export const REVERSE_ROUTE: Route<typeof REVERSE_QUERY> = {
  ...common,
  path: "/geo/1.0/reverse",
  operationId: "openWeatherMapReverseGeocode",
  summary: "OpenWeatherMap's reverse geocoding: the cities nearest a point",
  query: REVERSE_QUERY,
  ok: ok("The places near the point, nearest first", { type: "array" }),
  errors: ["unauthorized", "bad_parameter"],
  answer: (context, q) =>
    guarded(context, q, () => {
      const { latitude, longitude } = coordinates(q);
      const near = placesOf(context.data).nearest(latitude, longitude, limitOf(q.limit, 1), 100);
      return near.map((i) => geoEntry(context.data.cities[i]!));
    }),
};

const ZIP_QUERY = { zip: WHERE.zip, ...KEY };
/** `GET /geo/1.0/zip`: a postal code's place; with no postal data, its country's largest data city. */
export const ZIP_ROUTE: Route<typeof ZIP_QUERY> = {
  ...common,
  path: "/geo/1.0/zip",
  operationId: "openWeatherMapZip",
  summary: "OpenWeatherMap's postal-code lookup (the country's largest data city)",
  query: ZIP_QUERY,
  ok: ok("The place of the code", object(["zip", "name", "lat", "lon", "country"])),
  errors: ["unauthorized", "bad_parameter", "city_not_found"],
  answer: (context, q) =>
    guarded(context, q, () => {
      const { code, index } = cityOfZip(context.data, q.zip);
      if (index === undefined) return notFound("not found");
      const city = context.data.cities[index]!;
      return {
        zip: code,
        name: city.name,
        lat: coord4(city.latitude),
        lon: coord4(city.longitude),
        country: city.country,
      };
    }),
};

/** Every OpenWeatherMap route, in the order the index lists them. */
export const OPENWEATHERMAP_ROUTES: readonly Route[] = [
  WEATHER_ROUTE,
  FORECAST_ROUTE,
  ONE_CALL_ROUTE,
  TIME_MACHINE_ROUTE,
  DIRECT_ROUTE,
  REVERSE_ROUTE,
  ZIP_ROUTE,
] as unknown as readonly Route[];
