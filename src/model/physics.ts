/**
 * The published formulas that tie the model's variables together, and what each WMO weather
 * code requires of them.
 * @module
 */

// Magnus coefficients over water of Alduchov and Eskridge (1996).
const MAGNUS_A = 17.625;
const MAGNUS_B = 243.04;

/** Relative humidity (%) from temperature and dew point (°C), by the Magnus formula. */
export function relativeHumidity(temperature: number, dewPoint: number): number {
  return 100 *
    Math.exp(MAGNUS_A * dewPoint / (MAGNUS_B + dewPoint) - MAGNUS_A * temperature / (MAGNUS_B + temperature));
}

/** Dew point (°C) from temperature (°C) and relative humidity (%, above 0), by the Magnus formula. */
export function dewPoint(temperature: number, humidity: number): number {
  const g = Math.log(humidity / 100) + MAGNUS_A * temperature / (MAGNUS_B + temperature);
  return MAGNUS_B * g / (MAGNUS_A - g);
}

/**
 * Apparent temperature (°C) by Steadman's formula without radiation, as the Australian Bureau of
 * Meteorology publishes it and Open-Meteo uses: AT = Ta + 0.33·e − 0.70·ws − 4.00, with e the
 * water vapour pressure (hPa) and ws the wind speed at 10 m (m/s).
 */
export function apparentTemperature(temperature: number, humidity: number, windKmh: number): number {
  const e = humidity / 100 * 6.105 * Math.exp(17.27 * temperature / (237.7 + temperature));
  return temperature + 0.33 * e - 0.7 * (windKmh / 3.6) - 4;
}

/**
 * Surface pressure (hPa) at `elevation` metres from the pressure reduced to mean sea level, by the
 * barometric formula for a standard lapse rate of 6.5 K/km below a surface at `temperature` °C.
 */
export function surfacePressure(pressureMsl: number, elevation: number, temperature: number): number {
  return pressureMsl * Math.pow(1 - 0.0065 * elevation / (temperature + 273.15 + 0.0065 * elevation), 5.255);
}

/** Open-Meteo's snow depth per water equivalent: 7 cm of snow fall as 10 mm of precipitation. */
export const SNOW_CM_PER_MM = 0.7;

/** The kind of precipitation a weather code stands for. */
export type PrecipitationKind = "none" | "rain" | "showers" | "snow";

/** What a WMO weather code requires of an hour: the ranges its variables must fall in. */
export interface CodeRequirements {
  /** Kind of precipitation ("none": precipitation is 0). */
  readonly kind: PrecipitationKind;
  /** Precipitation range (mm/h), [0, 0] for dry codes. */
  readonly precipitation: readonly [number, number];
  /** Cloud cover range (%). */
  readonly cloud: readonly [number, number];
  /** Temperature range (°C) the code is possible in. */
  readonly temperature: readonly [number, number];
  /** Visibility range (m). */
  readonly visibility: readonly [number, number];
}

const ANY_T = [-100, 100] as const;
const LIQUID_T = [0.5, 100] as const;
const FREEZING_T = [-1.5, 0] as const;
const SNOW_T = [-100, 1.5] as const;
const CLEAR_VIS = [1000, 100_000] as const;
const WET = [70, 100] as const;

function req(
  kind: PrecipitationKind,
  precipitation: readonly [number, number],
  cloud: readonly [number, number],
  temperature: readonly [number, number] = ANY_T,
  visibility: readonly [number, number] = CLEAR_VIS,
): CodeRequirements {
  return { kind, precipitation, cloud, temperature, visibility };
}

/** The requirements of each WMO 4677 code the model knows (the keys of `WMO_CODES`). */
export const CODE_REQUIREMENTS: ReadonlyMap<number, CodeRequirements> = new Map([
  [0, req("none", [0, 0], [0, 19.4])],
  [1, req("none", [0, 0], [20, 49.4])],
  [2, req("none", [0, 0], [50, 79.4])],
  [3, req("none", [0, 0], [80, 100])],
  [45, req("none", [0, 0], [80, 100], ANY_T, [100, 900])],
  [48, req("none", [0, 0], [80, 100], [-100, 0], [100, 900])],
  [51, req("rain", [0.1, 0.19], WET, LIQUID_T)],
  [53, req("rain", [0.2, 0.49], WET, LIQUID_T)],
  [55, req("rain", [0.5, 0.99], WET, LIQUID_T)],
  [56, req("rain", [0.1, 0.49], WET, FREEZING_T)],
  [57, req("rain", [0.5, 0.99], WET, FREEZING_T)],
  [61, req("rain", [0.1, 2.49], WET, LIQUID_T)],
  [63, req("rain", [2.5, 7.59], WET, LIQUID_T)],
  [65, req("rain", [7.6, 60], WET, LIQUID_T)],
  [66, req("rain", [0.1, 2.49], WET, FREEZING_T)],
  [67, req("rain", [2.5, 30], WET, FREEZING_T)],
  [71, req("snow", [0.1, 0.99], WET, SNOW_T)],
  [73, req("snow", [1, 2.49], WET, SNOW_T)],
  [75, req("snow", [2.5, 20], WET, SNOW_T)],
  [77, req("snow", [0.1, 0.3], WET, SNOW_T)],
  [80, req("showers", [0.1, 2.49], WET, LIQUID_T)],
  [81, req("showers", [2.5, 9.99], WET, LIQUID_T)],
  [82, req("showers", [10, 80], WET, LIQUID_T)],
  [85, req("snow", [0.1, 1.49], WET, SNOW_T)],
  [86, req("snow", [1.5, 20], WET, SNOW_T)],
  [95, req("showers", [1, 40], WET, LIQUID_T)],
  [96, req("showers", [5, 60], WET, LIQUID_T)],
  [99, req("showers", [10, 80], WET, LIQUID_T)],
]);

/** Codes of snow that falls from convective cloud (snow showers), whose snowfall is showery. */
export const SNOW_SHOWER_CODES: ReadonlySet<number> = new Set([85, 86]);

/**
 * The WMO code of an hour from its variables, most significant phenomenon first: precipitation
 * (by kind and intensity, thunder when `thunder`), then fog, then cloud cover.
 */
export function weatherCodeOf(
  precipitation: number,
  kind: PrecipitationKind,
  convective: boolean,
  thunder: boolean,
  cloudCover: number,
  visibility: number,
  temperature: number,
): number {
  if (precipitation > 0) {
    if (kind === "snow") {
      if (convective) return precipitation < 1.5 ? 85 : 86;
      return precipitation < 1 ? 71 : precipitation < 2.5 ? 73 : 75;
    }
    if (kind === "showers") {
      if (thunder && precipitation >= 1) return precipitation >= 15 ? 96 : 95;
      return precipitation < 2.5 ? 80 : precipitation < 10 ? 81 : 82;
    }
    if (precipitation < 1) return precipitation < 0.2 ? 51 : precipitation < 0.5 ? 53 : 55;
    return precipitation < 2.5 ? 61 : precipitation < 7.6 ? 63 : 65;
  }
  if (visibility < 1000) return temperature < 0 ? 48 : 45;
  return cloudCover < 19.5 ? 0 : cloudCover < 49.5 ? 1 : cloudCover < 79.5 ? 2 : 3;
}

const SCALES = [1, 10, 100, 1000, 10000];

/** `x` rounded to `digits` decimals (0 to 4, half away from zero), the precision the model publishes. */
export function roundTo(x: number, digits: number): number {
  const f = SCALES[digits] ?? Math.pow(10, digits);
  return (x < 0 ? -Math.round(-x * f) : Math.round(x * f)) / f || 0;
}
