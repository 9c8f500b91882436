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
  /** Lookup by normalized name or alias, and suggestions for misses. */
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
 * Most city bodies a dataset keeps. Each costs about 2.5 KB with its compressed variants and the
 * handler's response templates, so a client walking through 100,000 cities in three unit systems
 * would otherwise pin 700 MB; 10,000 keep that under 30 MB and any usual working set whole.
 */
export const MAX_CACHED_BODIES = 10_000;

/**
 * The city bodies built so far, by slot (unit system × city), at most {@linkcode MAX_CACHED_BODIES}
 * of them. Eviction is the CLOCK approximation of least recently used: a hit only sets a bit.
 */
class BodyCache {
  readonly #bodies: (Representation | undefined)[];
  readonly #used: Uint8Array;
  readonly #ring: number[] = [];
  #hand = 0;

  constructor(cities: number) {
    this.#bodies = new Array(cities * UNIT_SYSTEMS.length);
    this.#used = new Uint8Array(cities * UNIT_SYSTEMS.length);
  }

  get(slot: number): Representation | undefined {
    const body = this.#bodies[slot];
    if (body !== undefined) this.#used[slot] = 1;
    return body;
  }

  add(slot: number, body: Representation): Representation {
    if (this.#ring.length < MAX_CACHED_BODIES) this.#ring.push(slot);
    else {
      // Sweep past the bodies used since the hand last passed them, clearing their bits.
      for (; this.#used[this.#ring[this.#hand]!] === 1; this.#hand = (this.#hand + 1) % MAX_CACHED_BODIES) {
        this.#used[this.#ring[this.#hand]!] = 0;
      }
      this.#bodies[this.#ring[this.#hand]!] = undefined;
      this.#ring[this.#hand] = slot;
      this.#hand = (this.#hand + 1) % MAX_CACHED_BODIES;
    }
    this.#bodies[slot] = body;
    return body;
  }
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
  const bodies = new BodyCache(cities.length);
  return Promise.resolve({
    cities,
    index: new CityNameIndex(cities.map((city) => city.name), cities.map((city) => city.aliases)),
    version: contentHash(bytes),
    loadedAt,
    lastModified: loadedAt.toUTCString(),
    source,
    fileName: fileNameOf(source),
    cityList: jsonRepresentation({ cities: cities.map((city) => city.name) }),
    cityWeather(index, units) {
      const slot = UNIT_SYSTEMS.indexOf(units) * cities.length + index;
      return bodies.get(slot) ?? bodies.add(slot, jsonRepresentation(cityWeather(cities[index]!, units)));
    },
  });
}

/** Reads, validates and indexes the data file at `path` (errors as {@linkcode readDataFile}). */
export async function loadDataset(path: string | URL): Promise<Dataset> {
  const { file, bytes } = await readDataFile(path);
  const label = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  const dataset = await createDataset(file, bytes, label);
  // Hand the file's buffer back now (detaching it frees its memory) rather than at a garbage
  // collection that an idle server may not run for a long while: 50 MB for 100,000 cities.
  bytes.buffer.transfer(0);
  return dataset;
}
