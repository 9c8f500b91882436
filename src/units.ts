import { type City, type CityWeather, type Current, METRIC_UNITS, type Units } from "./schema.ts";

/** The unit systems the API offers, the first being the default and the data file's own. */
export const UNIT_SYSTEMS = ["metric", "imperial", "si"] as const;

/** One of {@linkcode UNIT_SYSTEMS}. */
export type UnitSystem = typeof UNIT_SYSTEMS[number];

/** The unit of each field in each system, as a response's `units` block names them. */
export const UNITS: Readonly<Record<UnitSystem, Units>> = {
  metric: METRIC_UNITS,
  imperial: {
    temperature: "°F",
    feels_like: "°F",
    humidity: "%",
    wind_speed: "mph",
    wind_direction: "°",
    pressure: "inHg",
  },
  si: {
    temperature: "K",
    feels_like: "K",
    humidity: "%",
    wind_speed: "m/s",
    wind_direction: "°",
    pressure: "Pa",
  },
};

/** True when `name` is one of {@linkcode UNIT_SYSTEMS}. */
export function isUnitSystem(name: string): name is UnitSystem {
  return (UNIT_SYSTEMS as readonly string[]).includes(name);
}

/** Rounds to `digits` decimals, half away from zero, without binary-fraction surprises like 1.005. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round((Math.abs(value) + Number.EPSILON) * factor) / factor * Math.sign(value) || 0;
}

const KM_PER_MILE = 1.609344;
const HPA_PER_INHG = 33.8638866667;

/** Degrees Celsius to Fahrenheit, to 0.1 °F. */
export const celsiusToFahrenheit = (c: number): number => round(c * 9 / 5 + 32, 1);
/** Degrees Celsius to kelvins, to 0.01 K (exact for data in tenths of a degree). */
export const celsiusToKelvin = (c: number): number => round(c + 273.15, 2);
/** Kilometres per hour to miles per hour, to 0.1 mph. */
export const kmhToMph = (kmh: number): number => round(kmh / KM_PER_MILE, 1);
/** Kilometres per hour to metres per second, to 0.1 m/s. */
export const kmhToMetresPerSecond = (kmh: number): number => round(kmh / 3.6, 1);
/** Hectopascals to inches of mercury, to 0.01 inHg. */
export const hpaToInHg = (hpa: number): number => round(hpa / HPA_PER_INHG, 2);
/** Hectopascals to pascals, to 1 Pa. */
export const hpaToPa = (hpa: number): number => round(hpa * 100, 0);

/** Current conditions (metric, as stored) expressed in `system`. */
export function convertCurrent(current: Current, system: UnitSystem): Current {
  switch (system) {
    case "metric":
      return current;
    case "imperial":
      return {
        ...current,
        temperature: celsiusToFahrenheit(current.temperature),
        feels_like: celsiusToFahrenheit(current.feels_like),
        wind_speed: kmhToMph(current.wind_speed),
        pressure: hpaToInHg(current.pressure),
      };
    case "si":
      return {
        ...current,
        temperature: celsiusToKelvin(current.temperature),
        feels_like: celsiusToKelvin(current.feels_like),
        wind_speed: kmhToMetresPerSecond(current.wind_speed),
        pressure: hpaToPa(current.pressure),
      };
  }
}

/**
 * A city's weather in `system`, with the `units` block naming each unit: the fields of
 * `CityWeatherSchema` in its order, whatever else the city carries.
 *
 * @example
 * ```ts
 * cityWeather(tokyo, "imperial").current.temperature; // 57.6 for 14.2 °C
 * ```
 */
export function cityWeather(city: City, system: UnitSystem): CityWeather {
  // Field by field, not a spread of the city: a field the data file gains stays out of this body.
  return {
    name: city.name,
    country: city.country,
    latitude: city.latitude,
    longitude: city.longitude,
    timezone: city.timezone,
    current: convertCurrent(city.current, system),
    units: UNITS[system],
  };
}

/** What a forecast value measures, which decides its unit in each system. */
export type Measure =
  | "temperature"
  | "percent"
  | "precipitation"
  | "snowfall"
  | "pressure"
  | "distance"
  | "speed"
  | "direction"
  | "uv"
  | "seconds"
  | "hours"
  | "code";

/** The unit of each measure in each system, as a forecast's `units` block names them. */
export const MEASURE_UNITS: Readonly<Record<UnitSystem, Readonly<Record<Measure, string>>>> = {
  metric: {
    temperature: "°C",
    percent: "%",
    precipitation: "mm",
    snowfall: "cm",
    pressure: "hPa",
    distance: "m",
    speed: "km/h",
    direction: "°",
    uv: "index",
    seconds: "s",
    hours: "h",
    code: "wmo code",
  },
  imperial: {
    temperature: "°F",
    percent: "%",
    precipitation: "inch",
    snowfall: "inch",
    pressure: "inHg",
    distance: "mi",
    speed: "mph",
    direction: "°",
    uv: "index",
    seconds: "s",
    hours: "h",
    code: "wmo code",
  },
  si: {
    temperature: "K",
    percent: "%",
    precipitation: "mm",
    snowfall: "cm",
    pressure: "Pa",
    distance: "m",
    speed: "m/s",
    direction: "°",
    uv: "index",
    seconds: "s",
    hours: "h",
    code: "wmo code",
  },
};

const MM_PER_INCH = 25.4;
const METRES_PER_MILE = 1609.344;

/**
 * A value of `measure` in the model's metric units (°C, mm, cm, hPa, m, km/h) expressed in
 * `system`, rounded to the precision of that unit. Measures without a unit of their own pass as
 * they are.
 *
 * @example
 * ```ts
 * convertMeasure("precipitation", 12.7, "imperial"); // 0.5 (inch)
 * ```
 */
export function convertMeasure(measure: Measure, value: number, system: UnitSystem): number {
  if (system === "metric") return value;
  switch (measure) {
    case "temperature":
      return system === "imperial" ? celsiusToFahrenheit(value) : celsiusToKelvin(value);
    case "speed":
      return system === "imperial" ? kmhToMph(value) : kmhToMetresPerSecond(value);
    case "pressure":
      return system === "imperial" ? hpaToInHg(value) : hpaToPa(value);
    case "precipitation":
      return system === "imperial" ? round(value / MM_PER_INCH, 3) : value;
    case "snowfall":
      return system === "imperial" ? round(value * 10 / MM_PER_INCH, 2) : value;
    case "distance":
      return system === "imperial" ? round(value / METRES_PER_MILE, 2) : value;
    default:
      return value;
  }
}
