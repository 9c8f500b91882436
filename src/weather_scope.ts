/**
 * Where a request's weather comes from: the model alone, or an upstream API's answers laid over it.
 *
 * A route asks its scope for the weather of each place it answers for ({@linkcode WeatherScope.of})
 * and then calls {@linkcode WeatherScope.ready}. Without an upstream the scope hands every city back
 * as it is. With one, a city comes back with the upstream's hours and current conditions as series
 * (see `ModelSeries`), so that every dialect answers the same upstream weather through the one
 * model. When upstream weather is due (none yet, or older than its TTL), `ready()` throws
 * {@linkcode WeatherPending}: the handler waits for the upstream, at most its timeout, and runs the
 * route again, which then answers from what the upstream gave, from the last good answer, or from
 * the model.
 * @module
 */

import type { ModelCity, ModelSeries } from "./model/forecast.ts";
import { localIsoTime, utcOffsetSeconds } from "./model/time.ts";
import type { HourlyVariable } from "./model/variables.ts";
import type { Current } from "./schema.ts";
import type { Upstream, UpstreamWeather } from "./upstream.ts";
import { WMO_CODES } from "./wmo.ts";

/** Where an answer's weather came from, as the `X-Weather-Source` header says. */
export type WeatherOrigin = "upstream" | "cache" | "stale" | "model";

/** The weather a request's route reads its places' cities through. */
export interface WeatherScope {
  /** The city to model for `city`: itself, or with upstream weather laid over it. */
  of<T extends ModelCity>(city: T): T;
  /**
   * Throws {@linkcode WeatherPending} when upstream weather is due for a city `of` was given in
   * this run: the handler waits for it and runs the route again.
   */
  ready(): void;
  /** One city's weather: {@linkcode WeatherScope.of} then {@linkcode WeatherScope.ready}. */
  city<T extends ModelCity>(city: T): T;
  /** Tells the upstream weather used so far apart, for the keys of caches ("" for the model's). */
  readonly key: string;
  /**
   * A mark of the upstream weather used so far, kept with a cached answer; undefined for the
   * model's, and for an answer that fell back on stale weather or the model.
   */
  stamp(): WeatherStamp | undefined;
}

/** The upstream answers a cached answer was made from. */
export type WeatherStamp = readonly UpstreamWeather[];

/** The scope of a server without an upstream: every city as it is, at no cost. */
export const MODEL_WEATHER: WeatherScope = {
  of: (city) => city,
  ready() {},
  city: (city) => city,
  key: "",
  stamp: () => undefined,
};

/** Thrown by {@linkcode WeatherScope.ready} while upstream weather is on its way. */
export class WeatherPending extends Error {
  constructor(
    /** Settles when every load asked for has finished, whatever its outcome. */
    readonly loaded: Promise<unknown>,
  ) {
    super("Upstream weather is on its way");
    this.name = "WeatherPending";
  }
}

/** The upstream's weather over a city, made once per upstream answer and city. */
const overlays = new WeakMap<UpstreamWeather, WeakMap<ModelCity, ModelCity>>();

/** The upstream current conditions' value of `name`, else `fallback`. */
function valueOr(w: UpstreamWeather, name: HourlyVariable, fallback: number): number {
  const value = w.current.values[name];
  return value === undefined || Number.isNaN(value) ? fallback : value;
}

/**
 * `city` with upstream weather `w` laid over it: its `current` from the upstream's current
 * conditions, and the upstream's hours and current slot as series that win over the model.
 */
export function overlay<T extends ModelCity>(city: T, w: UpstreamWeather): T {
  let byCity = overlays.get(w);
  if (byCity === undefined) overlays.set(w, byCity = new WeakMap());
  const found = byCity.get(city);
  if (found !== undefined) return found as T;
  const c = city.current;
  const code = valueOr(w, "weather_code", c.weather_code) as Current["weather_code"];
  const current: Current = {
    temperature: valueOr(w, "temperature", c.temperature),
    feels_like: valueOr(w, "apparent_temperature", c.feels_like),
    humidity: Math.max(1, valueOr(w, "relative_humidity", c.humidity)),
    wind_speed: valueOr(w, "wind_speed", c.wind_speed),
    wind_direction: valueOr(w, "wind_direction", c.wind_direction),
    pressure: valueOr(w, "pressure_msl", c.pressure),
    condition: WMO_CODES.get(code) ?? c.condition,
    weather_code: WMO_CODES.has(code) ? code : c.weather_code,
    observed_at: localIsoTime(w.current.time, utcOffsetSeconds(city.timezone, w.current.time), true),
  };
  const hours: ModelSeries = {
    start: w.hourly.start,
    step: 3_600_000,
    length: w.hourly.length,
    rampHours: 3,
    values: w.hourly.values,
  };
  const point: ModelSeries = {
    start: w.current.time,
    step: 900_000,
    length: 1,
    rampHours: 0,
    values: Object.fromEntries(Object.entries(w.current.values).map(([name, value]) => [name, [value]])),
  };
  const result = { ...city, current, series: [...(city.series ?? []), hours, point] };
  byCity.set(city, result);
  return result;
}

/** How fresh each origin is: a request's answer is as fresh as its least fresh place. */
const RANK: Readonly<Record<WeatherOrigin, number>> = { cache: 0, upstream: 1, stale: 2, model: 3 };

/** The weather of one server with an upstream: a scope per request over one {@linkcode Upstream}. */
export interface UpstreamWeatherSource {
  /** A new scope for one request. */
  scope(): RequestWeather;
  /** Whether the upstream answers a cached answer was made from are still the fresh ones. */
  current(stamp: WeatherStamp): boolean;
  /** The upstream behind it. */
  readonly upstream: Upstream;
}

/** A request's scope over an upstream, with what the handler needs to know of it. */
export interface RequestWeather extends WeatherScope {
  /** Where the answer's weather came from, once the route has asked for some; undefined before. */
  readonly origin: WeatherOrigin | undefined;
  /** When the newest upstream answer the answer was made from arrived, epoch ms; 0 for none. */
  readonly newest: number;
  /** From now on, answer from what is there and wait for nothing (after one wait). */
  settle(): void;
  /** Counts the answer as made from cached upstream weather `stamp` (a cached answer still current). */
  cached(stamp: WeatherStamp): void;
}

/** The weather source of a server with an upstream. */
export function upstreamWeather(upstream: Upstream): UpstreamWeatherSource {
  return {
    upstream,
    scope: () => new Scope(upstream),
    current(stamp) {
      for (const w of stamp) {
        const found = upstream.peek(w.latitude, w.longitude);
        if (found === undefined || !found.fresh || found.weather !== w) return false;
      }
      return true;
    },
  };
}

class Scope implements RequestWeather {
  origin: WeatherOrigin | undefined = undefined;
  newest = 0;
  key = "";
  // Made on first use: most requests of a warm server use one place and wait for nothing.
  #used: UpstreamWeather[] | undefined;
  #pending: Promise<boolean>[] | undefined;
  #settled = false;
  #waited = false;
  constructor(readonly upstream: Upstream) {}

  #note(origin: WeatherOrigin): void {
    if (this.origin === undefined || RANK[origin] > RANK[this.origin]) this.origin = origin;
  }

  of<T extends ModelCity>(city: T): T {
    // After the wait, the request's first look has counted for the hit rate already.
    const found = this.upstream.peek(city.latitude, city.longitude, !this.#waited);
    if (found !== undefined && found.fresh) {
      this.#use(found.weather);
      this.#note(this.#waited ? "upstream" : "cache");
      return overlay(city, found.weather);
    }
    if (!this.#settled) {
      (this.#pending ??= []).push(this.upstream.load(city.latitude, city.longitude));
      return city;
    }
    if (found !== undefined) {
      this.#use(found.weather);
      this.#note("stale");
      return overlay(city, found.weather);
    }
    this.#note("model");
    return city;
  }

  city<T extends ModelCity>(city: T): T {
    const live = this.of(city);
    this.ready();
    return live;
  }

  #use(w: UpstreamWeather): void {
    (this.#used ??= []).push(w);
    this.key += `|${w.version}`;
    if (w.fetchedAt > this.newest) this.newest = w.fetchedAt;
  }

  ready(): void {
    if (this.#pending === undefined) return;
    const loaded = Promise.all(this.#pending);
    this.#pending = undefined;
    this.#used = undefined;
    this.key = "";
    this.origin = undefined;
    this.newest = 0;
    throw new WeatherPending(loaded);
  }

  settle(): void {
    this.#settled = true;
    this.#waited = true;
  }

  cached(stamp: WeatherStamp): void {
    this.#note("cache");
    for (const w of stamp) if (w.fetchedAt > this.newest) this.newest = w.fetchedAt;
  }

  stamp(): WeatherStamp | undefined {
    // An answer made from stale weather or the model is not kept to be found again: the next
    // request should try the upstream anew.
    return this.origin === "cache" || this.origin === "upstream" ? (this.#used ?? []).slice() : undefined;
  }
}
