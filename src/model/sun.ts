/**
 * The sun and the moon for the weather model, from astronomy-engine: the sun's position through
 * each hour (for is_day, the UV index, sunshine and the diurnal cycle) and the rise and set
 * events of each local day (for the daily values).
 *
 * A day without a sunrise or without a sunset (polar day, polar night, or a day whose event falls
 * just past midnight) has `null` for it. `daylight` is always the seconds of that local day the
 * sun's upper limb spends above the horizon: the whole day's length in polar day (86400, or 82800
 * and 90000 on days of a daylight-saving change), 0 in polar night.
 * @module
 */

import {
  Body,
  EquatorFromVector,
  GeoVector,
  Illumination,
  MakeTime,
  MoonPhase,
  Observer,
  RotateVector,
  Rotation_EQJ_EQD,
  SearchRiseSet,
  SiderealTime,
} from "astronomy-engine";
import { dayNumber, formatDay, localMidnight, MS_PER_DAY } from "./time.ts";

const DEG = Math.PI / 180;
/** Altitude of the sun's centre at sunrise and sunset with standard refraction and the upper limb (degrees). */
export const SUNRISE_ALTITUDE: number = -0.833;

// Geocentric apparent declination (degrees) and Greenwich hour angle (degrees) at 00:00 UTC of a
// UTC day: the sun moves little in a day, so a linear blend of two of them places it within
// seconds of arc, for every observer at once.
const ephemeris = new Map<number, readonly [number, number]>();

function sunAt0h(day: number): readonly [number, number] {
  let e = ephemeris.get(day);
  if (e === undefined) {
    const time = MakeTime(new Date(day * MS_PER_DAY));
    const eq = EquatorFromVector(RotateVector(Rotation_EQJ_EQD(time), GeoVector(Body.Sun, time, true)));
    const gha = (((SiderealTime(time) - eq.ra) * 15) % 360 + 360) % 360;
    e = [eq.dec, gha];
    if (ephemeris.size >= 50_000) ephemeris.clear();
    ephemeris.set(day, e);
  }
  return e;
}

/** The sun's declination and Greenwich hour angle (degrees) at the instant `ms`, into `out`. */
export function sunPosition(ms: number, out: Float64Array): void {
  const x = ms / MS_PER_DAY;
  const day = Math.floor(x);
  const f = x - day;
  const a = sunAt0h(day), b = sunAt0h(day + 1);
  const drift = ((b[1] - a[1]) % 360 + 540) % 360 - 180;
  out[0] = a[0] + (b[0] - a[0]) * f;
  out[1] = a[1] + f * (360 + drift);
}

const position = new Float64Array(2);

/** The sun's altitude (degrees, geometric, centre) at the instant `ms` seen from `latitude`/`longitude`. */
export function solarElevation(latitude: number, longitude: number, ms: number): number {
  sunPosition(ms, position);
  const dec = position[0]! * DEG, lat = latitude * DEG;
  const h = (position[1]! + longitude) * DEG;
  const s = Math.sin(lat) * Math.sin(dec) + Math.cos(lat) * Math.cos(dec) * Math.cos(h);
  return Math.asin(s < -1 ? -1 : s > 1 ? 1 : s) / DEG;
}

/** Half the day's length (hours) at `latitude` for a declination (degrees): 0 in polar night, 12 in polar day. */
export function halfDayHours(latitude: number, declination: number): number {
  const lat = latitude * DEG, dec = declination * DEG;
  const c = (Math.sin(SUNRISE_ALTITUDE * DEG) - Math.sin(lat) * Math.sin(dec)) /
    (Math.cos(lat) * Math.cos(dec));
  return c <= -1 ? 12 : c >= 1 ? 0 : Math.acos(c) / DEG / 15;
}

/** Sun events of one local calendar day. */
export interface SunDay {
  /** Sunrise (epoch ms), or null when the sun does not rise that local day. */
  readonly sunrise: number | null;
  /** Sunset (epoch ms), or null when the sun does not set that local day. */
  readonly sunset: number | null;
  /** Seconds of that local day with the sun's upper limb above the horizon. */
  readonly daylight: number;
  /** First instant of the local day (epoch ms). */
  readonly start: number;
  /** First instant of the next local day (epoch ms). */
  readonly end: number;
}

/** Moon events and phase of one local calendar day. */
export interface MoonDay {
  /** Moonrise (epoch ms), or null when the moon does not rise that local day. */
  readonly moonrise: number | null;
  /** Moonset (epoch ms), or null when the moon does not set that local day. */
  readonly moonset: number | null;
  /** Phase at local noon, 0 to 1: 0 new moon, 0.25 first quarter, 0.5 full, 0.75 last quarter (OpenWeatherMap's convention). */
  readonly phase: number;
  /** Illuminated fraction of the disc at local noon, 0 to 1. */
  readonly illumination: number;
}

/** Where a sun or moon event is seen from. */
export interface Place {
  /** Degrees north. */
  readonly latitude: number;
  /** Degrees east. */
  readonly longitude: number;
  /** IANA time zone of the local calendar days. */
  readonly timezone: string;
}

const sunDays = new Map<string, SunDay>();
const moonDays = new Map<string, MoonDay>();
const MAX_CACHED_DAYS = 100_000;

function event(body: Body, observer: Observer, direction: number, start: number, end: number): number | null {
  const found = SearchRiseSet(body, observer, direction, new Date(start), (end - start) / MS_PER_DAY);
  const ms = found === null ? null : found.date.getTime();
  return ms !== null && ms < end ? ms : null;
}

/**
 * Sunrise, sunset and daylight of a local calendar day ("YYYY-MM-DD" or days since 1970-01-01) at `place`, by
 * astronomy-engine's `SearchRiseSet` (standard refraction, upper limb, sea-level horizon).
 * Cached, since a day's events are looked up by every request that covers it.
 *
 * @example
 * ```ts
 * sunDay({ latitude: -77.84, longitude: 166.69, timezone: "Antarctica/McMurdo" }, dayNumber("2026-12-21"));
 * // { sunrise: null, sunset: null, daylight: 86400, ... }: polar day
 * ```
 */
export function sunDay(place: Place, date: number | string): SunDay {
  const day = typeof date === "string" ? dayNumber(date) : date;
  const key = `${place.latitude}|${place.longitude}|${place.timezone}|${day}`;
  let found = sunDays.get(key);
  if (found === undefined) {
    const start = localMidnight(place.timezone, day), end = localMidnight(place.timezone, day + 1);
    const observer = new Observer(place.latitude, place.longitude, 0);
    const sunrise = event(Body.Sun, observer, +1, start, end);
    const sunset = event(Body.Sun, observer, -1, start, end);
    let daylight: number;
    if (sunrise !== null && sunset !== null) {
      daylight = sunrise < sunset ? sunset - sunrise : (sunset - start) + (end - sunrise);
    } else if (sunrise !== null) {
      daylight = end - sunrise;
    } else if (sunset !== null) {
      daylight = sunset - start;
    } else {
      daylight = solarElevation(place.latitude, place.longitude, (start + end) / 2) > SUNRISE_ALTITUDE
        ? end - start
        : 0;
    }
    found = { sunrise, sunset, daylight: Math.round(daylight / 1000), start, end };
    if (sunDays.size >= MAX_CACHED_DAYS) sunDays.clear();
    sunDays.set(key, found);
  }
  return found;
}

/**
 * Moonrise, moonset and the moon's phase on a local calendar day ("YYYY-MM-DD" or days since
 * 1970-01-01) at `place`, by astronomy-engine. Cached like {@linkcode sunDay}.
 */
export function moonDay(place: Place, date: number | string): MoonDay {
  const day = typeof date === "string" ? dayNumber(date) : date;
  const key = `${place.latitude}|${place.longitude}|${place.timezone}|${day}`;
  let found = moonDays.get(key);
  if (found === undefined) {
    const start = localMidnight(place.timezone, day), end = localMidnight(place.timezone, day + 1);
    const observer = new Observer(place.latitude, place.longitude, 0);
    const noon = new Date((start + end) / 2);
    found = {
      moonrise: event(Body.Moon, observer, +1, start, end),
      moonset: event(Body.Moon, observer, -1, start, end),
      phase: MoonPhase(noon) / 360,
      illumination: Illumination(Body.Moon, noon).phase_fraction,
    };
    if (moonDays.size >= MAX_CACHED_DAYS) moonDays.clear();
    moonDays.set(key, found);
  }
  return found;
}

/** Moon events and phases of consecutive local days, columnar; events in epoch seconds or null. */
export interface MoonSeries {
  /** The local dates, "YYYY-MM-DD". */
  readonly date: readonly string[];
  /** Moonrise, epoch seconds, or null on a day the moon does not rise. */
  readonly moonrise: readonly (number | null)[];
  /** Moonset, epoch seconds, or null on a day the moon does not set. */
  readonly moonset: readonly (number | null)[];
  /** Phase at local noon, 0 to 1 (0 new, 0.5 full), as {@linkcode MoonDay}'s. */
  readonly moon_phase: Float64Array;
  /** Illuminated fraction at local noon, 0 to 1. */
  readonly moon_illumination: Float64Array;
}

/**
 * {@linkcode moonDay} for `days` local days from `firstLocalDate`, columnar.
 *
 * @example
 * ```ts
 * moonSeries(tokyo, "2026-11-23", 8).moon_phase[1]; // ≈ 0.5: full moon on 24 November 2026
 * ```
 */
export function moonSeries(place: Place, firstLocalDate: string, days: number): MoonSeries {
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`Cannot make a moon series of "${days}" days: expected an integer from 0`);
  }
  const first = dayNumber(firstLocalDate);
  const date: string[] = [], moonrise: (number | null)[] = [], moonset: (number | null)[] = [];
  const phase = new Float64Array(days), illumination = new Float64Array(days);
  const seconds = (ms: number | null) => ms === null ? null : Math.round(ms / 1000);
  for (let d = 0; d < days; d++) {
    const moon = moonDay(place, first + d);
    date.push(formatDay(first + d));
    moonrise.push(seconds(moon.moonrise));
    moonset.push(seconds(moon.moonset));
    phase[d] = moon.phase;
    illumination[d] = moon.illumination;
  }
  return { date, moonrise, moonset, moon_phase: phase, moon_illumination: illumination };
}
