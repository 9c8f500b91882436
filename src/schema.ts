import { z } from "zod";
import { ScenariosSchema } from "./model/scenario.ts";
import type { Measure } from "./units.ts";
import { WMO_CODES } from "./wmo.ts";

// Constructing an Intl.DateTimeFormat costs tens of microseconds and a data file repeats a few
// zones many times; a reload validates on the serving thread, so remember each answer.
const timeZoneChecks = new Map<string, boolean>();

function isTimeZone(name: string): boolean {
  let known = timeZoneChecks.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    if (timeZoneChecks.size < 1000) timeZoneChecks.set(name, known);
  }
  return known;
}

/** Current conditions of one city, in metric units (°C, %, km/h, degrees, hPa). */
export const CurrentSchema = z.object({
  temperature: z.number().min(-100).max(70).describe("Air temperature"),
  feels_like: z.number().min(-120).max(90).describe("Apparent temperature"),
  humidity: z.number().min(0).max(100).describe("Relative humidity"),
  wind_speed: z.number().min(0).max(500).describe("Wind speed at 10 m"),
  wind_direction: z.number().min(0).max(360).describe(
    "Direction the wind comes from, clockwise from north",
  ),
  pressure: z.number().min(800).max(1100).describe("Pressure at mean sea level"),
  condition: z.string().min(1).max(100).describe("Weather condition in words"),
  weather_code: z.literal([...WMO_CODES.keys()], {
    error: `expected a WMO weather code (${[...WMO_CODES.keys()].join(", ")})`,
  }).describe("WMO 4677 weather code"),
  observed_at: z.iso.datetime({ offset: true, local: false }).describe(
    "Observation time, ISO 8601 with the city's UTC offset",
  ),
});

/** A name people search a city by: trimmed, 1 to 100 characters. */
const NameSchema = z.string().trim().min(1).max(100);

/**
 * One city as stored in the data file. Fields past `timezone` other than `current` are optional
 * and describe the place; the tutorial routes answer only those of {@linkcode CityWeatherSchema}.
 */
export const CitySchema = z.object({
  name: NameSchema.describe("City name in its usual spelling"),
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code like "JP"')
    .describe("ISO 3166-1 alpha-2 country code"),
  latitude: z.number().min(-90).max(90).describe("Degrees north"),
  longitude: z.number().min(-180).max(180).describe("Degrees east"),
  timezone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone like "Asia/Tokyo"' })
    .describe("IANA time zone"),
  elevation: z.number().min(-500).max(9000).optional().describe("Metres above mean sea level"),
  population: z.number().int().min(0).max(100_000_000).optional()
    .describe("Inhabitants of the city proper, or its usual figure"),
  admin1: NameSchema.optional().describe(
    'First-level administrative region: state, province, prefecture, like "Île-de-France"',
  ),
  aliases: z.array(NameSchema).max(20).optional().describe(
    "Other names the city is looked up by (former names, other languages and scripts); none may " +
      "equal, ignoring case, accents and white space, a name or alias of any city",
  ),
  current: CurrentSchema.describe("Current conditions, in metric units"),
  scenarios: ScenariosSchema.optional().describe(
    "Explicit weather the forecast honours inside each window and blends into at its edges",
  ),
});

/** The whole data file: `{"cities": [...]}`, optionally with a `$schema` reference. */
export const WeatherFileSchema = z.object({
  $schema: z.string().optional().describe("Where the JSON Schema of this file is, for editors"),
  cities: z.array(CitySchema).min(1).describe("The cities, in the order the API lists them"),
}).meta({ title: "Weather data file", description: "The cities a weather server answers for" });

/**
 * The JSON Schema (draft 2020-12) of a data file, generated from {@linkcode WeatherFileSchema}:
 * what `data/weather.schema.json` holds and `GET /schema/weather.json` answers. It describes the
 * file as written (unknown fields are allowed, as the loader ignores them); the checks a JSON
 * Schema cannot express (time zones, names unique ignoring case and accents) are the loader's.
 */
export function weatherFileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(WeatherFileSchema, { target: "draft-2020-12", io: "input" });
}

/** Current conditions, as typed by {@linkcode CurrentSchema}. */
export type Current = z.infer<typeof CurrentSchema>;
/** One city, as typed by {@linkcode CitySchema}. */
export type City = z.infer<typeof CitySchema>;
/** The data file, as typed by {@linkcode WeatherFileSchema}. */
export type WeatherFile = z.infer<typeof WeatherFileSchema>;

/** The unit of each measured field of {@linkcode CurrentSchema}, as in a response's `units` block. */
export const UnitsSchema = z.object({
  temperature: z.string(),
  feels_like: z.string(),
  humidity: z.string(),
  wind_speed: z.string(),
  wind_direction: z.string(),
  pressure: z.string(),
});

/** Units of a response's `units` block. */
export type Units = z.infer<typeof UnitsSchema>;

/** The units the data file is written in. */
export const METRIC_UNITS: Units = {
  temperature: "°C",
  feels_like: "°C",
  humidity: "%",
  wind_speed: "km/h",
  wind_direction: "°",
  pressure: "hPa",
};

/**
 * Current conditions as the API answers them: the fields of {@linkcode CurrentSchema}, with the
 * measured ones in whatever unit the response's `units` block names (so without metric bounds).
 */
export const ReportedCurrentSchema = CurrentSchema.extend({
  temperature: z.number().describe("Air temperature, in units.temperature"),
  feels_like: z.number().describe("Apparent temperature, in units.feels_like"),
  wind_speed: z.number().min(0).describe("Wind speed at 10 m, in units.wind_speed"),
  pressure: z.number().min(0).describe("Pressure at mean sea level, in units.pressure"),
});

/**
 * Body of `GET /get_weather` and `GET /weather/{city}`: the city's identity and current weather
 * with the units of its values, in this order, and no other field of the city.
 */
export const CityWeatherSchema = CitySchema.pick({
  name: true,
  country: true,
  latitude: true,
  longitude: true,
  timezone: true,
}).extend({ current: ReportedCurrentSchema, units: UnitsSchema });
/** A city's weather as the API answers it. */
export type CityWeather = z.infer<typeof CityWeatherSchema>;

/** What each value of an hour of a forecast measures, and what it is. */
const HOUR_FIELDS = {
  temperature: ["temperature", "Air temperature at 2 m"],
  apparent_temperature: ["temperature", "Apparent temperature (Steadman, as the Bureau of Meteorology)"],
  dew_point: ["temperature", "Dew point at 2 m"],
  relative_humidity: ["percent", "Relative humidity at 2 m"],
  precipitation: ["precipitation", "Precipitation of the hour: rain, showers and snow as water"],
  rain: ["precipitation", "Rain of the hour"],
  showers: ["precipitation", "Showers of the hour"],
  snowfall: ["snowfall", "Snowfall of the hour"],
  precipitation_probability: ["percent", "Probability of precipitation"],
  weather_code: ["code", "WMO 4677 weather code"],
  cloud_cover: ["percent", "Total cloud cover"],
  pressure_msl: ["pressure", "Pressure at mean sea level"],
  surface_pressure: ["pressure", "Pressure at the city's elevation"],
  visibility: ["distance", "Visibility"],
  wind_speed: ["speed", "Wind speed at 10 m"],
  wind_direction: ["direction", "Direction the wind comes from, clockwise from north"],
  wind_gusts: ["speed", "Wind gusts at 10 m"],
  uv_index: ["uv", "UV index"],
  sunshine_duration: ["seconds", "Seconds of sunshine in the hour"],
} as const satisfies Record<string, readonly [Measure, string]>;

/** What each value of a day of a forecast measures, and what it is. */
const DAY_FIELDS = {
  weather_code: ["code", "The day's most severe WMO weather code"],
  temperature_max: ["temperature", "Highest hourly temperature of the day"],
  temperature_min: ["temperature", "Lowest hourly temperature of the day"],
  apparent_temperature_max: ["temperature", "Highest apparent temperature of the day"],
  apparent_temperature_min: ["temperature", "Lowest apparent temperature of the day"],
  daylight_duration: ["seconds", "Seconds the sun is above the horizon"],
  sunshine_duration: ["seconds", "Seconds of sunshine"],
  uv_index_max: ["uv", "Highest UV index of the day"],
  precipitation_sum: ["precipitation", "Precipitation of the day"],
  rain_sum: ["precipitation", "Rain of the day"],
  showers_sum: ["precipitation", "Showers of the day"],
  snowfall_sum: ["snowfall", "Snowfall of the day"],
  precipitation_hours: ["hours", "Hours with precipitation"],
  precipitation_probability_max: ["percent", "Highest probability of precipitation of the day"],
  wind_speed_max: ["speed", "Highest hourly wind speed of the day"],
  wind_gusts_max: ["speed", "Strongest gust of the day"],
  wind_direction_dominant: ["direction", "Dominant wind direction (speed-weighted mean)"],
} as const satisfies Record<string, readonly [Measure, string]>;

/** The measure of every value a forecast body carries, hourly and daily, by field name. */
export const FORECAST_MEASURES: Readonly<Record<ForecastValueField, Measure>> = Object.fromEntries(
  [...Object.entries(HOUR_FIELDS), ...Object.entries(DAY_FIELDS)].map(([name, [measure]]) => [name, measure]),
) as Record<ForecastValueField, Measure>;

/** A field of a forecast that carries a measured value. */
export type ForecastValueField = keyof typeof HOUR_FIELDS | keyof typeof DAY_FIELDS;

function numbers<F extends Record<string, readonly [Measure, string]>>(fields: F) {
  return Object.fromEntries(
    Object.entries(fields).map(([name, [measure, description]]) => [
      name,
      (measure === "temperature" ? z.number() : z.number().min(0)).describe(
        `${description}, in units.${name}`,
      ),
    ]),
  ) as { [K in keyof F]: z.ZodNumber };
}

const LOCAL_TIME = "Local time, ISO 8601 with the city's UTC offset then";

/** One hour of a forecast: its local start time and the model's values. */
export const ForecastHourSchema = z.object({
  time: z.iso.datetime({ offset: true, local: false }).describe(LOCAL_TIME),
  ...numbers(HOUR_FIELDS),
  condition: z.string().describe("The weather code in words"),
  is_day: z.boolean().describe("Whether the sun is up"),
});

/** The current conditions of a forecast: the clock's 15-minute slot. */
export const ForecastCurrentSchema = ForecastHourSchema.extend({
  time: ForecastHourSchema.shape.time.describe(`Start of the clock's 15-minute slot; ${LOCAL_TIME}`),
  interval: z.literal(900).describe("Length of the slot, seconds; amounts are for an hour at its rate"),
});

/** One local calendar day of a forecast: the aggregates of its hours, and its sun. */
export const ForecastDaySchema = z.object({
  date: z.iso.date().describe("Local calendar date"),
  ...numbers(DAY_FIELDS),
  condition: z.string().describe("The weather code in words"),
  sunrise: z.iso.datetime({ offset: true, local: false }).nullable()
    .describe(`Sunrise; ${LOCAL_TIME}; null on a day the sun does not rise (polar night or day)`),
  sunset: z.iso.datetime({ offset: true, local: false }).nullable()
    .describe(`Sunset; ${LOCAL_TIME}; null on a day the sun does not set (polar day or night)`),
});

/**
 * Body of `GET /weather/{city}/forecast` and `GET /get_forecast`: the city, its current
 * conditions, hours from the clock's hour and days from its local date, and the unit of each value.
 */
export const ForecastSchema = CitySchema.pick({
  name: true,
  country: true,
  latitude: true,
  longitude: true,
  timezone: true,
}).extend({
  elevation: z.number().describe("Metres above mean sea level the model uses"),
  utc_offset_seconds: z.number().int().describe("The city's UTC offset at the clock's instant"),
  current: ForecastCurrentSchema,
  hourly: z.array(ForecastHourSchema).describe("Hours from past_days × 24 hours before the clock's hour"),
  daily: z.array(ForecastDaySchema).describe("Local days from past_days days before the clock's date"),
  units: z.object(
    Object.fromEntries(Object.keys(FORECAST_MEASURES).map((name) => [name, z.string()])) as Record<
      ForecastValueField,
      z.ZodString
    >,
  ).describe("The unit of each measured field"),
});
/** A city's forecast as the API answers it. */
export type Forecast = z.infer<typeof ForecastSchema>;

/** Body of `GET /weather/cities`. */
export const CityListSchema = z.object({ cities: z.array(z.string()) });

/** Body of `GET /healthz`. */
export const HealthSchema = z.object({
  status: z.literal("ok"),
  cities: z.number().int().min(0).describe("Number of cities loaded"),
  version: z.string().describe("Content hash of the loaded data"),
  loaded_at: z.iso.datetime().describe("When the data was loaded"),
  source: z.string().describe("File name of the loaded data"),
  // Defaults to null so that the client still accepts a server from before live reload.
  last_reload_error: z.string().nullable().default(null).describe(
    "Why the latest reload of the data file failed (the data above still serving), or null",
  ),
  controls: z.object({
    delay_ms: z.tuple([z.number(), z.number()]).nullable().describe("Added latency range, or null"),
    fail_rate: z.number().min(0).max(1).nullable().describe("Fraction of API requests answered 503"),
    seed: z.number().int().nullable().describe("Seed of the random draws, or null"),
    rate_limit: z.object({ limit: z.number().int(), window_s: z.number() }).nullable()
      .describe("Requests allowed per client address per window, or null"),
  }).default({ delay_ms: null, fail_rate: null, seed: null, rate_limit: null })
    .describe("Mock-API controls switched on at start-up (all null when none is)"),
  model: z.object({
    seed: z.number().int().min(0).describe("Seed of the weather model (--seed, else 0)"),
    clock: z.enum(["real", "frozen"]).describe("The real clock, or frozen by --now"),
    now: z.iso.datetime().describe("The model's clock at this answer"),
  }).optional().describe("The weather model's seed and clock"),
  upstream: z.object({
    url: z.string().describe("The upstream API's base URL (--upstream)"),
    state: z.enum(["closed", "open", "half-open"]).describe(
      "The circuit breaker: closed (calling), open (resting after failures), half-open (one trial call)",
    ),
    last_error: z.string().nullable().describe("Why the latest failed call failed, or null"),
    last_error_at: z.iso.datetime().nullable().describe("When it failed, or null"),
    last_success_at: z.iso.datetime().nullable().describe("When an upstream answer last came in, or null"),
    calls: z.number().int().min(0).describe("Calls made to the upstream"),
    failures: z.number().int().min(0).describe("Calls that failed"),
    consecutive_failures: z.number().int().min(0).describe("Failed loads in a row, which open the circuit"),
    in_flight: z.number().int().min(0).describe("Loads under way"),
    paused_until: z.iso.datetime().nullable().describe(
      "Until when a 429's Retry-After holds every call, or null",
    ),
    cache: z.object({
      entries: z.number().int().min(0),
      max_entries: z.number().int().min(0),
      hits: z.number().int().min(0),
      misses: z.number().int().min(0),
      hit_rate: z.number().min(0).max(1),
    }).describe("Upstream answers kept, and how often a request found a fresh one"),
  }).nullable().default(null).describe("The upstream of live weather (--upstream), or null without one"),
});
/** The server's health report. */
export type Health = z.infer<typeof HealthSchema>;

/** An RFC 9457 problem details body, as every error answer carries. */
export const ProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  code: z.string(),
  error: z.string(),
  suggestions: z.array(z.string()).optional(),
});

/**
 * One place of Open-Meteo's geocoding answer (`GET /v1/search`), its fields in Open-Meteo's order.
 * As Open-Meteo's proto3 JSON, a field whose value is 0 or "" is left out.
 */
export const GeocodingResultSchema = z.strictObject({
  id: z.number().int().min(1).describe("Stable id of the place, from its name and country"),
  name: z.string().describe("Name of the place"),
  latitude: z.number().min(-90).max(90).optional().describe("Degrees north; left out when 0"),
  longitude: z.number().min(-180).max(180).optional().describe("Degrees east; left out when 0"),
  elevation: z.number().optional().describe("Metres above mean sea level; left out when 0 or unknown"),
  feature_code: z.string().describe('GeoNames feature code: "PPL", a populated place'),
  country_code: z.string().regex(/^[A-Z]{2}$/).describe("ISO 3166-1 alpha-2 country code"),
  timezone: z.string().describe("IANA time zone"),
  population: z.number().int().min(1).optional().describe("Inhabitants; left out when unknown"),
  country: z.string().optional().describe("Country name in English"),
  admin1: z.string().optional().describe("First-level administrative region; left out when unknown"),
});

/** Body of `GET /v1/search`: the places found, best first; no `results` when none is. */
export const GeocodingSearchSchema = z.strictObject({
  results: z.array(GeocodingResultSchema).min(1).optional().describe("The places found, best first"),
  generationtime_ms: z.number().min(0).describe("Time Open-Meteo would have taken, ms"),
});

/** An error body of the Open-Meteo routes. */
export const OpenMeteoErrorSchema = z.strictObject({
  error: z.literal(true),
  reason: z.string().describe("What went wrong, in Open-Meteo's words"),
});

/** An error of OpenWeatherMap's routes: `cod` the status, a number or a string as OpenWeatherMap sends it. */
export const OpenWeatherMapErrorSchema = z.strictObject({
  cod: z.union([z.number().int(), z.string().regex(/^\d{3}$/)]).describe("The HTTP status"),
  message: z.string().describe("What went wrong, in OpenWeatherMap's words"),
});
