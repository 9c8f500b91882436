import { CityNameIndex } from "./city_names.ts";
import { readDataFile } from "./data_file.ts";
import type { City, WeatherFile } from "./schema.ts";
import { METRIC_UNITS } from "./schema.ts";

const encoder = new TextEncoder();

/**
 * One validated version of the weather data, with everything a request needs precomputed:
 * the city list body, lookup keys and a content hash. Immutable; a reload makes a new one.
 */
export interface Dataset {
  /** The cities in data-file order. */
  readonly cities: readonly City[];
  /** Lookup by normalized name, and suggestions for misses. */
  readonly index: CityNameIndex;
  /** Hex SHA-256 prefix of the data file's bytes; changes whenever the content does. */
  readonly version: string;
  /** When this version was loaded. */
  readonly loadedAt: Date;
  /** Where the data came from, for messages. */
  readonly source: string;
  /** The last part of `source`, safe to show to clients. */
  readonly fileName: string;
  /** `{"cities": [...names]}` as UTF-8 JSON. */
  readonly citiesBody: Uint8Array;
  /** The weather body of the city at position `index`, built once and then reused. */
  cityBody(index: number): Uint8Array;
}

async function contentHash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Builds a {@linkcode Dataset} from a validated file and the bytes it was parsed from. */
export async function createDataset(
  file: WeatherFile,
  bytes: Uint8Array<ArrayBuffer>,
  source: string,
  loadedAt: Date = new Date(),
): Promise<Dataset> {
  const cities = file.cities;
  const names = cities.map((city) => city.name);
  const bodies = new Array<Uint8Array | undefined>(cities.length);
  return {
    cities,
    index: new CityNameIndex(names),
    version: await contentHash(bytes),
    loadedAt,
    source,
    fileName: source.slice(Math.max(source.lastIndexOf("/"), source.lastIndexOf("\\")) + 1),
    citiesBody: encoder.encode(JSON.stringify({ cities: names })),
    cityBody(index) {
      return bodies[index] ??= encoder.encode(JSON.stringify({ ...cities[index]!, units: METRIC_UNITS }));
    },
  };
}

/** Reads, validates and indexes the data file at `path` (errors as {@linkcode readDataFile}). */
export async function loadDataset(path: string | URL): Promise<Dataset> {
  const { file, bytes } = await readDataFile(path);
  const label = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  return createDataset(file, bytes as Uint8Array<ArrayBuffer>, label);
}
