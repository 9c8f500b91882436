/**
 * Runs a route for a request: its repeated answer when it has one still good, else its query
 * parameters (only those it declares) and its answer; with upstream weather, the wait for the
 * upstream and the second run that follows it.
 * @module
 */

import type { Dataset } from "./dataset.ts";
import { BadParameterError } from "./problem.ts";
import { searchParameters, searchValues } from "./request_target.ts";
import type { Outcome, Route, ServerStatus } from "./routes.ts";
import {
  MODEL_WEATHER,
  type RequestWeather,
  type UpstreamWeatherSource,
  WeatherPending,
  type WeatherScope,
} from "./weather_scope.ts";

const NO_VALUES: readonly string[] = Object.freeze([]);
const manyParameters = new WeakMap<Route, boolean>();
/** Whether `route` reads more than three query parameters. */
function readsMany(route: Route): boolean {
  let many = manyParameters.get(route);
  if (many === undefined) manyParameters.set(route, many = Object.keys(route.query).length > 3);
  return many;
}

/** Settles when `promise` does or after `ms` milliseconds, whichever is first, leaving no timer behind. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return Promise.race([promise.then(() => {}, () => {}), timeout]).finally(() => clearTimeout(timer));
}

/** What {@linkcode createRouteRunner} runs routes with. */
export interface RouteRunnerOptions {
  /** The dataset to answer from, read per request (a reload swaps it). */
  readonly data: () => Dataset;
  readonly server: ServerStatus;
  /** The weather model's clock, epoch ms. */
  readonly clock: () => number;
  readonly seed: number;
  readonly apiKeys: ReadonlySet<string> | undefined;
  /** Weather from an upstream, waited for at most `waitMs`; undefined for the model alone. */
  readonly upstream?: { readonly source: UpstreamWeatherSource; readonly waitMs: number };
}

/** A function that runs a route for a request, in the given weather scope. */
export type RouteRunner = (
  route: Route,
  request: Request,
  pathname: string,
  search: string,
  weather?: WeatherScope,
) => Outcome | Promise<Outcome>;

/** Runs routes with their declared query parameters, and no others (see the module's doc). */
export function createRouteRunner(options: RouteRunnerOptions): RouteRunner {
  const live = options.upstream;
  return function run(
    route: Route,
    request: Request,
    pathname: string,
    search: string,
    weather: WeatherScope = MODEL_WEATHER,
  ): Outcome | Promise<Outcome> {
    const context = {
      data: options.data(),
      request,
      pathname,
      search,
      server: options.server,
      clock: options.clock(),
      seed: options.seed,
      apiKeys: options.apiKeys,
      weather,
    };
    const repeated = route.repeated?.(context);
    if (repeated !== undefined) {
      // An answer of weather is reused only if made the way this handler makes it, and still current.
      if (repeated.kind !== "representation") return repeated;
      if (live === undefined) {
        if (repeated.weather === undefined) return repeated;
      } else if (repeated.weather !== undefined && live.source.current(repeated.weather)) {
        (weather as RequestWeather).cached(repeated.weather);
        return repeated;
      }
    }
    const query: Record<string, unknown> = {};
    // One pass over the query for a route of many parameters; a scan per parameter for the others.
    const many = search.length > 1 && readsMany(route) ? searchParameters(search) : undefined;
    try {
      for (const key in route.query) {
        const parameter = route.query[key]!;
        const values = many
          ? many.get(parameter.name) ?? NO_VALUES
          : search === ""
          ? NO_VALUES
          : searchValues(search, parameter.name);
        query[key] = parameter.parse(values);
      }
    } catch (error) {
      if (error instanceof BadParameterError) return error.failure;
      throw error;
    }
    try {
      return route.answer(context, query);
    } catch (error) {
      if (!(error instanceof WeatherPending)) throw error;
      // Wait for the upstream, at most its timeout, then answer from whatever is there.
      return within(error.loaded, live!.waitMs).then(() => {
        (weather as RequestWeather).settle();
        return route.answer(context, query);
      });
    }
  };
}
