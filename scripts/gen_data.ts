// Writes a synthetic weather data file of any size, valid for the server and the same for a seed.
//
//   deno run --allow-write scripts/gen_data.ts --cities 100000 --out /tmp/weather-100k.json
//   deno run scripts/gen_data.ts --cities 500 --seed 7 > small.json
//   deno run scripts/gen_data.ts --cities 500 --extras 0.2 > with-aliases.json
import { parseArgs } from "node:util";
import { normalizeCityName } from "../src/city_names.ts";
import type { City, WeatherFile } from "../src/schema.ts";
import { seededRandom } from "../src/mock_controls.ts";
import { WMO_CODES } from "../src/wmo.ts";

const USAGE = "Usage: gen_data.ts [--cities N] [--seed N] [--extras F] [--out PATH] [--help]";
const HELP = `Writes a synthetic weather data file: N invented cities with unique names (also ignoring case
and accents), real time zones and plausible weather; the same N and seed give the same bytes.

${USAGE}

  --cities N   number of cities, 1 to 10000000 (default 1000)
  --seed N     seed of the random draws, an integer (default 1)
  --extras F   fraction of cities, 0 to 1, that also carry elevation, population, admin1 and
               aliases (default 0); the other fields are the same whatever the fraction
  --out PATH   file to write (default: standard output)`;

/**
 * Time zones cities are spread over: zone, ISO country code, and a point near which the city lies.
 * Every zone is one the IANA database has had for decades, so `Intl` knows it everywhere.
 */
const PLACES: readonly (readonly [string, string, number, number])[] = [
  ["Asia/Tokyo", "JP", 36, 138],
  ["Asia/Seoul", "KR", 37, 127.5],
  ["Asia/Shanghai", "CN", 32, 112],
  ["Asia/Kolkata", "IN", 22, 79],
  ["Asia/Jakarta", "ID", -6.5, 107],
  ["Asia/Bangkok", "TH", 15, 101],
  ["Asia/Karachi", "PK", 29, 69],
  ["Asia/Tehran", "IR", 33, 53],
  ["Asia/Dubai", "AE", 24.5, 55],
  ["Asia/Kathmandu", "NP", 28, 84],
  ["Europe/London", "GB", 53, -1.5],
  ["Europe/Paris", "FR", 46.5, 2.5],
  ["Europe/Berlin", "DE", 51, 10],
  ["Europe/Madrid", "ES", 40, -3.7],
  ["Europe/Rome", "IT", 42.5, 12.5],
  ["Europe/Stockholm", "SE", 60, 16],
  ["Europe/Warsaw", "PL", 52, 19],
  ["Europe/Istanbul", "TR", 39, 33],
  ["Atlantic/Reykjavik", "IS", 64.5, -19],
  ["Africa/Cairo", "EG", 27, 30],
  ["Africa/Lagos", "NG", 9, 8],
  ["Africa/Nairobi", "KE", 0, 38],
  ["Africa/Johannesburg", "ZA", -29, 25],
  ["Africa/Casablanca", "MA", 32, -6],
  ["America/New_York", "US", 40, -76],
  ["America/Chicago", "US", 38, -92],
  ["America/Denver", "US", 40, -106],
  ["America/Los_Angeles", "US", 37, -120],
  ["America/Toronto", "CA", 45, -78],
  ["America/Mexico_City", "MX", 20, -100],
  ["America/Bogota", "CO", 4.5, -74],
  ["America/Lima", "PE", -10, -76],
  ["America/Sao_Paulo", "BR", -22, -46],
  ["America/Argentina/Buenos_Aires", "AR", -35, -62],
  ["America/St_Johns", "CA", 48.5, -56],
  ["Australia/Sydney", "AU", -32, 150],
  ["Australia/Perth", "AU", -31, 117],
  ["Pacific/Auckland", "NZ", -39, 175],
  ["Pacific/Honolulu", "US", 20.5, -157],
  ["Antarctica/McMurdo", "AQ", -77.8, 166.7],
];

// Syllables with a few accented letters, so that names exercise the accent-insensitive lookup.
const SYLLABLES = (
  "ka to mi ra sa no be li an dor vel mar qu ti go ber lun sø hä çi né por val zan " +
  "os ri ta ël mon cas ñu um ha ke wi lo pra dis en fu gar ís jo ky ul res sha wan"
).split(" ");
const PREFIXES = ["San ", "Port ", "Nueva ", "Saint-", "Bad ", "Ciudad ", "Nowy ", "Lake ", "Ōku "] as const;
const SUFFIXES = [" Heights", "-sur-Mer", " Springs", "burg", "ville", "pur", " Bay"] as const;
const CODES = [...WMO_CODES.keys()];
const REGION_KINDS = [" Province", " County", " Region", " State", ""] as const;

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** `2026-11-23T20:14:00+09:00`: `instant` as local time in `zone`, with the zone's offset then. */
function localIso(instant: Date, format: Intl.DateTimeFormat): string {
  const parts = format.formatToParts(instant);
  const gmt = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT"; // "GMT+09:00", "GMT-03:30", "GMT"
  const offset = gmt === "GMT" ? "+00:00" : gmt.slice(3);
  const sign = offset.startsWith("-") ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(instant.getTime() + minutes * 60_000).toISOString();
  return `${local.slice(0, 19)}${offset}`;
}

/** Options of {@linkcode generateWeatherFile}. */
export interface GenerateOptions {
  /** Number of cities, at least 1. */
  cities: number;
  /** Seed of the random draws; the same seed and count give the same file. Default 1. */
  seed?: number;
  /** Observations fall in the hour before this instant. Default 2026-11-23T20:00:00Z. */
  observedBefore?: Date;
  /**
   * Fraction of cities, 0 to 1, that also carry `elevation`, `population`, `admin1` and (most of
   * them) `aliases`. Drawn from a stream of their own, so every other field is the same whatever
   * the fraction.
   * @default 0
   */
  extras?: number;
}

/** A word of 2 to 4 syllables, capitalized, sometimes with a prefix or suffix, drawn by `next`. */
function inventWord(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  let name = "";
  const count = 2 + Math.floor(next() * 3);
  for (let i = 0; i < count; i++) name += pick(SYLLABLES);
  name = name[0]!.toUpperCase() + name.slice(1);
  const extra = next();
  if (extra < 0.15) name = pick(PREFIXES) + name;
  else if (extra < 0.25) name += pick(SUFFIXES);
  return name;
}

/**
 * Gives a `fraction` of `cities` an elevation, a population, a region and 0 to 2 aliases, drawn by
 * `next`. An alias is an invented word or the name with " City"; `seen` holds every lookup key so
 * far (names folded), and aliases that would clash with one are drawn again.
 */
function addExtras(cities: City[], seen: Set<string>, fraction: number, next: () => number): void {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  cities.forEach((city, i) => {
    if (next() >= fraction) return;
    const aliases: string[] = [];
    const count = [0, 1, 1, 1, 2][Math.floor(next() * 5)]!;
    for (let j = 0; j < count; j++) {
      for (let attempt = 0;; attempt++) {
        let alias = next() < 0.3 ? `${city.name} City` : inventWord(next);
        // A dot is in no name and no other numbered alias: the loop ends.
        if (attempt >= 8) alias += ` ${i + 1}.${j + 1}`;
        const key = normalizeCityName(alias);
        if (!seen.has(key)) {
          seen.add(key);
          aliases.push(alias);
          break;
        }
      }
    }
    const { current, ...place } = city;
    cities[i] = {
      ...place,
      elevation: Math.round(next() ** 2 * 2600) - 10,
      population: Math.round(10 ** (3 + next() * 4)),
      admin1: inventWord(next) + pick(REGION_KINDS),
      aliases,
      current,
    };
  });
}

/**
 * Invents a valid weather data file: unique names and aliases (also when compared ignoring case
 * and accents), real IANA zones with matching country codes and UTC offsets, WMO codes with their
 * conditions, and values inside the schema's bounds. Deterministic for a seed.
 */
export function generateWeatherFile(options: GenerateOptions): WeatherFile {
  if (!Number.isInteger(options.cities) || options.cities < 1) {
    throw new RangeError(`Invalid city count ${options.cities}: expected a positive integer`);
  }
  const extras = options.extras ?? 0;
  if (!(extras >= 0 && extras <= 1)) {
    throw new RangeError(`Invalid extras fraction ${extras}: expected a number from 0 to 1`);
  }
  const next = seededRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const end = (options.observedBefore ?? new Date("2026-11-23T20:00:00Z")).getTime();
  const formats = new Map<string, Intl.DateTimeFormat>();
  const seen = new Set<string>();
  const cities: City[] = [];

  function inventName(): string {
    for (let attempt = 0;; attempt++) {
      let name = inventWord(next);
      // Numbering, rare below a million cities, guarantees the loop ends: no other name has a digit.
      if (attempt >= 8) name += ` ${cities.length + 1}`;
      const key = normalizeCityName(name);
      if (!seen.has(key)) {
        seen.add(key);
        return name;
      }
    }
  }

  for (let i = 0; i < options.cities; i++) {
    const [timezone, country, lat, lon] = pick(PLACES);
    const latitude = round(clamp(lat + (next() - 0.5) * 8, -90, 90), 4);
    const longitude = round(clamp(lon + (next() - 0.5) * 8, -180, 180), 4);
    const temperature = round(clamp(30 - 0.6 * Math.abs(latitude) + (next() - 0.5) * 16, -60, 50), 1);
    const wind = round(next() * 60, 1);
    const code = pick(CODES);
    let format = formats.get(timezone);
    if (format === undefined) {
      format = new Intl.DateTimeFormat("en-US", { timeZone: timezone, timeZoneName: "longOffset" });
      formats.set(timezone, format);
    }
    const observed = new Date(end - Math.floor(next() * 60) * 60_000);
    cities.push({
      name: inventName(),
      country,
      latitude,
      longitude,
      timezone,
      current: {
        temperature,
        feels_like: round(temperature - wind / 8 + (next() - 0.5) * 2, 1),
        humidity: Math.round(10 + next() * 90),
        wind_speed: wind,
        wind_direction: Math.floor(next() * 360),
        pressure: round(975 + next() * 65, 1),
        condition: WMO_CODES.get(code)!,
        weather_code: code,
        observed_at: localIso(observed, format),
      },
    });
  }
  if (extras > 0) addExtras(cities, seen, extras, seededRandom((options.seed ?? 1) ^ 0x5bd1e995));
  return { cities };
}

/** The file's text: two-space indented, as the bundled `data/weather.json`, with a final newline. */
export function formatWeatherFile(file: WeatherFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}

function parseCount(text: string, what: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new RangeError(
      `Invalid ${what} ${JSON.stringify(text)}: expected an integer from ${min} to ${max}`,
    );
  }
  return Number(text);
}

function parseFraction(text: string): number {
  if (!/^(?:0|1|0?\.\d+|1\.0*)$/.test(text)) {
    throw new RangeError(`Invalid extras fraction ${JSON.stringify(text)}: expected a number from 0 to 1`);
  }
  return Number(text);
}

async function main(args: string[]): Promise<number> {
  let options: GenerateOptions & { out?: string };
  try {
    const { values } = parseArgs({
      args,
      options: {
        cities: { type: "string", default: "1000" },
        seed: { type: "string", default: "1" },
        extras: { type: "string", default: "0" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    });
    if (values.help) return console.log(HELP), 0;
    options = {
      cities: parseCount(values.cities, "city count", 1, 10_000_000),
      seed: parseCount(values.seed, "seed", -(2 ** 31), 2 ** 32 - 1),
      extras: parseFraction(values.extras),
      out: values.out,
    };
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const text = formatWeatherFile(generateWeatherFile(options));
  if (options.out === undefined) {
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
    return 0;
  }
  await Deno.writeTextFile(options.out, text);
  console.error(`Wrote ${options.cities} cities (seed ${options.seed}) to ${options.out}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
