// Open-Meteo's geocoding API, `GET /v1/search`, over the cities of a dataset: the same parameters,
// the same matching in spirit (exact names first, then prefixes, then near misses), and the same
// bytes as Open-Meteo's proto3 JSON: its field order, empty fields left out, float32 numbers.
import { fnv1a, placeIds } from "../city_ids.ts";
import { editDistance, normalizeCityName } from "../city_names.ts";
import { float32Text } from "../model/places.ts";
import type { Dataset } from "../dataset.ts";
import { LruCache } from "../lru_cache.ts";
import { contentTag, type Representation } from "../http.ts";
import { cachedJson } from "../openapi.ts";
import { BadParameterError } from "../problem.ts";
import { textParameter } from "../query_parameters.ts";
import type { QueryParameter, Route } from "../routes.ts";
import type { City } from "../schema.ts";
import { openMeteoErrorBody } from "./open_meteo_errors.ts";

/** Most answers of `/v1/search` kept per dataset. */
export const MAX_CACHED_SEARCHES = 2_000;

/** Most places one answer holds (`count`), as Open-Meteo allows. */
export const MAX_SEARCH_COUNT = 100;

/**
 * The GeoNames feature code of every place: a populated place. The data does not say which city is
 * a capital ("PPLC"), and the most populous city of a country often is not.
 */
export const FEATURE_CODE = "PPL";

/**
 * `generationtime_ms` of an answer: a plausible time from 0.15 to 1 ms, derived from the query's
 * cache key so that the same question always gets the same bytes.
 */
export function generationTime(key: string): string {
  return float32Text(0.15 + (fnv1a(key) / 2 ** 32) * 0.85);
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** One place's JSON, in Open-Meteo's field order, fields of value 0 or "" left out. */
function placeJson(city: City, id: number): string {
  const fields: [string, string | undefined][] = [
    ["id", String(id)],
    ["name", JSON.stringify(city.name)],
    ["latitude", city.latitude === 0 ? undefined : float32Text(city.latitude)],
    ["longitude", city.longitude === 0 ? undefined : float32Text(city.longitude)],
    ["elevation", city.elevation ? float32Text(city.elevation) : undefined],
    ["feature_code", JSON.stringify(FEATURE_CODE)],
    ["country_code", JSON.stringify(city.country)],
    ["timezone", JSON.stringify(city.timezone)],
    ["population", city.population ? String(city.population) : undefined],
    ["country", JSON.stringify(countryName(city.country))],
    ["admin1", city.admin1 ? JSON.stringify(city.admin1) : undefined],
  ];
  const members = fields.flatMap(([name, value]) => value === undefined ? [] : [`"${name}":${value}`]);
  return `{${members.join(",")}}`;
}

function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** What a dataset's searches share: keys sorted for prefix search, ids, place bodies, answers. */
interface SearchIndex {
  /** Every name and alias key, sorted by UTF-16 unit. */
  readonly keys: readonly string[];
  /** The city of `keys[i]`. */
  readonly cityOfKey: Uint32Array;
  /** Each city's keys, for the distance of a near miss. */
  readonly keysOfCity: readonly (readonly string[])[];
  readonly ids: Uint32Array;
  /** Each city's JSON, built on first use. */
  readonly places: (string | undefined)[];
  /** Lookup keys of each city's country code, country name and admin1, for "Name, Area". */
  readonly areas: readonly (readonly string[])[];
  readonly answers: LruCache<string, Representation>;
}

const indexes = new WeakMap<Dataset, SearchIndex>();

function searchIndex(data: Dataset): SearchIndex {
  let index = indexes.get(data);
  if (index !== undefined) return index;
  const keysOfCity = data.cities.map((city) => [city.name, ...city.aliases ?? []].map(normalizeCityName));
  const entries = keysOfCity.flatMap((keys, city) => keys.map((key) => ({ key, city })));
  entries.sort((x, y) => x.key < y.key ? -1 : x.key > y.key ? 1 : x.city - y.city);
  index = {
    keys: entries.map(({ key }) => key),
    cityOfKey: Uint32Array.from(entries, ({ city }) => city),
    keysOfCity,
    ids: placeIds(data.cities),
    places: [],
    areas: data.cities.map((city) =>
      [city.country, countryName(city.country), city.admin1 ?? ""].map(normalizeCityName).filter(Boolean)
    ),
    answers: new LruCache(MAX_CACHED_SEARCHES),
  };
  indexes.set(data, index);
  return index;
}

/** A search as `/v1/search` reads it. */
export interface SearchQuery {
  /** The `name` parameter as given: a name, optionally ", " and an area. */
  readonly name: string;
  /** Most places to answer, 1 to {@linkcode MAX_SEARCH_COUNT}. */
  readonly count: number;
  /** ISO 3166-1 alpha-2 code the places must have, any case; undefined for any. */
  readonly countryCode?: string;
}

/** A city found, and how well: 0 an exact name or alias, 1 a prefix, 2 + edit distance a near miss. */
interface Match {
  readonly city: number;
  readonly rank: number;
}

/**
 * The positions in `data` of the cities `query` finds, best first: exact names and aliases, then
 * names and aliases the query starts (3 characters or more), each ordered by population, most
 * first; only when neither finds any, names one edit from the query (two from 8 characters). Case, accents and
 * extra white space are ignored. "Name, Area" keeps the cities whose country code, English country
 * name or admin1 is Area.
 *
 * @example
 * ```ts
 * searchCities(bundled, { name: "Bombay", count: 10 }); // [3], Mumbai
 * ```
 */
export function searchCities(data: Dataset, query: SearchQuery): number[] {
  const { name, area } = splitName(query.name);
  if (name.length < 2) return [];
  const index = searchIndex(data);
  const country = query.countryCode?.toUpperCase();
  const keep = (city: number) =>
    (country === undefined || data.cities[city]!.country === country) &&
    (area === "" || index.areas[city]!.includes(area));
  const best = new Map<number, number>();
  const { keys, cityOfKey } = index;
  let low = 0, high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! < name) low = middle + 1;
    else high = middle;
  }
  for (let at = low; at < keys.length && keys[at]!.startsWith(name); at++) {
    const rank = keys[at] === name ? 0 : 1;
    if (rank === 1 && name.length < 3) break;
    const city = cityOfKey[at]!;
    if (keep(city) && (best.get(city) ?? Infinity) > rank) best.set(city, rank);
  }
  if (best.size === 0 && name.length >= 3) {
    // The suggestions' threshold is meant for "did you mean" and lets "lima" reach "la": keep the
    // near misses of one edit, or two in a name of 8 characters or more.
    const threshold = name.length >= 8 ? 2 : 1;
    for (const suggestion of data.index.suggest(name, data.cities.length)) {
      const city = data.index.find(suggestion)!;
      if (!keep(city)) continue;
      const distance = Math.min(...index.keysOfCity[city]!.map((key) => editDistance(name, key)));
      if (distance <= threshold) best.set(city, 2 + distance);
    }
  }
  const matches: Match[] = [...best].map(([city, rank]) => ({ city, rank }));
  const population = (city: number) => data.cities[city]!.population ?? 0;
  matches.sort((x, y) => x.rank - y.rank || population(y.city) - population(x.city) || x.city - y.city);
  return matches.slice(0, query.count).map(({ city }) => city);
}

/** The name and the first area of "Name, Area, ...", as lookup keys. */
function splitName(text: string): { name: string; area: string } {
  const comma = text.indexOf(",");
  if (comma === -1) return { name: normalizeCityName(text), area: "" };
  const next = text.indexOf(",", comma + 1);
  return {
    name: normalizeCityName(text.slice(0, comma)),
    area: normalizeCityName(text.slice(comma + 1, next === -1 ? undefined : next)),
  };
}

const encoder = new TextEncoder();

/**
 * The body of `/v1/search` for `query` over `data`, built on first use and then kept, at most
 * {@linkcode MAX_CACHED_SEARCHES} answers per dataset.
 */
export function searchAnswer(data: Dataset, query: SearchQuery): Representation {
  const index = searchIndex(data);
  const { name, area } = splitName(query.name);
  const key = `${name}\u0000${area}\u0000${query.count}\u0000${query.countryCode?.toUpperCase() ?? ""}`;
  return index.answers.get(key, () => {
    const cities = searchCities(data, query);
    const places = cities.map((city) =>
      index.places[city] ??= placeJson(data.cities[city]!, index.ids[city]!)
    );
    const results = places.length === 0 ? "" : `"results":[${places.join(",")}],`;
    const text = `{${results}"generationtime_ms":${generationTime(key)}}`;
    return { body: encoder.encode(text), etag: `"${contentTag(text)}"` };
  });
}

/** The last of a parameter's values, as Open-Meteo's query decoder reads a repeated one. */
const lastOf = (values: readonly string[]) => values[values.length - 1];

const NAME_PARAMETER: QueryParameter<string> = {
  name: "name",
  description: "Place to search for, optionally followed by a comma and a country code, country or " +
    'admin1 to keep ("Paris, FR"); case, accents and extra white space are ignored; fewer than 2 ' +
    "characters find nothing",
  required: true,
  schema: { type: "string" },
  parse(values) {
    const value = lastOf(values);
    if (value !== undefined) return value;
    throw new BadParameterError(
      "bad_parameter",
      "No value found (expected type 'String') at path 'name'. No String was found at 'name'.",
    );
  },
};

const COUNT_PARAMETER: QueryParameter<number> = {
  name: "count",
  description: `Most places to answer, 1 to ${MAX_SEARCH_COUNT}`,
  required: false,
  schema: { type: "integer", minimum: 1, maximum: MAX_SEARCH_COUNT, default: 10 },
  parse(values) {
    const value = lastOf(values);
    if (value === undefined) return 10;
    // Swift's Int(): an optional sign and decimal digits, within 64 bits.
    if (!/^[+-]?\d{1,18}$/.test(value)) {
      throw new BadParameterError(
        "bad_parameter",
        "Value was not of type 'Int' at path 'count'. Data found at 'count' was not Int.",
      );
    }
    const count = Number(value);
    if (count >= 1 && count <= MAX_SEARCH_COUNT) return count;
    throw new BadParameterError("bad_parameter", "Parameter count must be between 1 and 100.");
  },
};

const FORMAT_PARAMETER: QueryParameter<"json"> = {
  name: "format",
  description: "json; this server does not answer protobuf",
  required: false,
  schema: { type: "string", enum: ["json"], default: "json" },
  parse(values) {
    const value = lastOf(values);
    if (value === undefined || value === "json") return "json";
    throw new BadParameterError(
      "bad_parameter",
      value === "protobuf"
        ? "This server answers format=json only, not protobuf."
        : `Unknown format ${JSON.stringify(value)}: expected json.`,
    );
  },
};

/** A parameter taken as any text, or undefined when absent. */
const lastText = (name: string, description: string) => textParameter(name, description, "last");

const SEARCH_PARAMETERS = {
  name: NAME_PARAMETER,
  count: COUNT_PARAMETER,
  language: lastText("language", "Any language code; places are named in English whatever it is"),
  countryCode: lastText(
    "countryCode",
    "ISO 3166-1 alpha-2 code the places must have, in any case; other text finds nothing",
  ),
  format: FORMAT_PARAMETER,
  apikey: lastText("apikey", "Accepted and ignored, as by Open-Meteo's customer servers"),
};

/** `GET /v1/search`: Open-Meteo's geocoding search over the data's cities. */
export const SEARCH_ROUTE: Route<typeof SEARCH_PARAMETERS> = {
  path: "/v1/search",
  operationId: "openMeteoSearch",
  summary: "Open-Meteo's geocoding search: the cities a name finds, in Open-Meteo's JSON",
  api: true,
  query: SEARCH_PARAMETERS,
  ok: cachedJson("GeocodingSearch", "The places found, best first; no `results` when none is"),
  conditional: true,
  errors: ["bad_parameter"],
  errorBody: openMeteoErrorBody,
  errorSchema: "OpenMeteoError",
  answer: ({ data }, { name, count, countryCode }) => ({
    kind: "representation",
    representation: searchAnswer(data, { name, count, countryCode }),
    lastModified: data.lastModified,
  }),
};
