/**
 * Open-Meteo's forecast API, `GET` and `POST /v1/forecast`, over the weather model: Open-Meteo's
 * parameters, limits, error texts, units, rounding and JSON layout, and its FlatBuffers format for
 * the official SDKs. It translates and formats only: every value comes from `src/model/`, so a
 * city at an instant has the same weather here as on every other route.
 *
 * Where the real API's behaviour is the contract, it follows the Open-Meteo server's source
 * (docs/open-meteo.md names what is and is not supported).
 * @module
 */

import { Model } from "@openmeteo/sdk/model.js";
import { Variable } from "@openmeteo/sdk/variable.js";
import type { Dataset } from "../dataset.ts";
import { contentTag, type Representation } from "../http.ts";
import { LruCache } from "../lru_cache.ts";
import { MODEL_WEATHER } from "../weather_scope.ts";
import { currentConditions, dailySeries, hourlySeries, type ModelInput } from "../model/forecast.ts";
import { float32Text, type Place, placesOf } from "../model/places.ts";
import { formatDay, localIsoTime, MS_PER_DAY, offsetText, slotOf, utcOffsetSeconds } from "../model/time.ts";
import {
  DAILY_VARIABLES,
  type DailyVariable,
  HOURLY_VARIABLES,
  type HourlyVariable,
  OPEN_METEO_DAILY,
  OPEN_METEO_HOURLY,
} from "../model/variables.ts";
import { BadParameterError } from "../problem.ts";
import { textParameter } from "../query_parameters.ts";
import type { Outcome, QueryParameter, RouteContext } from "../routes.ts";
import {
  encodeFlatBuffers,
  type OmLocation,
  type OmSection,
  type OmVariable,
} from "./open_meteo_flatbuffers.ts";

/** What a variable measures, which decides its unit under the request's unit parameters. */
type Measure =
  | "temperature"
  | "speed"
  | "precipitation"
  | "snowfall"
  | "length"
  | "percent"
  | "pressure"
  | "direction"
  | "code"
  | "uv"
  | "flag"
  | "seconds"
  | "hours"
  | "time";

const HOURLY_MEASURES: Readonly<Record<HourlyVariable, Measure>> = {
  temperature: "temperature",
  apparent_temperature: "temperature",
  dew_point: "temperature",
  relative_humidity: "percent",
  precipitation: "precipitation",
  rain: "precipitation",
  showers: "precipitation",
  snowfall: "snowfall",
  precipitation_probability: "percent",
  weather_code: "code",
  cloud_cover: "percent",
  pressure_msl: "pressure",
  surface_pressure: "pressure",
  visibility: "length",
  wind_speed: "speed",
  wind_direction: "direction",
  wind_gusts: "speed",
  uv_index: "uv",
  is_day: "flag",
  sunshine_duration: "seconds",
};

type DailySource = DailyVariable | "sunrise" | "sunset";

const DAILY_MEASURES: Readonly<Record<DailySource, Measure>> = {
  weather_code: "code",
  temperature_max: "temperature",
  temperature_min: "temperature",
  apparent_temperature_max: "temperature",
  apparent_temperature_min: "temperature",
  sunrise: "time",
  sunset: "time",
  daylight_duration: "seconds",
  sunshine_duration: "seconds",
  uv_index_max: "uv",
  precipitation_sum: "precipitation",
  rain_sum: "precipitation",
  showers_sum: "precipitation",
  snowfall_sum: "snowfall",
  precipitation_hours: "hours",
  precipitation_probability_max: "percent",
  wind_speed_max: "speed",
  wind_gusts_max: "speed",
  wind_direction_dominant: "direction",
};

// Names Open-Meteo still accepts from before its 2023 renaming.
const HOURLY_ALIASES: Readonly<Record<string, HourlyVariable>> = {
  relativehumidity_2m: "relative_humidity",
  dewpoint_2m: "dew_point",
  windspeed_10m: "wind_speed",
  winddirection_10m: "wind_direction",
  windgusts_10m: "wind_gusts",
  weathercode: "weather_code",
  cloudcover: "cloud_cover",
};
const DAILY_ALIASES: Readonly<Record<string, DailyVariable>> = {
  weathercode: "weather_code",
  windspeed_10m_max: "wind_speed_max",
  windgusts_10m_max: "wind_gusts_max",
  winddirection_10m_dominant: "wind_direction_dominant",
};

/** Open-Meteo's hourly (and current) names → the model's variables. */
const HOURLY_NAMES: ReadonlyMap<string, HourlyVariable> = new Map([
  ...HOURLY_VARIABLES.map((name) => [OPEN_METEO_HOURLY[name], name] as const),
  ...Object.entries(HOURLY_ALIASES),
]);
/** Open-Meteo's daily names → the model's daily values. */
const DAILY_NAMES: ReadonlyMap<string, DailySource> = new Map<string, DailySource>([
  ...[...DAILY_VARIABLES, "sunrise" as const, "sunset" as const].map((name) =>
    [OPEN_METEO_DAILY[name], name] as const
  ),
  ...Object.entries(DAILY_ALIASES),
]);

/** The unit parameters of a request. */
interface Units {
  readonly temperature: "celsius" | "fahrenheit";
  readonly wind: "kmh" | "ms" | "mph" | "kn";
  readonly precipitation: "mm" | "inch";
  readonly timeformat: "iso8601" | "unixtime";
}

const WIND_UNIT = { kmh: "km/h", ms: "m/s", mph: "mp/h", kn: "kn" } as const;
// From km/h, the model's unit.
const WIND_FACTOR = { kmh: 1, ms: 1 / 3.6, mph: 2.237 / 3.6, kn: 1.94384 / 3.6 } as const;

function unitOf(measure: Measure, units: Units): string {
  const inch = units.precipitation === "inch";
  switch (measure) {
    case "temperature":
      return units.temperature === "fahrenheit" ? "°F" : "°C";
    case "speed":
      return WIND_UNIT[units.wind];
    case "precipitation":
      return inch ? "inch" : "mm";
    case "snowfall":
      return inch ? "inch" : "cm";
    case "length":
      return inch ? "ft" : "m";
    case "percent":
      return "%";
    case "pressure":
      return "hPa";
    case "direction":
      return "°";
    case "code":
      return "wmo code";
    case "uv":
    case "flag":
      return "";
    case "seconds":
      return "s";
    case "hours":
      return "h";
    case "time":
      return units.timeformat;
  }
}

function convert(measure: Measure, value: number, units: Units): number {
  switch (measure) {
    case "temperature":
      return units.temperature === "fahrenheit" ? value * 9 / 5 + 32 : value;
    case "speed":
      return value * WIND_FACTOR[units.wind];
    case "precipitation":
      return units.precipitation === "inch" ? value / 25.4 : value;
    case "snowfall":
      return units.precipitation === "inch" ? value / 2.54 : value;
    case "length":
      return units.precipitation === "inch" ? value * 3.280839895 : value;
    default:
      return value;
  }
}

/** Decimals Open-Meteo's JSON writes for each unit: a property of the unit, not the variable. */
const DECIMALS: Readonly<Record<string, number>> = {
  "°C": 1,
  "°F": 1,
  "km/h": 1,
  "mp/h": 1,
  kn: 1,
  "m/s": 2,
  mm: 2,
  cm: 2,
  inch: 3,
  ft: 3,
  m: 2,
  "%": 0,
  hPa: 1,
  "°": 0,
  "wmo code": 0,
  s: 2,
  h: 1,
  "": 2,
};

/**
 * A number as Open-Meteo's JSON writes it: `decimals` fixed decimals, rounded half away from
 * zero, the sign that of the value before rounding (so -0.04 to one decimal is "-0.0"); `null`
 * for a value that is not finite.
 */
export function fixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return "null";
  if (decimals === 0) return String(Math.sign(value) * Math.round(Math.abs(value)) || 0);
  const text = (Math.round(Math.abs(value) * 10 ** decimals) / 10 ** decimals).toFixed(decimals);
  return value < 0 ? `-${text}` : text;
}

// --- Query parameters ---------------------------------------------------------------------------

const list = (name: string, description: string): QueryParameter<string[]> => ({
  name,
  description,
  required: false,
  schema: { type: "string" },
  // Repeated keys, commas (also %2C) and bars all separate items, as Open-Meteo's decoder splits.
  parse: (values) =>
    values.flatMap((value) => value.indexOf("|") === -1 ? value.split(",") : value.split(/[,|]/)),
});

const text = textParameter;

function integer(name: string, description: string): QueryParameter<number | undefined> {
  return {
    name,
    description,
    required: false,
    schema: { type: "integer" },
    parse(values) {
      if (values.length === 0) return undefined;
      if (!/^[+-]?\d{1,9}$/.test(values[0]!)) {
        throw bad(`Value was not of type 'Int' at path '${name}'. Data found at '${name}' was not Int.`);
      }
      return Number(values[0]);
    },
  };
}

function choice<T extends string>(
  name: string,
  type: string,
  options: readonly T[],
  description: string,
): QueryParameter<T | undefined> {
  return {
    name,
    description,
    required: false,
    schema: { type: "string", enum: options },
    parse(values) {
      if (values.length === 0) return undefined;
      const value = values[0]!;
      if ((options as readonly string[]).includes(value)) return value as T;
      throw bad(
        `Data corrupted at path '${name}'. Cannot initialize ${type} from invalid String value ${value}.`,
      );
    },
  };
}

const flag: QueryParameter<boolean> = {
  name: "current_weather",
  description: "true for the legacy current_weather block",
  required: false,
  schema: { type: "boolean" },
  parse(values) {
    if (values.length === 0) return false;
    const value = values[0]!.toLowerCase();
    if (value === "" || value === "true" || value === "1" || value === "on") return true;
    if (value === "false" || value === "0" || value === "off") return false;
    throw bad(
      "Value was not of type 'Bool' at path 'current_weather'. Data found at 'current_weather' was not Bool.",
    );
  },
};

const bad = (reason: string) => new BadParameterError("bad_parameter", reason);

/** The query parameters of `/v1/forecast`, as Open-Meteo names them. */
export const FORECAST_QUERY = {
  latitude: {
    ...list("latitude", "Degrees north, -90 to 90; a comma list for several locations"),
    required: true,
  },
  longitude: { ...list("longitude", "Degrees east, -180 to 180; as many as latitudes"), required: true },
  elevation: list("elevation", "Metres to report for each location instead of the place's own"),
  current: list("current", "Variables of the current 15-minute slot"),
  hourly: list("hourly", "Hourly variables"),
  daily: list("daily", "Daily variables"),
  currentWeather: flag,
  timezone: list("timezone", "IANA time zone or auto, one or one per location; GMT when absent"),
  forecastDays: integer("forecast_days", "Days of forecast, 0 to 16, default 7"),
  pastDays: integer("past_days", "Days of the past, 0 to 93"),
  forecastHours: integer("forecast_hours", "Hours from the current hour, 0 to 384"),
  pastHours: integer("past_hours", "Hours before the current hour, 0 to 2232"),
  startDate: list("start_date", "First day, YYYY-MM-DD, with end_date"),
  endDate: list("end_date", "Last day, YYYY-MM-DD, with start_date"),
  temperatureUnit: choice(
    "temperature_unit",
    "TemperatureUnit",
    ["celsius", "fahrenheit"],
    "celsius or fahrenheit",
  ),
  windSpeedUnit: choice("wind_speed_unit", "WindspeedUnit", ["kmh", "ms", "mph", "kn"], "kmh, ms, mph or kn"),
  windspeedUnit: choice(
    "windspeed_unit",
    "WindspeedUnit",
    ["kmh", "ms", "mph", "kn"],
    "Older name of wind_speed_unit",
  ),
  precipitationUnit: choice("precipitation_unit", "PrecipitationUnit", ["mm", "inch"], "mm or inch"),
  lengthUnit: choice("length_unit", "LengthUnit", ["metric", "imperial"], "imperial: precipitation in inch"),
  timeformat: choice("timeformat", "Timeformat", ["iso8601", "unixtime"], "iso8601 (local) or unixtime"),
  format: choice(
    "format",
    "ForecastResultFormat",
    ["json", "flatbuffers", "csv", "xlsx"],
    "json or flatbuffers",
  ),
  models: list("models", "best_match, the only model here"),
  cellSelection: choice(
    "cell_selection",
    "GridSelectionMode",
    ["land", "sea", "nearest"],
    "Accepted, no effect",
  ),
  apikey: text("apikey", "Accepted and ignored"),
} as const;

type ForecastQueryValues = {
  [K in keyof typeof FORECAST_QUERY]: (typeof FORECAST_QUERY)[K] extends QueryParameter<infer T> ? T : never;
};

// --- Validation ---------------------------------------------------------------------------------

/** The most locations one request may ask for: each costs the model a few milliseconds. */
export const MAX_LOCATIONS = 100;
/**
 * The most values one answer may hold (locations × variables × steps): about 20 hourly variables of
 * 108 days for 10 locations, a few MB of JSON and a few hundred ms to compute.
 */
export const MAX_VALUES = 500_000;
/** Answers larger than this are not kept: a few of them would hold the cache's memory. */
const MAX_KEPT_BYTES = 1_048_576;
/** Questions longer than this are not kept by their text: a POST may be 128 KB of it. */
const MAX_KEPT_QUESTION = 4096;

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function floats(items: readonly string[]): number[] {
  return items.map((item) => {
    if (!FLOAT.test(item) && item !== "nan") {
      throw bad(`Data corrupted at path ''. Cannot initialize Float from invalid String value ${item}.`);
    }
    return item === "nan" ? NaN : Math.fround(Number(item));
  });
}

/** A float32 as Swift's `description` prints it, which Open-Meteo's messages quote. */
const swiftFloat = (x: number) => Number.isNaN(x) ? "nan" : float32Text(x);

const zoneChecks = new Map<string, boolean>();
function isZone(name: string): boolean {
  let known = zoneChecks.get(name);
  if (known === undefined) {
    known = /^[A-Za-z]/.test(name);
    try {
      if (known) new Intl.DateTimeFormat("en", { timeZone: name });
    } catch {
      known = false;
    }
    if (zoneChecks.size < 2000) zoneChecks.set(name, known);
  }
  return known;
}

// Open-Meteo's unknown-variable messages name the Swift type the name failed to decode as.
const HOURLY_TYPE =
  "SurfacePressureAndHeightVariable<VariableAndPreviousDay, VariableOrSpread<ForecastPressureVariable>, ForecastHeightVariable>";
const DAILY_TYPE = "ForecastVariableDaily";
const KNOWN_BASES = new Set(Object.keys(Variable).filter((key) => Number.isNaN(Number(key))));
const KNOWN_MODELS = new Set(Object.keys(Model).filter((key) => Number.isNaN(Number(key))));

/** True when `name` is a variable of the real API that this server does not model (soil, radiation...). */
function isRealVariable(name: string): boolean {
  const base = name.replace(/_(?:max|min|mean|sum|dominant|spread|p\d+)$/, "")
    .replace(/_\d+(?:m|cm|hPa)(?:_\d+cm)?$/, "");
  return KNOWN_BASES.has(base);
}

/**
 * The request's items of list parameter `name` as Open-Meteo's decoder sees them before its
 * second split: a literal comma separates items, an encoded one (%2C, as the SDKs send) does not,
 * so that an unknown name is quoted with its whole item, as the real API does.
 */
function rawItems(search: string, name: string): string[] {
  const items: string[] = [];
  for (const pair of search.slice(1).split("&")) {
    const equals = pair.indexOf("=");
    if (equals === -1 || decode(pair.slice(0, equals)) !== name) continue;
    for (const raw of pair.slice(equals + 1).split(/[,|]/)) items.push(decode(raw));
  }
  return items;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function variables<T>(
  names: readonly string[],
  known: ReadonlyMap<string, T>,
  type: string,
  parameter: string,
  search: string,
): { name: string; source: T }[] {
  return names.map((name) => {
    const source = known.get(name);
    if (source !== undefined) return { name, source };
    if (isRealVariable(name)) {
      throw bad(
        `Variable '${name}' is not available on this local server: see /openapi.json for those it answers`,
      );
    }
    const item = rawItems(search, parameter).find((raw) => raw.split(",").includes(name)) ?? name;
    throw bad(`Data corrupted at path ''. Cannot initialize ${type} from invalid String value ${item}.`);
  });
}

/** A `YYYY-MM-DD` date of Open-Meteo's range check, as a day number. */
function isoDay(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) throw bad("Invalid date format. Make sure to use 'YYYY-MM-DD'");
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || year > 2050 || month < 1 || month > 12 || day < 1 || day > 31) throw bad("Invalid date");
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** A checked request: everything the answer depends on, in a canonical form for the cache key. */
interface Request {
  readonly coordinates: readonly { latitude: number; longitude: number; elevation: number | undefined }[];
  readonly zones: readonly (string | undefined)[];
  readonly current: readonly { name: string; source: HourlyVariable }[];
  readonly currentWeather: boolean;
  readonly hourly: readonly { name: string; source: HourlyVariable }[];
  readonly daily: readonly { name: string; source: DailySource }[];
  /** Days: the first (a day number in the location's zone, from today) and how many. */
  readonly days: { readonly pastDays: number; readonly count: number } | {
    readonly first: readonly number[];
    readonly last: readonly number[];
  };
  /** Hours from the current hour, when asked for by hours; else the days' hours. */
  readonly hours: { readonly past: number; readonly count: number } | undefined;
  readonly units: Units;
  readonly format: "json" | "flatbuffers";
}

function check(q: ForecastQueryValues, search: string, clock: number): Request {
  const latitudes = floats(q.latitude), longitudes = floats(q.longitude);
  if (latitudes.length !== longitudes.length) {
    throw bad("Parameter 'latitude' and 'longitude' must have the same number of elements");
  }
  for (const latitude of latitudes) {
    if (!(latitude >= -90 && latitude <= 90)) {
      throw bad(`Latitude must be in range of -90 to 90°. Given: ${swiftFloat(latitude)}.`);
    }
  }
  for (const longitude of longitudes) {
    if (!(longitude >= -180 && longitude <= 180)) {
      throw bad(`Longitude must be in range of -180 to 180°. Given: ${swiftFloat(longitude)}.`);
    }
  }
  if (latitudes.length === 0) throw bad("Parameter 'latitude' and 'longitude' are required");
  if (latitudes.length > MAX_LOCATIONS) {
    throw bad(`Only up to ${MAX_LOCATIONS} locations can be requested at once`);
  }
  const elevations = floats(q.elevation);
  if (elevations.length > 0 && elevations.length !== latitudes.length) {
    throw bad("Parameter 'elevation' must have the same number of elements as coordinates");
  }
  if (q.timezone.length > 1 && q.timezone.length !== latitudes.length) {
    throw bad("Parameter 'timezone' and coordinates must have the same number of elements");
  }
  for (const zone of q.timezone) if (zone !== "auto" && !isZone(zone)) throw bad("Invalid timezone");
  for (const model of q.models) {
    if (model === "best_match") continue;
    if (KNOWN_MODELS.has(model)) {
      throw bad(`Model '${model}' is not available on this local server: it answers best_match only`);
    }
    throw bad(
      `Data corrupted at path ''. Cannot initialize MultiDomains from invalid String value ${model}.`,
    );
  }
  if (q.format === "csv" || q.format === "xlsx") {
    throw bad(`Format '${q.format}' is not available on this local server: use json or flatbuffers`);
  }

  const currentWeather = q.currentWeather;
  // A name asked twice is answered twice, as Open-Meteo does; the budget below bounds the cost.
  const current = currentWeather ? [] : variables(q.current, HOURLY_NAMES, HOURLY_TYPE, "current", search);
  const hourly = variables(q.hourly, HOURLY_NAMES, HOURLY_TYPE, "hourly", search);
  const daily = variables(q.daily, DAILY_NAMES, DAILY_TYPE, "daily", search);

  const dated = q.startDate.length > 0 || q.endDate.length > 0;
  let days: Request["days"];
  if (dated) {
    for (
      const [name, value] of [
        ["past_days", q.pastDays],
        ["forecast_days", q.forecastDays],
        ["past_hours", q.pastHours],
        ["forecast_hours", q.forecastHours],
      ] as const
    ) {
      if (value !== undefined && value !== 0) {
        throw bad(`Parameter '${name}' is mutually exclusive with 'start_date' and 'end_date'`);
      }
    }
    const first = q.startDate.map(isoDay), last = q.endDate.map(isoDay);
    if (first.length !== last.length) {
      throw bad("Parameter 'start_date' and 'end_date' must have the same number of elements");
    }
    if (first.length > 1 && first.length !== latitudes.length) {
      throw bad("Parameter 'start_date' and 'end_date' must have the same number of elements as coordinates");
    }
    const today = Math.floor(clock / MS_PER_DAY);
    const range = `from ${formatDay(today - 93)} to ${formatDay(today + 15)}`;
    for (let i = 0; i < first.length; i++) {
      if (last[i]! < first[i]!) throw bad("End-date must be larger or equals than start-date");
      if (first[i]! < today - 93 || first[i]! > today + 15) {
        throw bad(`Parameter 'start_date' is out of allowed range ${range}`);
      }
      if (last[i]! < today - 93 || last[i]! > today + 15) {
        throw bad(`Parameter 'end_date' is out of allowed range ${range}`);
      }
    }
    days = { first, last };
  } else {
    const forecastDays = q.forecastDays ?? 7, pastDays = q.pastDays ?? 0;
    // Open-Meteo quotes the limit, not the value, for a bad forecast_days.
    if (forecastDays < 0 || forecastDays > 16) {
      throw bad("Forecast days is invalid. Allowed range 0 to 16. Given 16.");
    }
    if (pastDays < 0 || pastDays > 93) {
      throw bad(`Past days is invalid. Allowed range 0 to 93. Given ${pastDays}.`);
    }
    days = { pastDays, count: pastDays + forecastDays };
  }
  let hours: Request["hours"];
  if (!dated && (q.forecastHours !== undefined || q.pastHours !== undefined)) {
    const forward = q.forecastHours ?? 384, past = q.pastHours ?? 0;
    if (forward < 0 || forward > 384) {
      throw bad("Forecast days is invalid. Allowed range 0 to 384. Given 384.");
    }
    if (past < 0 || past > 2232) throw bad(`Past days is invalid. Allowed range 0 to 2232. Given ${past}.`);
    hours = { past, count: past + forward };
  }
  const dayCount = "count" in days
    ? days.count
    : Math.max(...days.last.map((last, i) => last - days.first[i]! + 1));
  const hourCount = hours ? hours.count : dayCount * 24;
  const values = latitudes.length * (current.length + hourly.length * hourCount + daily.length * dayCount);
  if (values > MAX_VALUES) {
    throw bad(
      "Your API call requests too much data. Please reduce the number of variables, locations and/or weather models.",
    );
  }
  const inch = q.precipitationUnit === "inch" ||
    (q.precipitationUnit === undefined && q.lengthUnit === "imperial");
  return {
    coordinates: latitudes.map((latitude, i) => ({
      latitude,
      longitude: longitudes[i]!,
      elevation: elevations[i],
    })),
    zones: latitudes.map((_, i) => q.timezone.length === 1 ? q.timezone[0] : q.timezone[i]),
    current,
    currentWeather,
    hourly,
    daily,
    days,
    hours,
    units: {
      temperature: q.temperatureUnit ?? "celsius",
      wind: q.windspeedUnit ?? q.windSpeedUnit ?? "kmh",
      precipitation: inch ? "inch" : "mm",
      timeformat: q.timeformat ?? "iso8601",
    },
    format: q.format === "flatbuffers" ? "flatbuffers" : "json",
  };
}

// --- The answer ---------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;

const abbreviations = new Map<string, Intl.DateTimeFormat>();
/** The zone's abbreviation as Open-Meteo writes it now: "GMT+9", "GMT-4", "GMT+5:30", "GMT". */
function abbreviation(zone: string, ms: number): string {
  let f = abbreviations.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "shortOffset" });
    if (abbreviations.size < 2000) abbreviations.set(zone, f);
  }
  return f.formatToParts(ms).find((part) => part.type === "timeZoneName")?.value ?? "GMT";
}

/** One location of an answer, with the place the model answered for. */
function locationOf(
  request: Request,
  index: number,
  place: Place,
  seed: number,
  clock: number,
  generationTimeMs: number,
): OmLocation {
  const { units } = request;
  const slot = slotOf(clock);
  const input: ModelInput = { city: place.city, seed, now: slot };
  const asked = request.zones[index];
  const zone = asked === undefined ? "GMT" : asked === "auto" ? place.timezone : asked;
  const offset = zone === "GMT" ? 0 : utcOffsetSeconds(zone, clock);
  // Open-Meteo reads its data at a whole-hour offset, and shows it at the zone's own.
  const whole = Math.trunc(offset / 3600) * 3600;
  const dayZone = offsetText(whole);
  const today = Math.floor((clock + whole * 1000) / MS_PER_DAY);
  let firstDay: number, dayCount: number;
  if ("pastDays" in request.days) {
    firstDay = today - request.days.pastDays;
    dayCount = request.days.count;
  } else {
    const i = request.days.first.length === 1 ? 0 : index;
    firstDay = request.days.first[i]!;
    dayCount = request.days.last[i]! - firstDay + 1;
  }
  const dayStart = firstDay * MS_PER_DAY - whole * 1000;
  const elevation = request.coordinates[index]!.elevation ?? place.elevation;

  const location: {
    -readonly [K in keyof OmLocation]: OmLocation[K];
  } = {
    latitude: place.cell.latitude,
    longitude: place.cell.longitude,
    elevation,
    generationTimeMs,
    locationId: index,
    utcOffsetSeconds: offset,
    timezone: zone,
    timezoneAbbreviation: zone === "GMT" ? "GMT" : abbreviation(zone, clock),
  };

  if (request.currentWeather || request.current.length > 0) {
    const now = currentConditions(input);
    const wanted = request.currentWeather
      ? [
        { name: "temperature", source: "temperature" as const },
        { name: "windspeed", source: "wind_speed" as const },
        { name: "winddirection", source: "wind_direction" as const },
        { name: "is_day", source: "is_day" as const },
        { name: "weathercode", source: "weather_code" as const },
      ]
      : request.current;
    location.current = {
      time: slot / 1000,
      interval: 900,
      length: 1,
      variables: wanted.map(({ name, source }) => {
        const measure = HOURLY_MEASURES[source];
        return { name, unit: unitOf(measure, units), values: [convert(measure, now[source], units)] };
      }),
    };
  }
  if (request.hourly.length > 0) {
    const hourFrom = request.hours
      ? Math.floor(clock / HOUR_MS) * HOUR_MS - request.hours.past * HOUR_MS
      : dayStart;
    const count = request.hours ? request.hours.count : dayCount * 24;
    const series = hourlySeries(input, hourFrom, count);
    location.hourly = {
      time: hourFrom / 1000,
      interval: 3600,
      length: count,
      variables: request.hourly.map(({ name, source }) => {
        const measure = HOURLY_MEASURES[source];
        const column = series[source];
        const values = new Float64Array(count);
        for (let i = 0; i < count; i++) values[i] = convert(measure, column[i]!, units);
        return { name, unit: unitOf(measure, units), values };
      }),
    };
  }
  if (request.daily.length > 0) {
    const series = dailySeries(input, formatDay(firstDay), dayCount, dayZone);
    location.daily = {
      time: dayStart / 1000,
      interval: 86400,
      length: dayCount,
      variables: request.daily.map(({ name, source }) => {
        const measure = DAILY_MEASURES[source];
        const values = new Float64Array(dayCount);
        if (source === "sunrise" || source === "sunset") {
          // A day without the event gets the day's start, and a polar day's sunset the next day's,
          // as Open-Meteo writes them.
          for (let d = 0; d < dayCount; d++) {
            const start = series.time[d]!;
            const polarDay = series.daylight_duration[d]! > 0 && source === "sunset";
            values[d] = series[source][d] ?? (polarDay ? start + 86400 : start);
          }
        } else {
          const column = series[source];
          for (let d = 0; d < dayCount; d++) values[d] = convert(measure, column[d]!, units);
        }
        return { name, unit: unitOf(measure, units), values };
      }),
    };
  }
  return location;
}

function timeText(seconds: number, offset: number, timeformat: Units["timeformat"], daily: boolean): string {
  if (!Number.isFinite(seconds)) return "null";
  if (timeformat === "unixtime") return String(seconds);
  const text = localIsoTime(seconds * 1000, offset);
  return daily ? `"${text.slice(0, 10)}"` : `"${text}"`;
}

function sectionJson(
  key: string,
  section: OmSection,
  location: OmLocation,
  timeformat: Units["timeformat"],
): string {
  const daily = section.interval === 86400;
  const single = section.interval === 900;
  const units = [`"time":"${timeformat}"`];
  if (single) units.push(`"interval":"seconds"`);
  for (const v of section.variables) units.push(`${JSON.stringify(v.name)}:${JSON.stringify(v.unit)}`);
  const offset = location.utcOffsetSeconds;
  const body: string[] = [];
  if (single) {
    body.push(`"time":${timeText(section.time, offset, timeformat, false)}`, `"interval":900`);
    for (const v of section.variables) {
      body.push(`${JSON.stringify(v.name)}:${numberText(v, v.values[0]!, offset, timeformat)}`);
    }
  } else {
    const times: string[] = [];
    for (let i = 0; i < section.length; i++) {
      times.push(timeText(section.time + i * section.interval, offset, timeformat, daily));
    }
    body.push(`"time":[${times.join(",")}]`);
    for (const v of section.variables) {
      const values: string[] = [];
      for (let i = 0; i < section.length; i++) values.push(numberText(v, v.values[i]!, offset, timeformat));
      body.push(`${JSON.stringify(v.name)}:[${values.join(",")}]`);
    }
  }
  return `,"${key}_units":{${units.join(",")}},"${key}":{${body.join(",")}}`;
}

function numberText(v: OmVariable, value: number, offset: number, timeformat: Units["timeformat"]): string {
  if (v.unit === "iso8601" || v.unit === "unixtime") return timeText(value, offset, timeformat, false);
  return fixed(value, v.name === "is_day" ? 0 : DECIMALS[v.unit] ?? 2);
}

/** One location as Open-Meteo's JSON writer lays it out, keys in its order. */
function locationJson(location: OmLocation, currentKey: string, timeformat: Units["timeformat"]): string {
  let json = `{"latitude":${float32Text(location.latitude)},"longitude":${float32Text(location.longitude)}` +
    `,"generationtime_ms":${location.generationTimeMs},"utc_offset_seconds":${location.utcOffsetSeconds}` +
    `,"timezone":${JSON.stringify(location.timezone)}` +
    `,"timezone_abbreviation":${JSON.stringify(location.timezoneAbbreviation)}`;
  if (Number.isFinite(location.elevation)) json += `,"elevation":${float32Text(location.elevation)}`;
  if (location.locationId !== 0) json += `,"location_id":${location.locationId}`;
  if (location.current) json += sectionJson(currentKey, location.current, location, timeformat);
  if (location.hourly) json += sectionJson("hourly", location.hourly, location, timeformat);
  if (location.daily) json += sectionJson("daily", location.daily, location, timeformat);
  return `${json}}`;
}

/** Most answers kept per dataset: a week of six hourly and six daily variables is about 4 KB. */
export const MAX_CACHED_ANSWERS = 1000;

const encoder = new TextEncoder();
/** One character per byte, for a tag of binary bytes. */
const bytesText = new TextDecoder("latin1");
const answers = new WeakMap<Dataset, LruCache<string, Representation & { contentType: string }>>();
const askedOf = new WeakMap<Dataset, LruCache<string, Outcome>>();

/**
 * A plausible `generationtime_ms` that is the same for the same question, so that answers are
 * byte for byte repeatable: a float32 between 0.02 and 0.3 ms, written as Open-Meteo writes it.
 */
function generationTime(key: string): number {
  const hash = Number.parseInt(contentTag(key).slice(-6), 36);
  return Math.fround(0.02 + (hash % 28_000) / 100_000);
}

/** The answer of `/v1/forecast` to query `q` (raw `search`), at the model's `clock` and `seed`. */
export function openMeteoForecast(context: RouteContext, q: ForecastQueryValues): Outcome {
  const { data, clock, seed, search } = context;
  const slot = slotOf(clock);
  const outcome = answerOf(context, q, slot);
  if (
    outcome.kind === "representation" && search.length <= MAX_KEPT_QUESTION &&
    outcome.representation.body.length <= MAX_KEPT_BYTES
  ) {
    let asked = askedOf.get(data);
    if (asked === undefined) askedOf.set(data, asked = new LruCache(MAX_CACHED_ANSWERS));
    const weather = context.weather.stamp();
    asked.set(`${seed}|${slot}|${search}`, weather === undefined ? outcome : { ...outcome, weather });
  }
  return outcome;
}

/**
 * The answer to the very same question (text, seed and clock slot) asked before, or undefined:
 * found before the query is parsed, which costs more than the answer does.
 */
export function repeatedOpenMeteoForecast(context: RouteContext): Outcome | undefined {
  if (context.search.length > MAX_KEPT_QUESTION) return undefined;
  const slot = slotOf(context.clock);
  return askedOf.get(context.data)?.find(`${context.seed}|${slot}|${context.search}`);
}

function answerOf(context: RouteContext, q: ForecastQueryValues, slot: number): Outcome {
  const { data, clock, seed, search } = context;
  let request: Request;
  try {
    request = check(q, search, clock);
  } catch (error) {
    if (error instanceof BadParameterError) return error.failure;
    throw error;
  }
  const places = placesOf(data);
  const locate = () =>
    request.coordinates.map(({ latitude, longitude }) => {
      const place = places.at(latitude, longitude, seed, slot);
      const city = context.weather.of(place.city);
      return city === place.city ? place : { ...place, city };
    });
  // The model's places are found only to build an answer; upstream weather is needed for its key.
  const live = context.weather === MODEL_WEATHER ? undefined : locate();
  context.weather.ready();
  // The answer depends on the clock's slot, except for the zones' offsets and today's date.
  const question = `${seed}|${slot}|${JSON.stringify(request)}`;
  const key = `${question}${context.weather.key}`;
  let cache = answers.get(data);
  if (cache === undefined) answers.set(data, cache = new LruCache(MAX_CACHED_ANSWERS));
  let answer = cache.find(key);
  if (answer === undefined) {
    try {
      answer = build();
    } catch (error) {
      // A day at the edge of the range, in a zone far from the place's own, that the model does not cover.
      if (error instanceof RangeError) return bad("The requested time is out of the allowed range").failure;
      throw error;
    }
    if (answer.body.length <= MAX_KEPT_BYTES) cache.set(key, answer);
  }
  function build() {
    const generationTimeMs = generationTime(question);
    const locations = (live ?? locate()).map((place, i) =>
      locationOf(request, i, place, seed, clock, generationTimeMs)
    );
    if (request.format === "flatbuffers") {
      const body = encodeFlatBuffers(locations);
      // The model's bytes follow from the question; upstream weather's do not, and the versions in
      // the key are this process's own (a restart or another worker numbers them anew).
      const tag = context.weather.key === "" ? key : bytesText.decode(body);
      return { body, etag: `"${contentTag(tag)}"`, contentType: "application/octet-stream" };
    }
    const currentKey = request.currentWeather ? "current_weather" : "current";
    const objects = locations.map((location) => locationJson(location, currentKey, request.units.timeformat));
    const text = objects.length === 1 ? objects[0]! : objects.length === 0 ? "" : `[${objects.join(",")}]`;
    return {
      body: encoder.encode(text),
      etag: `"${contentTag(text)}"`,
      contentType: "application/json; charset=utf-8",
    };
  }
  return {
    kind: "representation",
    representation: answer,
    contentType: answer.contentType,
    lastModified: new Date(Math.max(data.loadedAt.getTime(), slot)).toUTCString(),
  };
}
