/**
 * Turns a route's outcome into the response: a cached representation (conditional, compressed),
 * a per-request body, or an error in the route's own shape (problem JSON, an API's error body, or
 * an HTML page for a browser). Every error is `no-store` and `nosniff`.
 * @module
 */

import type { Cacheable } from "./cached_response.ts";
import type { Cors } from "./cors.ts";
import { DASHBOARD_CSP, errorPage } from "./dashboard.ts";
import type { HeaderList } from "./http.ts";
import { fail, type Failure, JSON_CONTENT_TYPE, problem, PROBLEM_CONTENT_TYPE } from "./problem.ts";
import type { Outcome, Route } from "./routes.ts";
import type { WeatherOrigin } from "./weather_scope.ts";

const encoder = new TextEncoder();

/** A 200 or error with a body built per request; HEAD gets its length and no body. */
function send(request: Request, body: string, headers: HeaderList, status = 200): Response {
  if (request.method !== "HEAD") return new Response(body, { status, headers });
  headers.push(["content-length", String(encoder.encode(body).length)]);
  return new Response(null, { status, headers });
}

/** The headers of a body made for this request alone: its type, `nosniff`, and `no-store`. */
function pushNotForCaches(headers: HeaderList, contentType: string): void {
  headers.push(["x-content-type-options", "nosniff"], ["content-type", contentType], [
    "cache-control",
    "no-store",
  ]);
}

const dated = new WeakMap<object, { at: number; from: string; outcome: Cacheable }>();

/**
 * `outcome` with a `Last-Modified` no earlier than `at` (epoch ms), when the upstream weather it
 * was made from arrived: that weather changes within the model's slot, which dates the rest.
 */
function datedBy(outcome: Cacheable, at: number): Cacheable {
  if (at === 0 || outcome.lastModified === undefined) return outcome;
  // A cached answer comes back with the same body: date it once per body and upstream answer,
  // not per request (an answer is never changed once made, so the dated copy serves again).
  const known = dated.get(outcome.representation);
  if (known !== undefined && known.at === at && known.from === outcome.lastModified) return known.outcome;
  // HTTP dates count whole seconds.
  const result = Math.floor(at / 1000) * 1000 <= Date.parse(outcome.lastModified)
    ? outcome
    : { ...outcome, lastModified: new Date(at).toUTCString() };
  dated.set(outcome.representation, { at, from: outcome.lastModified, outcome: result });
  return result;
}

/** Where an answer's weather came from, and when its newest upstream part arrived (epoch ms, 0 for none). */
export interface AnswerWeather {
  readonly origin: WeatherOrigin | undefined;
  readonly newest: number;
}

/** A response to a route's outcome, with the weather it was made from when it asked for some. */
export type Answer = (
  request: Request,
  route: Route,
  outcome: Outcome,
  headers: HeaderList,
  weather?: AnswerWeather,
) => Response;

/** The responses of a handler; each takes the headers gathered so far and adds its own. */
export interface Answers {
  /** The error `failed`, in the shape of `route`'s errors. */
  failure(request: Request, headers: HeaderList, failed: Failure, route?: Route): Response;
  /** The generic 500 of an unexpected exception, after passing it to `onError`; only `X-Request-Id` is kept. */
  internalError(request: Request, headers: HeaderList, error: unknown, route?: Route): Response;
  /**
   * The answer to a GET or HEAD. With `weather`, an answer (not an error) says where its weather
   * came from (`X-Weather-Source`) and is dated no earlier than its newest upstream part.
   */
  answer: Answer;
  /** The answer to a POST, as `answer`'s but never conditional (RFC 9110, 13.1.2) and not for caches. */
  post: Answer;
}

/** What {@linkcode createAnswers} needs. */
export interface AnswersOptions {
  readonly cors: Cors;
  /** Answers a representation, conditionally and compressed. */
  readonly cached: (request: Request, answer: Cacheable, headers: HeaderList) => Response;
  /** Called with any unexpected exception. */
  readonly onError?: (error: unknown, request: Request) => void;
}

/** The responses of a handler with `options`' CORS and cache (see the module's doc). */
export function createAnswers({ cors, cached, onError }: AnswersOptions): Answers {
  function failure(request: Request, headers: HeaderList, failed: Failure, route?: Route): Response {
    const body = problem(failed.code, failed.detail, failed.extensions);
    headers.push(["x-content-type-options", "nosniff"], ["cache-control", "no-store"]);
    if (cors.varyOrigin) headers.push(["vary", "Origin"]);
    if (route?.errorBody) {
      const own = route.errorBody(failed);
      headers.push(["content-type", JSON_CONTENT_TYPE]);
      return send(request, own.body, headers, own.status);
    }
    if (route?.htmlErrors?.(request)) {
      headers.push(["content-type", "text/html; charset=utf-8"], ["content-security-policy", DASHBOARD_CSP]);
      const page = errorPage(body.status, body.title, body.detail, route.errorLinks?.(failed));
      return send(request, page, headers, body.status);
    }
    headers.push(["content-type", PROBLEM_CONTENT_TYPE]);
    return send(request, JSON.stringify(body), headers, body.status);
  }

  function internalError(request: Request, headers: HeaderList, error: unknown, route?: Route): Response {
    onError?.(error, request);
    const safe = headers.filter(([name]) => name === "x-request-id");
    return failure(request, safe, fail("internal_error", "The server failed to answer this request"), route);
  }

  /** The source header, once a route asked for weather; an error has none. */
  function origin(outcome: Outcome, headers: HeaderList, weather: AnswerWeather | undefined): void {
    if (weather?.origin !== undefined && outcome.kind !== "problem") {
      headers.push(["x-weather-source", weather.origin]);
    }
  }

  const answer: Answer = (request, route, outcome, headers, weather) => {
    origin(outcome, headers, weather);
    switch (outcome.kind) {
      case "representation":
        return cached(request, weather === undefined ? outcome : datedBy(outcome, weather.newest), headers);
      case "live":
        pushNotForCaches(headers, JSON_CONTENT_TYPE);
        return send(request, JSON.stringify(outcome.value), headers);
      case "problem":
        return failure(request, headers, outcome, route);
    }
  };

  const post: Answer = (request, route, outcome, headers, weather) => {
    if (outcome.kind !== "representation") return answer(request, route, outcome, headers, weather);
    origin(outcome, headers, weather);
    pushNotForCaches(headers, outcome.contentType ?? JSON_CONTENT_TYPE);
    return new Response(outcome.representation.body, { status: 200, headers });
  };

  return { failure, internalError, answer, post };
}
