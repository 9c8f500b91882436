/**
 * Recording: an upstream's weather for every city of a data file, written as a data file that
 * serves that weather offline. Each city keeps its name and metadata; its `current` becomes the
 * upstream's current conditions and its scenarios two series, the upstream's hours and its
 * current 15-minute slot, holding the upstream's numbers unchanged.
 *
 * The file is validated before it is written, and written beside its destination, flushed and
 * renamed over it (`writeFileAtomic` of `atomic_file.ts`): a failed or interrupted recording leaves an
 * existing file as it was.
 * @module
 */

import { parseDataFile } from "./data_file.ts";
import { localIsoTime, utcOffsetSeconds } from "./model/time.ts";
import { HOURLY_VARIABLES, type HourlyVariable, OPEN_METEO_HOURLY } from "./model/variables.ts";
import type { City, Current, WeatherFile } from "./schema.ts";
import {
  type FetchUpstreamOptions,
  fetchUpstreamWeather,
  UpstreamError,
  type UpstreamWeather,
} from "./upstream.ts";
import { WMO_CODES } from "./wmo.ts";

/** A series scenario of the data file: values from `from` every `step_minutes`, null where unknown. */
export interface SeriesScenario {
  /** The first value's instant, ISO 8601 UTC, on the hour or quarter hour. */
  readonly from: string;
  /** Minutes between values. */
  readonly step_minutes: 15 | 60;
  /** Each hourly variable's values, all of one length. */
  readonly series: Readonly<Record<HourlyVariable, readonly (number | null)[]>>;
}

/** A city as recorded: its metadata, the upstream's current conditions, and its weather as series. */
export type RecordedCity = Omit<City, "current" | "scenarios"> & {
  readonly current: Current;
  readonly scenarios: readonly SeriesScenario[];
};

/** An instant as the data file's series write it: "2026-11-22T00:00:00Z". */
const utcText = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * `city` with the upstream's weather: `current` from its current conditions (observed at the
 * slot's start, in the city's zone), and scenarios of its hours and its current slot. Throws
 * {@linkcode UpstreamError} (kind "invalid") when the current conditions lack a value the data
 * file's `current` needs.
 */
export function recordedCity(city: City, weather: UpstreamWeather): RecordedCity {
  const now = weather.current.values;
  const need = (variable: HourlyVariable): number => {
    const value = now[variable];
    if (value === undefined) {
      throw new UpstreamError(
        `The upstream's answer has no current ${OPEN_METEO_HOURLY[variable]}`,
        "invalid",
      );
    }
    return value;
  };
  const code = need("weather_code");
  const time = weather.current.time;
  const current: Current = {
    temperature: need("temperature"),
    feels_like: need("apparent_temperature"),
    humidity: need("relative_humidity"),
    wind_speed: need("wind_speed"),
    wind_direction: need("wind_direction"),
    pressure: need("pressure_msl"),
    condition: WMO_CODES.get(code)!,
    weather_code: code as Current["weather_code"],
    observed_at: localIsoTime(time, utcOffsetSeconds(city.timezone, time), true),
  };
  const hours = {} as Record<HourlyVariable, (number | null)[]>;
  const slot = {} as Record<HourlyVariable, (number | null)[]>;
  for (const variable of HOURLY_VARIABLES) {
    hours[variable] = Array.from(weather.hourly.values[variable]!, (x) => Number.isNaN(x) ? null : x);
    slot[variable] = [now[variable] ?? null];
  }
  const { current: _, scenarios: __, ...metadata } = city;
  return {
    ...metadata,
    current,
    scenarios: [
      { from: utcText(weather.hourly.start), step_minutes: 60, series: hours },
      { from: utcText(time), step_minutes: 15, series: slot },
    ],
  };
}

/** A city that could not be recorded, and why. */
export interface FailedCity {
  /** The city's name. */
  readonly name: string;
  /** What went wrong, as a sentence. */
  readonly reason: string;
  /** True when the upstream could not be talked to at all (connection, timeout, permission). */
  readonly network: boolean;
  /** True when it was not asked for: the recording stopped before it. */
  readonly skipped: boolean;
}

/** One city done, as {@linkcode RecordOptions.onCity} hears of it. */
export interface CityDone {
  /** The city's name. */
  readonly name: string;
  /** Cities done so far, this one included. */
  readonly done: number;
  /** Cities in all. */
  readonly total: number;
  /** Why it failed, or undefined when it was recorded. */
  readonly failure: FailedCity | undefined;
}

/**
 * Options of {@linkcode recordCities}: the upstream's (`timeoutMs` @default {@linkcode RECORD_TIMEOUT_MS}),
 * and how many requests at once.
 */
export interface RecordOptions extends Omit<FetchUpstreamOptions, "beforeAttempt" | "onAttempt"> {
  /** Requests in flight at most. @default 4 */
  concurrency?: number;
  /** Told of each city as it is done (skipped cities are not told). @default none */
  onCity?: (done: CityDone) => void;
}

/** What a recording brought. */
export interface RecordOutcome {
  /** The cities recorded, in the file's order. */
  readonly recorded: readonly RecordedCity[];
  /** The cities not recorded, in the file's order. */
  readonly failed: readonly FailedCity[];
  /** True when nothing was recorded and every city failed to reach the upstream. */
  readonly unreachable: boolean;
}

/** Longest `Retry-After` a recording waits for: beyond it, it stops asking. */
const MAX_RECORD_RETRY_AFTER_MS = 60_000;
/**
 * Milliseconds a recording's attempt may take: more than a server's, which has a client waiting,
 * as a batch may queue at a busy upstream.
 */
export const RECORD_TIMEOUT_MS = 10_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Fetches the weather of every city of `file` from the upstream at `base`, `concurrency` at a
 * time, and returns the cities recorded and those that failed. Politeness: when the upstream asks
 * to wait (`Retry-After`, up to a minute), every request waits; for longer, or when the first
 * cities cannot reach it at all, the cities not yet asked for are skipped. Never throws for the
 * upstream's failures: they are the outcome.
 */
export async function recordCities(
  file: WeatherFile,
  base: string | URL,
  options: RecordOptions = {},
): Promise<RecordOutcome> {
  const cities = file.cities;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const results: (RecordedCity | FailedCity | undefined)[] = new Array(cities.length);
  let next = 0, done = 0, recorded = 0;
  let pausedUntil = 0;
  let stop: { reason: string; network: boolean } | undefined;
  const fetchOptions: FetchUpstreamOptions = {
    maxRetryAfterMs: MAX_RECORD_RETRY_AFTER_MS,
    timeoutMs: RECORD_TIMEOUT_MS,
    ...options,
    sleep,
    now,
    async beforeAttempt() {
      const wait = pausedUntil - now();
      if (wait > 0) await sleep(wait);
    },
    onAttempt(error) {
      if (error?.retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, now() + error.retryAfterMs);
    },
  };
  const worker = async () => {
    while (stop === undefined && next < cities.length) {
      const index = next++;
      const city = cities[index]!;
      let failure: FailedCity | undefined;
      try {
        const weather = await fetchUpstreamWeather(base, city.latitude, city.longitude, fetchOptions);
        results[index] = recordedCity(city, weather);
        recorded++;
      } catch (error) {
        const network = error instanceof UpstreamError && error.network;
        const reason = error instanceof Error ? error.message : String(error);
        failure = { name: city.name, reason, network, skipped: false };
        results[index] = failure;
        const asked = error instanceof UpstreamError ? error.retryAfterMs ?? 0 : 0;
        // Cities not yet asked for are skipped when the upstream wants no requests for long, or
        // cannot be reached and never could.
        if (asked > MAX_RECORD_RETRY_AFTER_MS || (network && recorded === 0)) {
          stop = { reason: `Not asked: ${reason.replace(/^\w/, (c) => c.toLowerCase())}`, network };
        }
      }
      options.onCity?.({ name: city.name, done: ++done, total: cities.length, failure });
    }
  };
  const concurrency = options.concurrency ?? 4;
  await Promise.all(Array.from({ length: Math.min(concurrency, cities.length) }, worker));
  const failed: FailedCity[] = [];
  const kept: RecordedCity[] = [];
  cities.forEach((city, i) => {
    const result = results[i] ??
      { name: city.name, reason: stop!.reason, network: stop!.network, skipped: true };
    if ("reason" in result) failed.push(result);
    else kept.push(result);
  });
  return { recorded: kept, failed, unreachable: kept.length === 0 && failed.every((city) => city.network) };
}

// --- The file -----------------------------------------------------------------------------------

/**
 * JSON in the data file's layout: two-space indentation, and arrays of numbers on one line, so
 * that a series of 400 values is one line rather than 400.
 */
function layout(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => item === null || typeof item === "number")) {
      return `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    }
    const inner = indent + "  ";
    return `[\n${value.map((item) => inner + layout(item, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const inner = indent + "  ";
    const members = Object.entries(value).filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${inner}${JSON.stringify(key)}: ${layout(member, inner)}`);
    return members.length === 0 ? "{}" : `{\n${members.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * The text of the data file of `cities`, with the `$schema` of `file`, validated as the server
 * validates a data file (`label` names it in errors): throws `TypeError` when it would not load.
 */
export function recordedFileText(file: WeatherFile, cities: readonly RecordedCity[], label: string): string {
  const text = `${layout({ $schema: file.$schema, cities }, "")}\n`;
  parseDataFile(text, label);
  return text;
}
