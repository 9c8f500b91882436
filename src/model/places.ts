/**
 * Places: any latitude and longitude as a place the weather model answers for, as Open-Meteo's
 * `/v1/forecast` answers for any coordinates.
 *
 * A point is snapped to the grid cell Open-Meteo's best_match would report ({@linkcode snapToCell}).
 * Then, in order:
 * 1. The data city nearest the point, if within {@linkcode MATCH_RADIUS_KM}: a city asked for by its
 *    own coordinates, rounded as clients and geocoders round them, is that city.
 * 2. Else the data city whose own coordinates snap to the same cell (the one nearest the cell's
 *    centre): Open-Meteo answers every point of a cell alike.
 * 3. Else a synthetic city at the cell's centre, whose `current` blends the nearest data cities'
 *    with the model's own climate (see {@linkcode createPlaces}).
 * A data city is the very `City` object of the data, so the model answers exactly its `current`.
 * @module
 */

import tzlookup from "@photostructure/tz-lookup";
import KDBush from "kdbush";
import { around, distance } from "geokdbush";
import type { Dataset } from "../dataset.ts";
import type { City, Current } from "../schema.ts";
import { WMO_CODES } from "../wmo.ts";
import { climateConditions, climateTemperature, type ModelCity, wetnessOfCode } from "./forecast.ts";
import { clamp, smoothstep } from "./noise.ts";
import { apparentTemperature, CODE_REQUIREMENTS, roundTo } from "./physics.ts";
import { localIsoTime, slotOf, toEpochMs, utcOffsetSeconds } from "./time.ts";

/** A grid cell's centre, in float32 values as Open-Meteo reports them. */
export interface Cell {
  /** Degrees north. */
  readonly latitude: number;
  /** Degrees east. */
  readonly longitude: number;
}

/** A point as the model answers for it: a data city, or a synthetic one for its grid cell. */
export interface Place {
  /** The city the model answers for: the data's own `City` object, or a synthetic city. */
  readonly city: ModelCity;
  /** Index of `city` in the data, or `undefined` for a synthetic city. */
  readonly dataIndex: number | undefined;
  /** The grid cell of the requested point ({@linkcode snapToCell}), as Open-Meteo reports it. */
  readonly cell: Cell;
  /** IANA zone of the model's local days: the data city's, else tz-lookup's at the requested point. */
  readonly timezone: string;
  /** Metres above sea level the model uses for `city`. */
  readonly elevation: number;
}

/** Coordinates answered as places, built once per dataset. */
export interface Places {
  /**
   * The place of a point for a seed (unsigned 32-bit) and clock: the same object for the same
   * synthetic cell, zone, seed and 15-minute slot while it stays in the cache.
   */
  at(latitude: number, longitude: number, seed: number, now: number | Date): Place;
  /** Number of synthetic places in the cache, at most `maxCached`. */
  readonly cached: number;
  /** The indexes of the data cities within `maxKm` of a point, nearest first, at most `limit`. */
  nearest(latitude: number, longitude: number, limit: number, maxKm: number): number[];
}

/** Options of {@linkcode createPlaces}. */
export interface PlacesOptions {
  /**
   * Most synthetic places kept, least recently used dropped first.
   * @default {PLACE_CACHE_LIMIT}
   */
  maxCached?: number;
}

/** A point this close to a data city (km, great circle) is that city. */
export const MATCH_RADIUS_KM = 1.5;
/** Default most synthetic places a {@linkcode Places} keeps. */
export const PLACE_CACHE_LIMIT = 10_000;
/** Data cities farther than this (km) from a cell take no part in its `current`. */
export const BLEND_RADIUS_KM = 1000;
/** Most data cities that take part in a cell's `current`. */
export const BLEND_NEIGHBOURS = 8;
// The climate counts as much as one data city this far away (km): observations speak for a few
// hundred kilometres around them, the scale of weather systems.
const CLIMATE_DISTANCE_KM = 250;
// Elevations of data cities fade out over this distance (km); sea level counts as one city at 40 km.
const ELEVATION_RADIUS_KM = 100;
const SEA_LEVEL_DISTANCE_KM = 40;
// Spacing (degrees) of the lattice the climate is interpolated on: the model's seeded weather is
// its own for each place, so neighbouring cells take theirs from shared lattice points instead.
const CLIMATE_LATTICE = 2;
const MAX_CLIMATE_POINTS = 4096;
const KM_PER_DEGREE = 111.195;

// ---- Grids -------------------------------------------------------------------------------------

interface Grid {
  readonly latMin: number;
  readonly lonMin: number;
  readonly step: number;
  readonly nx: number;
  readonly ny: number;
  /** Global grids wrap longitude and clamp latitude, as Open-Meteo's `findPointXy`. */
  readonly global: boolean;
}

const f32 = Math.fround;

function grid(latMin: number, lonMin: number, step: number, nx: number, ny: number, global: boolean): Grid {
  return { latMin: f32(latMin), lonMin: f32(lonMin), step: f32(step), nx, ny, global };
}

// Open-Meteo's best_match mix, simplified (open_meteo_spec.md §8): ICON-D2 over central Europe,
// ICON-EU over the rest of Europe, a 0.25° global grid (ECMWF IFS, GFS) elsewhere.
const GRIDS: readonly Grid[] = [
  grid(43.18, -3.94, 0.02, 1215, 746, false),
  grid(29.5, -23.5, 0.0625, 1377, 657, false),
  grid(-90, -180, 0.25, 1440, 721, true),
];

/** `x` rounded half away from zero, as C's `roundf`. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function snapOn(latitude: number, longitude: number): { cell: Cell; grid: Grid } {
  const lat = f32(latitude), lon = f32(longitude);
  for (const g of GRIDS) {
    let x = roundHalfAway(f32(f32(lon - g.lonMin) / g.step));
    let y = roundHalfAway(f32(f32(lat - g.latMin) / g.step));
    if (g.global) {
      x = ((x % g.nx) + g.nx) % g.nx;
      y = Math.min(Math.max(y, 0), g.ny - 1);
    } else if (x < 0 || y < 0 || x >= g.nx || y >= g.ny) continue;
    return {
      cell: { latitude: f32(g.latMin + f32(y * g.step)), longitude: f32(g.lonMin + f32(x * g.step)) },
      grid: g,
    };
  }
  throw new RangeError(`Cannot snap "${latitude},${longitude}" to a grid cell`);
}

/**
 * The grid cell Open-Meteo's best_match reports for a point: float32 arithmetic, rounding half
 * away from zero, on ICON-D2's 0.02° grid inside its box, ICON-EU's 0.0625° grid inside its, else
 * a global 0.25° grid whose longitudes wrap (179.9° is cell -180°). Returns float32 values; the
 * choice of neighbouring cell by elevation (`cell_selection=land`) is not imitated: no terrain here.
 *
 * @example
 * ```ts
 * const cell = snapToCell(52.52, 13.41);
 * float32Text(cell.longitude); // "13.419998", as Open-Meteo answers for Berlin
 * ```
 */
export function snapToCell(latitude: number, longitude: number): Cell {
  checkCoordinates(latitude, longitude);
  return snapOn(latitude, longitude).cell;
}

function checkCoordinates(latitude: number, longitude: number): void {
  if (typeof latitude !== "number" || !(latitude >= -90 && latitude <= 90)) {
    throw new RangeError(`Cannot use latitude "${latitude}": expected a number from -90 to 90`);
  }
  if (typeof longitude !== "number" || !(longitude >= -180 && longitude <= 180)) {
    throw new RangeError(`Cannot use longitude "${longitude}": expected a number from -180 to 180`);
  }
}

// ---- Printing float32 --------------------------------------------------------------------------

const bits = new Float32Array(1);
const word = new Uint32Array(bits.buffer);

/** The float32 next to positive float32 `x`, away from zero (`up`) or towards it. */
function nextFloat32(x: number, up: boolean): number {
  bits[0] = x;
  word[0] = word[0]! + (up ? 1 : -1);
  return bits[0]!;
}

/** -1, 0 or 1 as the exact value `digits` × 10^`exponent` is below, at or above the double `x` (> 0). */
function compareExact(digits: bigint, exponent: number, x: number): number {
  let m = x, e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  let left = digits, right = BigInt(m);
  if (exponent >= 0) left *= 10n ** BigInt(exponent);
  else right *= 10n ** BigInt(-exponent);
  if (e >= 0) right *= 2n ** BigInt(e);
  else left *= 2n ** BigInt(-e);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Whether `digits` × 10^`exponent` reads back as the positive float32 `x`, exactly as a parser would. */
function readsAs(digits: bigint, exponent: number, x: number): boolean {
  const d = Number(`${digits}e${exponent}`);
  const r = f32(d);
  if (r === d || r === 0 || !Number.isFinite(r)) return r === x;
  // Parsing through a double rounds twice; that matters only when the double is a float32 midpoint.
  const other = nextFloat32(r, d > r);
  if ((r + other) / 2 !== d) return r === x;
  const side = compareExact(digits, exponent, d);
  if (side === 0) return r === x;
  const lower = Math.min(r, other), upper = Math.max(r, other);
  return (side < 0 ? lower : upper) === x;
}

/**
 * A float32 as Swift's `Float.description` prints it, as Open-Meteo's JSON does its coordinates
 * and elevation: the shortest decimal that reads back as the same float32, with ".0" for whole
 * numbers, and exponent notation below 0.0001 and from 2^24.
 *
 * @example
 * ```ts
 * float32Text(13.419998168945312); // "13.419998"
 * float32Text(38); // "38.0"
 * ```
 */
export function float32Text(x: number): string {
  const v = f32(x);
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const sign = v < 0 ? "-" : "", a = Math.abs(v);
  let digits = "", point = 0;
  search: for (let p = 1; p <= 9; p++) {
    const [mantissa, exp] = a.toExponential(p - 1).split("e") as [string, string];
    const nearest = BigInt(mantissa.replace(".", ""));
    const exponent = Number(exp) - (p - 1);
    // The nearest p digits first; at a power of two the interval is lopsided, so try its neighbours.
    for (const candidate of [nearest, nearest + 1n, nearest - 1n]) {
      if (candidate > 0n && readsAs(candidate, exponent, a)) {
        digits = candidate.toString().replace(/0+$/, "");
        point = exponent + candidate.toString().length;
        break search;
      }
    }
  }
  // Swift switches to exponents for decimal exponents below -4, and at 2^24.
  if (point < -3 || a >= 16_777_216) {
    const e = point - 1;
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    return `${sign}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// ---- Places ------------------------------------------------------------------------------------

/** One contribution to a synthetic `current`: values moved to the cell, and their weight. */
interface Source {
  readonly weight: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly wind: number;
  readonly direction: number;
  readonly pressure: number;
  readonly code: number;
}

/** Inverse-distance-squared weight fading to 0 at `radius` km, so that entering or leaving is smooth. */
function weightAt(km: number, radius: number): number {
  const d = Math.max(km, 1);
  return (1 - smoothstep(0, radius, km)) / (d * d);
}

const DRY_LADDER = [0, 1, 2, 3] as const;
const RAIN_LADDER = [...DRY_LADDER, 61, 63, 65] as const;
const SNOW_LADDER = [...DRY_LADDER, 71, 73, 75] as const;

/** Whether the model accepts weather code `code` at `temperature` as it is (physics.ts's ranges). */
function codeFits(code: number, temperature: number): boolean {
  const r = CODE_REQUIREMENTS.get(code);
  return r !== undefined && temperature >= r.temperature[0] && temperature <= r.temperature[1];
}

/**
 * The weather code of a blend: the code of a source with at least half the weight, when it fits
 * the blended temperature; else the plain code (clear to overcast, rain or below 1 °C snow) whose
 * wetness on the model's scale is nearest the blend's.
 */
function blendedCode(sources: readonly Source[], total: number, temperature: number): number {
  let top: Source | undefined, wetness = 0;
  for (const s of sources) {
    if (top === undefined || s.weight > top.weight) top = s;
    wetness += s.weight * wetnessOfCode(s.code);
  }
  if (top !== undefined && top.weight >= total / 2 && codeFits(top.code, temperature)) return top.code;
  wetness /= total;
  let best = 0, gap = Infinity;
  for (const code of temperature < 1 ? SNOW_LADDER : RAIN_LADDER) {
    const g = Math.abs(wetnessOfCode(code) - wetness);
    if (g < gap) [best, gap] = [code, g];
  }
  return best;
}

/** The weighted blend of `sources` as a data file's `current` at `slot` in `zone`. */
function blendCurrent(sources: readonly Source[], slot: number, zone: string): Current {
  let total = 0, t = 0, rh = 0, wind = 0, u = 0, v = 0, p = 0;
  let top = sources[0]!;
  for (const s of sources) {
    total += s.weight;
    t += s.weight * s.temperature;
    rh += s.weight * s.humidity;
    wind += s.weight * s.wind;
    p += s.weight * s.pressure;
    const rad = s.direction * Math.PI / 180;
    u += s.weight * s.wind * Math.sin(rad);
    v += s.weight * s.wind * Math.cos(rad);
    if (s.weight > top.weight) top = s;
  }
  const temperature = clamp(roundTo(t / total, 1), -100, 70);
  const code = blendedCode(sources, total, temperature);
  // Precipitation and fog come with damp air.
  const humidity = clamp(Math.round(rh / total), code >= 45 ? 85 : 0, 100);
  const windSpeed = clamp(roundTo(wind / total, 1), 0, 500);
  const degrees = u === 0 && v === 0 ? top.direction : Math.round(Math.atan2(u, v) * 180 / Math.PI);
  return {
    temperature,
    feels_like: clamp(roundTo(apparentTemperature(temperature, humidity, windSpeed), 1), -120, 90),
    humidity,
    wind_speed: windSpeed,
    wind_direction: ((degrees % 360) + 360) % 360,
    pressure: clamp(roundTo(p / total, 1), 800, 1100),
    condition: WMO_CODES.get(code)!,
    weather_code: code as Current["weather_code"],
    observed_at: localIsoTime(slot, utcOffsetSeconds(zone, slot), true),
  };
}

/** A cell's name: its centre to the grid's precision, "52.52,13.42". */
function cellName(cell: Cell): string {
  return `${Number(cell.latitude.toFixed(4))},${Number(cell.longitude.toFixed(4))}`;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Cannot use seed "${seed}": expected an integer from 0 to 4294967295`);
  }
}

/**
 * Places for the cities of one dataset: call it when the data loads (it does no work until the
 * first {@linkcode Places.at}, which builds a kd-tree of the cities' coordinates).
 *
 * A synthetic city is made for its cell centre, deterministic in (data, cell, zone, seed, clock
 * slot), and kept in a bounded LRU by those, so that the model's cache sees the same object:
 * - `timezone`: tz-lookup at the requested point (`Etc/GMT±N` at sea), as Open-Meteo's
 *   `timezone=auto`; a cell crossed by a zone border is two synthetic cities, with the same weather.
 * - `elevation`: no terrain model here, so the data cities' within 100 km
 *   (a missing one counts as 0, as the model takes it), inverse-distance weighted against sea level
 *   weighted as a city 40 km away; open sea and far from any city, 0. Mountains between cities are
 *   not seen.
 * - `current`: the nearest {@linkcode BLEND_NEIGHBOURS} data cities within
 *   {@linkcode BLEND_RADIUS_KM}, inverse-distance-squared weighted, and the model's own climate
 *   weighted as a city 250 km away; the temperatures moved to the cell by the climate's difference
 *   between the two latitudes and elevations (6.5 K/km). The climate is the model's unanchored
 *   weather interpolated between 2° lattice points, so that neighbouring cells agree.
 *   Humidity, wind (as a vector for its direction) and pressure are weighted means; the weather
 *   code is a source's with half the weight if it fits the temperature, else from the blended
 *   wetness. With no data city near, the climate alone. Hence the clock slot in the cache key.
 *
 * @example
 * ```ts
 * const places = createPlaces(dataset.cities);
 * const place = places.at(52.52, 13.41, 0, now); // Berlin's City object, if within 1.5 km
 * hourlySeries({ city: place.city, seed: 0, now }, from, 48);
 * ```
 */
export function createPlaces(cities: readonly City[], options: PlacesOptions = {}): Places {
  const limit = options.maxCached ?? PLACE_CACHE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot keep "${limit}" places: expected a positive integer`);
  }
  let index: KDBush | undefined;
  const synthetic = new Map<string, Place>();
  const climatePoints = new Map<string, Current>();

  function tree(): KDBush {
    if (index === undefined) {
      // KDBush wants at least one point to answer queries; an empty data set has no cities to find.
      index = new KDBush(Math.max(1, cities.length));
      for (const c of cities) index.add(c.longitude, c.latitude);
      if (cities.length === 0) index.add(0, 0);
      index.finish();
    }
    return index;
  }

  const cityAt = (id: number): City | undefined => id < cities.length ? cities[id] : undefined;

  /**
   * The city nearest (lat, lon) within `km` that `accept`s, by a box query: geokdbush's `around`
   * walks the whole tree when nothing is within its distance, and that is the usual case here.
   */
  function nearest(
    kd: KDBush,
    lat: number,
    lon: number,
    km: number,
    accept?: (city: City) => boolean,
  ): number | undefined {
    const dLat = km / KM_PER_DEGREE;
    const cos = Math.cos(Math.min(90, Math.abs(lat) + dLat) * Math.PI / 180);
    const dLon = cos * 180 <= dLat ? 180 : Math.min(180, dLat / cos);
    const south = Math.max(-90, lat - dLat), north = Math.min(90, lat + dLat);
    const ids = kd.range(Math.max(-180, lon - dLon), south, Math.min(180, lon + dLon), north);
    if (lon - dLon < -180) ids.push(...kd.range(lon - dLon + 360, south, 180, north));
    if (lon + dLon > 180) ids.push(...kd.range(-180, south, lon + dLon - 360, north));
    let best: number | undefined, bestKm = km;
    for (const id of ids) {
      const c = cityAt(id);
      if (c === undefined) continue;
      const d = distance(lon, lat, c.longitude, c.latitude);
      if (
        (d < bestKm || (d === bestKm && best !== undefined && id < best)) &&
        (accept === undefined || accept(c))
      ) {
        best = id;
        bestKm = d;
      }
    }
    return best;
  }

  /** The model's unanchored conditions at lattice point (i, j), at sea level. */
  function climateAt(i: number, j: number, seed: number, slot: number): Current {
    const lon = ((j * CLIMATE_LATTICE + 180) % 360 + 360) % 360 - 180;
    const key = `${i}|${lon}|${seed}|${slot}`;
    let c = climatePoints.get(key);
    if (c === undefined) {
      const latitude = i * CLIMATE_LATTICE;
      c = climateConditions(
        { name: `climate ${latitude},${lon}`, latitude, longitude: lon, timezone: "UTC" },
        seed,
        slot,
      );
      if (climatePoints.size >= MAX_CLIMATE_POINTS) climatePoints.clear();
      climatePoints.set(key, c);
    }
    return c;
  }

  /** The climate at the cell: the lattice's four points around it, bilinear, moved to its latitude and height. */
  function climateSources(
    cell: Cell,
    elevation: number,
    seed: number,
    slot: number,
    weight: number,
  ): Source[] {
    const y = cell.latitude / CLIMATE_LATTICE, x = cell.longitude / CLIMATE_LATTICE;
    const i = Math.min(Math.floor(y), 90 / CLIMATE_LATTICE - 1), j = Math.floor(x);
    const fy = y - i, fx = x - j;
    const here = climateTemperature(cell.latitude, elevation, slot);
    const sources: Source[] = [];
    for (
      const [di, dj, w] of [[0, 0, (1 - fy) * (1 - fx)], [0, 1, (1 - fy) * fx], [1, 0, fy * (1 - fx)], [
        1,
        1,
        fy * fx,
      ]]
    ) {
      if (w! <= 0) continue;
      const c = climateAt(i + di!, j + dj!, seed, slot);
      sources.push({
        weight: weight * w!,
        temperature: c.temperature + here - climateTemperature((i + di!) * CLIMATE_LATTICE, 0, slot),
        humidity: c.humidity,
        wind: c.wind_speed,
        direction: c.wind_direction,
        pressure: c.pressure,
        code: c.weather_code,
      });
    }
    return sources;
  }

  function makePlace(cell: Cell, zone: string, seed: number, slot: number): Place {
    const near = around(tree(), cell.longitude, cell.latitude, BLEND_NEIGHBOURS + 1, BLEND_RADIUS_KM)
      .map((id) => cityAt(id)).filter((c) => c !== undefined)
      .map((city) => ({ city, km: distance(cell.longitude, cell.latitude, city.longitude, city.latitude) }));
    // Past the first BLEND_NEIGHBOURS, the next one's weight is taken off all of them: a city
    // dropping out of the nearest few then weighs nothing already, and the blend stays continuous.
    const spare = near.length > BLEND_NEIGHBOURS ? near.pop()! : undefined;
    const spareElevation = spare === undefined ? 0 : weightAt(spare.km, ELEVATION_RADIUS_KM);
    const spareWeight = spare === undefined ? 0 : weightAt(spare.km, BLEND_RADIUS_KM);

    let ew = 1 / SEA_LEVEL_DISTANCE_KM ** 2, e = 0;
    for (const n of near) {
      const w = weightAt(n.km, ELEVATION_RADIUS_KM) - spareElevation;
      if (w <= 0) continue;
      ew += w;
      e += w * (n.city.elevation ?? 0);
    }
    const elevation = Math.round(e / ew) || 0;

    const here = climateTemperature(cell.latitude, elevation, slot);
    const sources = climateSources(cell, elevation, seed, slot, 1 / CLIMATE_DISTANCE_KM ** 2);
    for (const { city, km } of near) {
      const w = weightAt(km, BLEND_RADIUS_KM) - spareWeight;
      if (w <= 0) continue;
      const c = city.current;
      sources.push({
        weight: w,
        temperature: c.temperature + here - climateTemperature(city.latitude, city.elevation ?? 0, slot),
        humidity: c.humidity,
        wind: c.wind_speed,
        direction: c.wind_direction,
        pressure: c.pressure,
        code: c.weather_code,
      });
    }
    const city: ModelCity = {
      name: cellName(cell),
      latitude: cell.latitude,
      longitude: cell.longitude,
      timezone: zone,
      elevation,
      current: blendCurrent(sources, slot, zone),
    };
    return { city, dataIndex: undefined, cell, timezone: zone, elevation };
  }

  return {
    get cached() {
      return synthetic.size;
    },
    nearest(latitude: number, longitude: number, limit: number, maxKm: number): number[] {
      checkCoordinates(latitude, longitude);
      if (cities.length === 0) return [];
      return (around(tree(), longitude, latitude, limit, maxKm) as number[]).filter((id) =>
        cityAt(id) !== undefined
      );
    },
    at(latitude: number, longitude: number, seed: number, now: number | Date): Place {
      checkCoordinates(latitude, longitude);
      checkSeed(seed);
      const slot = slotOf(toEpochMs(now));
      const { cell, grid } = snapOn(latitude, longitude);
      const kd = tree();
      let id = nearest(kd, latitude, longitude, MATCH_RADIUS_KM);
      if (id === undefined) {
        const reach = KM_PER_DEGREE * grid.step * Math.SQRT1_2 + 0.01;
        id = nearest(kd, cell.latitude, cell.longitude, reach, (c) => {
          const own = snapOn(c.latitude, c.longitude).cell;
          return own.latitude === cell.latitude && own.longitude === cell.longitude;
        });
      }
      if (id !== undefined) {
        const city = cities[id]!;
        return { city, dataIndex: id, cell, timezone: city.timezone, elevation: city.elevation ?? 0 };
      }
      const zone = tzlookup(latitude, longitude);
      const key = `${cell.latitude},${cell.longitude}|${zone}|${seed}|${slot}`;
      let place = synthetic.get(key);
      if (place !== undefined) {
        synthetic.delete(key);
      } else {
        place = makePlace(cell, zone, seed, slot);
        if (synthetic.size >= limit) synthetic.delete(synthetic.keys().next().value!);
      }
      synthetic.set(key, place);
      return place;
    },
  };
}

const datasetPlaces = new WeakMap<Dataset, Places>();

/**
 * The places of `data`'s cities, built on the first coordinate question and kept as long as the
 * dataset: one index for every dialect that answers by coordinates.
 */
export function placesOf(data: Dataset): Places {
  let places = datasetPlaces.get(data);
  if (places === undefined) datasetPlaces.set(data, places = createPlaces(data.cities));
  return places;
}
