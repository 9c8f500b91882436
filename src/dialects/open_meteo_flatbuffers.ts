/**
 * Open-Meteo's binary answer (`format=flatbuffers`): the shape both Open-Meteo writers consume,
 * the FlatBuffers metadata of each variable, and the encoder the official SDKs read.
 * @module
 */

import { Builder } from "flatbuffers";
import { Aggregation } from "@openmeteo/sdk/aggregation.js";
import { Model } from "@openmeteo/sdk/model.js";
import { Unit } from "@openmeteo/sdk/unit.js";
import { Variable } from "@openmeteo/sdk/variable.js";

/** One variable of a section, as the request named it, with its values already converted to the requested units (unrounded). */
export interface OmVariable {
  /** The request's name, e.g. "temperature_2m", "sunrise". */
  readonly name: string;
  /**
   * Open-Meteo's unit string: "°C", "°F", "km/h", "mp/h", "m/s", "kn", "mm", "inch", "cm", "ft",
   * "m", "%", "hPa", "°", "wmo code", "s", "h", "" (dimensionless), "iso8601", "unixtime".
   */
  readonly unit: string;
  /** One value per time step (current: one); for sunrise and sunset unix seconds, NaN when missing. */
  readonly values: ArrayLike<number>;
}

/** One section of an answer (current, hourly or daily): its time steps and its variables in request order. */
export interface OmSection {
  /** First step, unix seconds UTC. */
  readonly time: number;
  /** Seconds between steps: 900 current, 3600 hourly, 86400 daily. */
  readonly interval: number;
  /** Number of steps (current: 1). */
  readonly length: number;
  /** The variables, in request order (clients read them by index). */
  readonly variables: readonly OmVariable[];
}

/** One location of an answer: its header and its sections. */
export interface OmLocation {
  /** Latitude, degrees (NaN allowed). */
  readonly latitude: number;
  /** Longitude, degrees (NaN allowed). */
  readonly longitude: number;
  /** Elevation, metres (NaN allowed: Open-Meteo writes NaN when it has none). */
  readonly elevation: number;
  /** Time taken to compute the answer, milliseconds. */
  readonly generationTimeMs: number;
  /** The location's index in the request, or the request's `location_id`. */
  readonly locationId: number;
  /** UTC offset, seconds east of UTC. */
  readonly utcOffsetSeconds: number;
  /** Time zone name; "GMT" is omitted from FlatBuffers, as Open-Meteo does. */
  readonly timezone: string;
  /** Time zone abbreviation; "GMT" is omitted from FlatBuffers, as Open-Meteo does. */
  readonly timezoneAbbreviation: string;
  /** The `current` (or legacy `current_weather`) section. */
  readonly current?: OmSection;
  /** The `hourly` section. */
  readonly hourly?: OmSection;
  /** The `daily` section. */
  readonly daily?: OmSection;
}

/** How Open-Meteo describes one request variable in FlatBuffers. */
export interface FlatBuffersVariableMeta {
  /** The SDK's variable. */
  readonly variable: Variable;
  /** Height above ground, metres (0 when none). */
  readonly altitude: number;
  /** How a daily value aggregates the hours. */
  readonly aggregation: Aggregation;
  /** The unit this variable always has, whatever its unit string (`is_day`: "" is an integer). */
  readonly unit?: Unit;
}

const meta = (
  variable: Variable,
  altitude = 0,
  aggregation: Aggregation = Aggregation.none,
): FlatBuffersVariableMeta => ({ variable, altitude, aggregation });

/**
 * Open-Meteo's FlatBuffers metadata of each hourly, current, legacy `current_weather` and daily
 * variable, by request name (hourly and daily names that coincide describe the same thing).
 * @example
 * ```ts
 * FLATBUFFERS_VARIABLES.get("wind_speed_10m_max"); // { variable: Variable.wind_speed, altitude: 10, aggregation: Aggregation.maximum }
 * ```
 */
export const FLATBUFFERS_VARIABLES: ReadonlyMap<string, FlatBuffersVariableMeta> = new Map([
  // Hourly and current, with their legacy aliases.
  ["temperature_2m", meta(Variable.temperature, 2)],
  ["relative_humidity_2m", meta(Variable.relative_humidity, 2)],
  ["relativehumidity_2m", meta(Variable.relative_humidity, 2)],
  ["dew_point_2m", meta(Variable.dew_point, 2)],
  ["dewpoint_2m", meta(Variable.dew_point, 2)],
  ["apparent_temperature", meta(Variable.apparent_temperature, 2)],
  ["precipitation", meta(Variable.precipitation)],
  ["rain", meta(Variable.rain)],
  ["showers", meta(Variable.showers)],
  ["snowfall", meta(Variable.snowfall)],
  ["precipitation_probability", meta(Variable.precipitation_probability)],
  ["weather_code", meta(Variable.weather_code)],
  ["weathercode", meta(Variable.weather_code)],
  ["cloud_cover", meta(Variable.cloud_cover)],
  ["cloudcover", meta(Variable.cloud_cover)],
  ["pressure_msl", meta(Variable.pressure_msl)],
  ["surface_pressure", meta(Variable.surface_pressure)],
  ["visibility", meta(Variable.visibility)],
  ["wind_speed_10m", meta(Variable.wind_speed, 10)],
  ["windspeed_10m", meta(Variable.wind_speed, 10)],
  ["wind_direction_10m", meta(Variable.wind_direction, 10)],
  ["winddirection_10m", meta(Variable.wind_direction, 10)],
  ["wind_gusts_10m", meta(Variable.wind_gusts, 10)],
  ["windgusts_10m", meta(Variable.wind_gusts, 10)],
  ["uv_index", meta(Variable.uv_index)],
  ["is_day", { ...meta(Variable.is_day), unit: Unit.dimensionless_integer }],
  ["sunshine_duration", meta(Variable.sunshine_duration)],
  // Legacy `current_weather` (`weathercode` and `is_day` are above).
  ["temperature", meta(Variable.temperature, 2)],
  ["windspeed", meta(Variable.wind_speed, 10)],
  ["winddirection", meta(Variable.wind_direction, 10)],
  // Daily, with their legacy aliases.
  ["temperature_2m_max", meta(Variable.temperature, 2, Aggregation.maximum)],
  ["temperature_2m_min", meta(Variable.temperature, 2, Aggregation.minimum)],
  ["apparent_temperature_max", meta(Variable.apparent_temperature, 2, Aggregation.maximum)],
  ["apparent_temperature_min", meta(Variable.apparent_temperature, 2, Aggregation.minimum)],
  ["sunrise", meta(Variable.sunrise)],
  ["sunset", meta(Variable.sunset)],
  ["daylight_duration", meta(Variable.daylight_duration)],
  ["uv_index_max", meta(Variable.uv_index, 0, Aggregation.maximum)],
  ["precipitation_sum", meta(Variable.precipitation, 0, Aggregation.sum)],
  ["rain_sum", meta(Variable.rain, 0, Aggregation.sum)],
  ["showers_sum", meta(Variable.showers, 0, Aggregation.sum)],
  ["snowfall_sum", meta(Variable.snowfall, 0, Aggregation.sum)],
  ["precipitation_hours", meta(Variable.precipitation_hours)],
  ["precipitation_probability_max", meta(Variable.precipitation_probability, 0, Aggregation.maximum)],
  ["wind_speed_10m_max", meta(Variable.wind_speed, 10, Aggregation.maximum)],
  ["windspeed_10m_max", meta(Variable.wind_speed, 10, Aggregation.maximum)],
  ["wind_gusts_10m_max", meta(Variable.wind_gusts, 10, Aggregation.maximum)],
  ["windgusts_10m_max", meta(Variable.wind_gusts, 10, Aggregation.maximum)],
  ["wind_direction_10m_dominant", meta(Variable.wind_direction, 10, Aggregation.dominant)],
  ["winddirection_10m_dominant", meta(Variable.wind_direction, 10, Aggregation.dominant)],
]);

/**
 * The SDK's unit of each Open-Meteo unit string. "" is `dimensionless` (uv_index);
 * {@linkcode FLATBUFFERS_VARIABLES} makes `is_day`'s "" `dimensionless_integer`.
 */
export const FLATBUFFERS_UNITS: ReadonlyMap<string, Unit> = new Map([
  ["°C", Unit.celsius],
  ["°F", Unit.fahrenheit],
  ["km/h", Unit.kilometres_per_hour],
  ["mp/h", Unit.miles_per_hour],
  ["m/s", Unit.metre_per_second],
  ["kn", Unit.knots],
  ["mm", Unit.millimetre],
  ["inch", Unit.inch],
  ["cm", Unit.centimetre],
  ["ft", Unit.feet],
  ["m", Unit.metre],
  ["%", Unit.percentage],
  ["hPa", Unit.hectopascal],
  ["°", Unit.degree_direction],
  ["wmo code", Unit.wmo_code],
  ["s", Unit.seconds],
  ["h", Unit.hours],
  ["", Unit.dimensionless],
  ["iso8601", Unit.iso8601],
  ["unixtime", Unit.unix_time],
]);

// Field slots (declaration order in the SDK's weather_api.fbs).
const RESPONSE_FIELDS = 15;
const R_LATITUDE = 0, R_LONGITUDE = 1, R_ELEVATION = 2, R_GENERATION_TIME = 3, R_LOCATION_ID = 4;
const R_MODEL = 5, R_UTC_OFFSET = 6, R_TIMEZONE = 7, R_TIMEZONE_ABBREVIATION = 8;
const R_CURRENT = 9, R_DAILY = 10, R_HOURLY = 11;
const SECTION_FIELDS = 4;
const S_TIME = 0, S_TIME_END = 1, S_INTERVAL = 2, S_VARIABLES = 3;
const VARIABLE_FIELDS = 13;
const V_VARIABLE = 0, V_UNIT = 1, V_VALUE = 2, V_VALUES = 3, V_VALUES_INT64 = 4, V_ALTITUDE = 5;
const V_AGGREGATION = 6;

const ZERO = BigInt(0);

// One builder for every call: its buffer grows once and is reused (encoding is synchronous).
const builder = new Builder(64 * 1024);

/**
 * Open-Meteo's `format=flatbuffers` body: one size-prefixed `WeatherApiResponse` per location,
 * concatenated, each a multiple of 8 bytes long so that the SDK's `Float32Array` views line up.
 *
 * Float series go to `values` (float32, NaN kept), current values to the scalar `value`, and
 * variables with a time unit ("iso8601", "unixtime") to `values_int64` as whole unix seconds; a
 * missing (NaN) time is written as the start of its step, which is what Open-Meteo writes for
 * sunrise and sunset in polar night. Throws a `RangeError` for an unknown variable name or unit
 * string, a series whose length is not its section's, or a time-unit variable in `current`.
 * @example
 * ```ts
 * const body = encodeFlatBuffers([location]);
 * new Response(body, { headers: { "content-type": "application/octet-stream" } });
 * ```
 */
export function encodeFlatBuffers(
  locations: readonly OmLocation[],
  model: Model = Model.best_match,
): Uint8Array<ArrayBuffer> {
  const messages: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (const location of locations) {
    builder.clear();
    const message = encodeLocation(location, model).slice();
    messages.push(message);
    total += message.length;
  }
  if (messages.length === 1) return messages[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const message of messages) {
    body.set(message, offset);
    offset += message.length;
  }
  return body;
}

function encodeLocation(location: OmLocation, model: Model): Uint8Array {
  const hourly = location.hourly ? encodeSection(location.hourly, false) : 0;
  const daily = location.daily ? encodeSection(location.daily, false) : 0;
  const current = location.current ? encodeSection(location.current, true) : 0;
  const timezone = location.timezone === "GMT" ? 0 : builder.createString(location.timezone);
  const abbreviation = location.timezoneAbbreviation === "GMT"
    ? 0
    : builder.createString(location.timezoneAbbreviation);

  builder.startObject(RESPONSE_FIELDS);
  builder.addFieldInt64(R_LOCATION_ID, BigInt(location.locationId), ZERO);
  builder.addFieldFloat32(R_LATITUDE, location.latitude, 0);
  builder.addFieldFloat32(R_LONGITUDE, location.longitude, 0);
  builder.addFieldFloat32(R_ELEVATION, location.elevation, 0);
  builder.addFieldFloat32(R_GENERATION_TIME, location.generationTimeMs, 0);
  builder.addFieldInt32(R_UTC_OFFSET, location.utcOffsetSeconds, 0);
  builder.addFieldOffset(R_TIMEZONE, timezone, 0);
  builder.addFieldOffset(R_TIMEZONE_ABBREVIATION, abbreviation, 0);
  builder.addFieldOffset(R_CURRENT, current, 0);
  builder.addFieldOffset(R_DAILY, daily, 0);
  builder.addFieldOffset(R_HOURLY, hourly, 0);
  builder.addFieldInt8(R_MODEL, model, 0);
  const root = builder.endObject();
  // Raise the message's alignment to 8 so that every message of a concatenated body starts 8-aligned.
  builder.prep(8, 0);
  builder.finishSizePrefixed(root);
  return builder.asUint8Array();
}

function encodeSection(section: OmSection, single: boolean): number {
  const { variables } = section;
  const offsets = new Array<number>(variables.length);
  for (let i = 0; i < variables.length; i++) {
    offsets[i] = encodeVariable(variables[i]!, section, single);
  }
  builder.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i]!);
  const vector = builder.endVector();

  builder.startObject(SECTION_FIELDS);
  builder.addFieldInt64(S_TIME, BigInt(section.time), ZERO);
  builder.addFieldInt64(S_TIME_END, BigInt(section.time + section.length * section.interval), ZERO);
  builder.addFieldInt32(S_INTERVAL, section.interval, 0);
  builder.addFieldOffset(S_VARIABLES, vector, 0);
  return builder.endObject();
}

function encodeVariable(variable: OmVariable, section: OmSection, single: boolean): number {
  const meta = FLATBUFFERS_VARIABLES.get(variable.name);
  if (meta === undefined) {
    throw new RangeError(`Cannot encode variable "${variable.name}": no FlatBuffers variable`);
  }
  const unit = meta.unit ?? FLATBUFFERS_UNITS.get(variable.unit);
  if (unit === undefined) {
    throw new RangeError(`Cannot encode variable "${variable.name}": unknown unit "${variable.unit}"`);
  }
  const { values } = variable;
  if (values.length !== section.length) {
    throw new RangeError(
      `Cannot encode variable "${variable.name}": ${values.length} values for ${section.length} steps`,
    );
  }
  const timestamps = unit === Unit.iso8601 || unit === Unit.unix_time;
  if (timestamps && single) {
    throw new RangeError(`Cannot encode variable "${variable.name}": a time cannot be a current value`);
  }

  let vector = 0;
  if (timestamps) {
    builder.startVector(8, values.length, 8);
    for (let i = values.length - 1; i >= 0; i--) {
      const value = values[i]!;
      const seconds = Number.isFinite(value) ? Math.trunc(value) : section.time + i * section.interval;
      builder.addInt64(BigInt(seconds));
    }
    vector = builder.endVector();
  } else if (!single) {
    builder.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) builder.addFloat32(values[i]!);
    vector = builder.endVector();
  }

  builder.startObject(VARIABLE_FIELDS);
  if (single) builder.addFieldFloat32(V_VALUE, values[0]!, 0);
  builder.addFieldOffset(timestamps ? V_VALUES_INT64 : V_VALUES, vector, 0);
  builder.addFieldInt16(V_ALTITUDE, meta.altitude, 0);
  builder.addFieldInt8(V_VARIABLE, meta.variable, 0);
  builder.addFieldInt8(V_UNIT, unit, 0);
  builder.addFieldInt8(V_AGGREGATION, meta.aggregation, 0);
  return builder.endObject();
}
