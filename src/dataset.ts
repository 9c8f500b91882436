import { createHash } from "node:crypto";
import { CityNameIndex } from "./city_names.ts";
import { readDataFile } from "./data_file.ts";
import { jsonRepresentation, type Representation } from "./http.ts";
import type { City, WeatherFile } from "./schema.ts";
import { cityWeather, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";

/**
 * One validated version of the weather data, with everything a request needs precomputed:
 * bodies and their entity tags, lookup keys, a content hash. Immutable; a reload makes a new one.
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
  /** `loadedAt` as an HTTP date, for `Last-Modified`. */
  readonly lastModified: string;
  /** Where the data came from, for messages. */
  readonly source: string;
  /** The last part of `source`, safe to show to clients. */
  readonly fileName: string;
  /** `{"cities": [...names]}`. */
  readonly cityList: Representation;
  /** The weather of the city at position `index` in `units`, built on first use and then reused. */
  cityWeather(index: number, units: UnitSystem): Representation;
}

// node:crypto hashes the bytes where they are; crypto.subtle.digest first copies them, which for
// a 50 MB file is 50 MB more at the peak of a load, and takes longer.
function contentHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

function fileNameOf(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/**
 * Builds a {@linkcode Dataset} from a validated file and the bytes it was parsed from. The work is
 * synchronous; the promise is kept so that callers need not change.
 */
export function createDataset(
  file: WeatherFile,
  bytes: Uint8Array<ArrayBuffer>,
  source: string,
  loadedAt: Date = new Date(),
): Promise<Dataset> {
  const cities = file.cities;
  // Bodies are built lazily: a 100,000-city file should not pay for 300,000 bodies up front.
  const bodies = Object.fromEntries(
    UNIT_SYSTEMS.map((units) => [units, new Array<Representation | undefined>(cities.length)]),
  ) as Record<UnitSystem, (Representation | undefined)[]>;
  return Promise.resolve({
    cities,
    index: new CityNameIndex(cities.map((city) => city.name)),
    version: contentHash(bytes),
    loadedAt,
    lastModified: loadedAt.toUTCString(),
    source,
    fileName: fileNameOf(source),
    cityList: jsonRepresentation({ cities: cities.map((city) => city.name) }),
    cityWeather(index, units) {
      return bodies[units][index] ??= jsonRepresentation(cityWeather(cities[index]!, units));
    },
  });
}

/** Reads, validates and indexes the data file at `path` (errors as {@linkcode readDataFile}). */
export async function loadDataset(path: string | URL): Promise<Dataset> {
  const { file, bytes } = await readDataFile(path);
  const label = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  return createDataset(file, bytes as Uint8Array<ArrayBuffer>, label);
}
