/**
 * The model's variables: their names in the project's snake_case, Open-Meteo's names for them,
 * their published precision, and the shapes of the series that carry them.
 * @module
 */

/** The model's hourly variables, in the project's names (Open-Meteo's are {@linkcode OPEN_METEO_HOURLY}). */
export const HOURLY_VARIABLES = [
  "temperature",
  "apparent_temperature",
  "dew_point",
  "relative_humidity",
  "precipitation",
  "rain",
  "showers",
  "snowfall",
  "precipitation_probability",
  "weather_code",
  "cloud_cover",
  "pressure_msl",
  "surface_pressure",
  "visibility",
  "wind_speed",
  "wind_direction",
  "wind_gusts",
  "uv_index",
  "is_day",
  "sunshine_duration",
] as const;

/** One of {@linkcode HOURLY_VARIABLES}. */
export type HourlyVariable = typeof HOURLY_VARIABLES[number];

/**
 * Open-Meteo's name of each hourly variable. Units are Open-Meteo's defaults: °C, %, mm, cm for
 * snowfall, hPa, m for visibility, km/h, degrees, s for sunshine; `is_day` is 0 or 1.
 * Precipitation, rain, showers, snowfall and sunshine are the amounts of an hour at the rate of
 * the instant `time` (Open-Meteo labels them as sums of the preceding hour; the model's weather
 * is smooth enough for the two to agree). Rain, showers and snowfall are the precipitation's one
 * kind: an hour's precipitation is all rain, all showers or all snow (7 cm of snow per 10 mm).
 */
export const OPEN_METEO_HOURLY: Readonly<Record<HourlyVariable, string>> = {
  temperature: "temperature_2m",
  apparent_temperature: "apparent_temperature",
  dew_point: "dew_point_2m",
  relative_humidity: "relative_humidity_2m",
  precipitation: "precipitation",
  rain: "rain",
  showers: "showers",
  snowfall: "snowfall",
  precipitation_probability: "precipitation_probability",
  weather_code: "weather_code",
  cloud_cover: "cloud_cover",
  pressure_msl: "pressure_msl",
  surface_pressure: "surface_pressure",
  visibility: "visibility",
  wind_speed: "wind_speed_10m",
  wind_direction: "wind_direction_10m",
  wind_gusts: "wind_gusts_10m",
  uv_index: "uv_index",
  is_day: "is_day",
  sunshine_duration: "sunshine_duration",
};

/** Decimals each hourly variable is published with (Open-Meteo's precision). */
export const HOURLY_DECIMALS: Readonly<Record<HourlyVariable, number>> = {
  temperature: 1,
  apparent_temperature: 1,
  dew_point: 1,
  relative_humidity: 0,
  precipitation: 1,
  rain: 1,
  showers: 1,
  snowfall: 2,
  precipitation_probability: 0,
  weather_code: 0,
  cloud_cover: 0,
  pressure_msl: 1,
  surface_pressure: 1,
  visibility: 0,
  wind_speed: 1,
  wind_direction: 0,
  wind_gusts: 1,
  uv_index: 2,
  is_day: 0,
  sunshine_duration: 0,
};

/** An hourly timeline, columnar: entry `i` of every array is the hour `time[i]`. */
export type HourlySeries =
  & {
    /** Number of hours. */
    readonly length: number;
    /** Each hour's instant, epoch seconds (on the quarter hour the series was asked from). */
    readonly time: Float64Array;
    /** The city's UTC offset at each hour, seconds east of UTC. */
    readonly utc_offset_seconds: Int32Array;
  }
  & { readonly [K in HourlyVariable]: Float64Array };

/** The conditions of one 15-minute slot: each hourly variable's value there (precipitation as a rate per hour). */
export type Current15 =
  & {
    /** Start of the slot, epoch seconds. */
    readonly time: number;
    /** Length of the slot, seconds. */
    readonly interval: 900;
    /** The city's UTC offset then, seconds east of UTC. */
    readonly utc_offset_seconds: number;
  }
  & { readonly [K in HourlyVariable]: number };

/** The model's daily variables, in the project's names (Open-Meteo's are {@linkcode OPEN_METEO_DAILY}). */
export const DAILY_VARIABLES = [
  "weather_code",
  "temperature_max",
  "temperature_min",
  "apparent_temperature_max",
  "apparent_temperature_min",
  "daylight_duration",
  "sunshine_duration",
  "uv_index_max",
  "precipitation_sum",
  "rain_sum",
  "showers_sum",
  "snowfall_sum",
  "precipitation_hours",
  "precipitation_probability_max",
  "wind_speed_max",
  "wind_gusts_max",
  "wind_direction_dominant",
] as const;

/** One of {@linkcode DAILY_VARIABLES}. */
export type DailyVariable = typeof DAILY_VARIABLES[number];

/** Open-Meteo's name of each daily variable, and of `sunrise` and `sunset`. */
export const OPEN_METEO_DAILY: Readonly<Record<DailyVariable | "sunrise" | "sunset", string>> = {
  weather_code: "weather_code",
  temperature_max: "temperature_2m_max",
  temperature_min: "temperature_2m_min",
  apparent_temperature_max: "apparent_temperature_max",
  apparent_temperature_min: "apparent_temperature_min",
  sunrise: "sunrise",
  sunset: "sunset",
  daylight_duration: "daylight_duration",
  sunshine_duration: "sunshine_duration",
  uv_index_max: "uv_index_max",
  precipitation_sum: "precipitation_sum",
  rain_sum: "rain_sum",
  showers_sum: "showers_sum",
  snowfall_sum: "snowfall_sum",
  precipitation_hours: "precipitation_hours",
  precipitation_probability_max: "precipitation_probability_max",
  wind_speed_max: "wind_speed_10m_max",
  wind_gusts_max: "wind_gusts_10m_max",
  wind_direction_dominant: "wind_direction_10m_dominant",
};

/**
 * Daily values of local calendar days, columnar, each the aggregate of that local day's hours
 * (an hour belongs to the local date of its start): maxima and minima of the hours, sums of them,
 * the most severe weather code (the highest WMO number, as Open-Meteo takes it), the speed-weighted
 * vector mean of the wind directions. Sunrise and sunset are epoch seconds, or null on a day the
 * sun does not rise or set (polar day has `daylight_duration` equal to the day's length, polar
 * night 0).
 */
export type DailySeries =
  & {
    /** Number of days. */
    readonly length: number;
    /** The local dates, "YYYY-MM-DD". */
    readonly date: readonly string[];
    /** First instant of each local day, epoch seconds. */
    readonly time: Float64Array;
    /** The UTC offset at the start of each day, seconds east of UTC. */
    readonly utc_offset_seconds: Int32Array;
    /** Number of hours in each local day (23 or 25 on a daylight-saving change). */
    readonly hours: Uint8Array;
    /** Sunrise, epoch seconds, or null. */
    readonly sunrise: readonly (number | null)[];
    /** Sunset, epoch seconds, or null. */
    readonly sunset: readonly (number | null)[];
  }
  & { readonly [K in DailyVariable]: Float64Array };

/** Days of the past the model answers for, before the clock's local day. */
export const PAST_DAYS = 92;
/** Days of forecast the model answers for, the clock's local day included. */
export const FORECAST_DAYS = 16;
/** Hours of forecast the model answers for from the start of the clock's hour. */
export const FORECAST_HOURS = 384;

/**
 * The plausible range of each hourly variable, in the model's units: what a weather value from
 * outside the model (a data file's recorded hours, an upstream answer) must lie within to be taken.
 * `weather_code` must also be a WMO 4677 code the model knows, and `is_day` 0 or 1.
 */
export const HOURLY_LIMITS: Readonly<Record<HourlyVariable, readonly [number, number]>> = {
  temperature: [-90, 60],
  apparent_temperature: [-110, 80],
  dew_point: [-100, 40],
  relative_humidity: [0, 100],
  precipitation: [0, 200],
  rain: [0, 200],
  showers: [0, 200],
  snowfall: [0, 140],
  precipitation_probability: [0, 100],
  weather_code: [0, 99],
  cloud_cover: [0, 100],
  pressure_msl: [870, 1085],
  surface_pressure: [300, 1100],
  visibility: [0, 200_000],
  wind_speed: [0, 300],
  wind_direction: [0, 360],
  wind_gusts: [0, 400],
  uv_index: [0, 25],
  is_day: [0, 1],
  sunshine_duration: [0, 3600],
};
