// OpenWeatherMap's weather conditions (https://openweathermap.org/weather-conditions) and the
// translation of the model's WMO 4677 codes into them. Pure data and functions, no I/O.
import { WMO_CODES } from "../wmo.ts";

/** The icon artwork an OpenWeatherMap condition uses, before its `d` (day) or `n` (night) suffix. */
export type OwmIconBase = "01" | "02" | "03" | "04" | "09" | "10" | "11" | "13" | "50";

/** One row of OpenWeatherMap's published condition table. */
export interface OwmConditionEntry {
  /** Group name as the API writes it in `weather[].main`, e.g. `"Rain"`. */
  readonly main: string;
  /** Lower-case text as the API writes it in `weather[].description`, e.g. `"light rain"`. */
  readonly description: string;
  /** Icon without the day/night suffix. */
  readonly icon: OwmIconBase;
}

/** A condition as it appears in a `weather[]` item: `{id, main, description, icon}`. */
export interface OwmCondition {
  readonly id: number;
  readonly main: string;
  readonly description: string;
  /** Icon with its suffix, e.g. `"10d"`. */
  readonly icon: string;
}

function row(main: string, description: string, icon: OwmIconBase): OwmConditionEntry {
  return Object.freeze({ main, description, icon });
}

/** OpenWeatherMap's full published condition table, keyed by condition id, in published order. */
export const OWM_CONDITIONS: ReadonlyMap<number, OwmConditionEntry> = new Map([
  [200, row("Thunderstorm", "thunderstorm with light rain", "11")],
  [201, row("Thunderstorm", "thunderstorm with rain", "11")],
  [202, row("Thunderstorm", "thunderstorm with heavy rain", "11")],
  [210, row("Thunderstorm", "light thunderstorm", "11")],
  [211, row("Thunderstorm", "thunderstorm", "11")],
  [212, row("Thunderstorm", "heavy thunderstorm", "11")],
  [221, row("Thunderstorm", "ragged thunderstorm", "11")],
  [230, row("Thunderstorm", "thunderstorm with light drizzle", "11")],
  [231, row("Thunderstorm", "thunderstorm with drizzle", "11")],
  [232, row("Thunderstorm", "thunderstorm with heavy drizzle", "11")],
  [300, row("Drizzle", "light intensity drizzle", "09")],
  [301, row("Drizzle", "drizzle", "09")],
  [302, row("Drizzle", "heavy intensity drizzle", "09")],
  [310, row("Drizzle", "light intensity drizzle rain", "09")],
  [311, row("Drizzle", "drizzle rain", "09")],
  [312, row("Drizzle", "heavy intensity drizzle rain", "09")],
  [313, row("Drizzle", "shower rain and drizzle", "09")],
  [314, row("Drizzle", "heavy shower rain and drizzle", "09")],
  [321, row("Drizzle", "shower drizzle", "09")],
  [500, row("Rain", "light rain", "10")],
  [501, row("Rain", "moderate rain", "10")],
  [502, row("Rain", "heavy intensity rain", "10")],
  [503, row("Rain", "very heavy rain", "10")],
  [504, row("Rain", "extreme rain", "10")],
  [511, row("Rain", "freezing rain", "13")],
  [520, row("Rain", "light intensity shower rain", "09")],
  [521, row("Rain", "shower rain", "09")],
  [522, row("Rain", "heavy intensity shower rain", "09")],
  [531, row("Rain", "ragged shower rain", "09")],
  [600, row("Snow", "light snow", "13")],
  [601, row("Snow", "snow", "13")],
  [602, row("Snow", "heavy snow", "13")],
  [611, row("Snow", "sleet", "13")],
  [612, row("Snow", "light shower sleet", "13")],
  [613, row("Snow", "shower sleet", "13")],
  [615, row("Snow", "light rain and snow", "13")],
  [616, row("Snow", "rain and snow", "13")],
  [620, row("Snow", "light shower snow", "13")],
  [621, row("Snow", "shower snow", "13")],
  [622, row("Snow", "heavy shower snow", "13")],
  [701, row("Mist", "mist", "50")],
  [711, row("Smoke", "smoke", "50")],
  [721, row("Haze", "haze", "50")],
  // The space after the slash is how the API writes it.
  [731, row("Dust", "sand/ dust whirls", "50")],
  [741, row("Fog", "fog", "50")],
  [751, row("Sand", "sand", "50")],
  [761, row("Dust", "dust", "50")],
  [762, row("Ash", "volcanic ash", "50")],
  [771, row("Squall", "squalls", "50")],
  [781, row("Tornado", "tornado", "50")],
  [800, row("Clear", "clear sky", "01")],
  [801, row("Clouds", "few clouds", "02")],
  [802, row("Clouds", "scattered clouds", "03")],
  [803, row("Clouds", "broken clouds", "04")],
  [804, row("Clouds", "overcast clouds", "04")],
]);

/** What the model knows about an hour besides its WMO code; it refines the condition chosen. */
export interface ConditionOptions {
  /** Precipitation in the hour, mm. */
  readonly precipitation: number;
  /** Air temperature, °C. */
  readonly temperature: number;
  /** Whether the sun is up: picks the `d` or `n` icon. */
  readonly isDay: boolean;
  /** Visibility, metres. Fog with 1000 m or more is reported as mist. */
  readonly visibility?: number;
  /** Cloud cover, percent. Splits partly cloudy and overcast skies into OpenWeatherMap's bands. */
  readonly cloudCover?: number;
}

/** Above this temperature (°C) snowfall is reported as rain and snow. */
const WET_SNOW_ABOVE_C = 1;
/** Hourly totals (mm) from which heavy rain is reported as very heavy, then extreme. */
const VERY_HEAVY_RAIN_MM = 16;
const EXTREME_RAIN_MM = 50;
/** Thunderstorm rain (mm in the hour) from which "with light rain" becomes "with rain". */
const THUNDER_RAIN_MM = 2.5;
/** WMO visibility limit for fog; at or above it the obscuration is mist. */
const FOG_VISIBILITY_M = 1000;

function conditionId(code: number, options: ConditionOptions): number {
  const { precipitation, temperature, visibility, cloudCover } = options;
  switch (code) {
    case 0:
      return 800;
    case 1:
      return 801;
    // OpenWeatherMap's bands: 801 11-25 %, 802 25-50 %, 803 51-84 %, 804 85-100 %.
    case 2:
      return cloudCover !== undefined && cloudCover > 50 ? 803 : 802;
    case 3:
      return cloudCover !== undefined && cloudCover < 85 ? 803 : 804;
    case 45:
    case 48:
      return visibility !== undefined && visibility >= FOG_VISIBILITY_M ? 701 : 741;
    case 51:
      return 300;
    case 53:
      return 301;
    case 55:
      return 302;
    // OpenWeatherMap has no freezing drizzle; 511 is its only freezing condition.
    case 56:
    case 57:
    case 66:
    case 67:
      return 511;
    case 61:
      return 500;
    case 63:
      return 501;
    case 65:
      return precipitation >= EXTREME_RAIN_MM ? 504 : precipitation >= VERY_HEAVY_RAIN_MM ? 503 : 502;
    case 71:
      return temperature > WET_SNOW_ABOVE_C ? 615 : 600;
    case 73:
      return temperature > WET_SNOW_ABOVE_C ? 616 : 601;
    case 75:
      return temperature > WET_SNOW_ABOVE_C ? 616 : 602;
    case 77:
      return 600;
    case 80:
      return 520;
    case 81:
      return 521;
    case 82:
      return 522;
    case 85:
      return 620;
    case 86:
      return 622;
    case 95:
      return precipitation <= 0 ? 211 : precipitation < THUNDER_RAIN_MM ? 200 : 201;
    case 96:
      return 201;
    case 99:
      return 202;
  }
  throw new RangeError(`Unknown WMO weather code "${code}"`);
}

/**
 * The condition with the given id, its icon suffixed for day or night.
 *
 * @example
 * ```ts
 * owmCondition(500, false); // { id: 500, main: "Rain", description: "light rain", icon: "10n" }
 * ```
 */
export function owmCondition(id: number, isDay: boolean): OwmCondition {
  const entry = OWM_CONDITIONS.get(id);
  if (entry === undefined) throw new RangeError(`Unknown OpenWeatherMap condition id "${id}"`);
  return { id, main: entry.main, description: entry.description, icon: entry.icon + (isDay ? "d" : "n") };
}

/**
 * OpenWeatherMap's condition for a WMO 4677 code (one of `WMO_CODES`), refined by the hour's other
 * values. Throws `RangeError` for a code the model does not use.
 *
 * @example
 * ```ts
 * conditionOf(63, { precipitation: 3, temperature: 12, isDay: true });
 * // { id: 501, main: "Rain", description: "moderate rain", icon: "10d" }
 * ```
 */
export function conditionOf(weatherCode: number, options: ConditionOptions): OwmCondition {
  if (!WMO_CODES.has(weatherCode)) throw new RangeError(`Unknown WMO weather code "${weatherCode}"`);
  return owmCondition(conditionId(weatherCode, options), options.isDay);
}
