/**
 * Stable numeric ids of the data file's cities, for the dialects whose APIs number places
 * (Open-Meteo's geocoding, OpenWeatherMap's city ids): the same city has the same id in any data
 * file and process.
 * @module
 */

import { normalizeCityName } from "./city_names.ts";
import type { City } from "./schema.ts";

/** FNV-1a, 32 bits, over the UTF-16 units of `text`. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The identity of a city that its id derives from: its country and its name's lookup key. */
const identityOf = (city: City) => `${city.country}\u0000${normalizeCityName(city.name)}`;

/** The `attempt`th candidate id of a city identity: 1,000,000 to 9,999,999, like a GeoNames id. */
const candidateId = (identity: string, attempt: number) =>
  1_000_000 + fnv1a(attempt === 0 ? identity : `${identity}\u0000${attempt}`) % 9_000_000;

/**
 * The id of each city of `cities`, by position: a hash of its country and normalized name. On a
 * collision the city whose identity sorts first keeps the id and the other takes its next
 * candidate, so ids do not depend on the order of the file.
 *
 * @example
 * ```ts
 * placeIds(dataset.cities)[0]; // Tokyo's id, the same in every process
 * ```
 */
export function placeIds(cities: readonly City[]): Uint32Array {
  const identities = cities.map(identityOf);
  const order = identities.map((_, i) => i).sort((a, b) => {
    const x = identities[a]!, y = identities[b]!;
    return x < y ? -1 : x > y ? 1 : a - b;
  });
  const ids = new Uint32Array(cities.length);
  const taken = new Set<number>();
  for (const i of order) {
    let id, attempt = 0;
    do id = candidateId(identities[i]!, attempt++); while (taken.has(id));
    taken.add(id);
    ids[i] = id;
  }
  return ids;
}
