import type { Dataset } from "./dataset.ts";
import { JSON_CONTENT_TYPE, problemResponse } from "./problem.ts";

/** Holds the dataset the handler serves; swapping `current` switches every later request at once. */
export interface DatasetSource {
  readonly current: Dataset;
  /** Why the latest reload failed while `current` kept serving; null or absent when it did not. */
  readonly lastReloadError?: string | null;
}

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** Called with any unexpected exception, before the client gets a generic 500. */
  onError?: (error: unknown, request: Request) => void;
}

/** A request handler as `Deno.serve` takes it. */
export type Handler = (request: Request) => Response;

const encoder = new TextEncoder();

function json(body: Uint8Array<ArrayBuffer>): Response {
  return new Response(body, { headers: { "content-type": JSON_CONTENT_TYPE } });
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function cityWeather(data: Dataset, city: string): Response {
  if (city.trim() === "") {
    return problemResponse("missing_city", 'Give a city name, as in "/get_weather?city=Tokyo"');
  }
  const index = data.index.find(city);
  if (index !== undefined) return json(data.cityBody(index) as Uint8Array<ArrayBuffer>);
  const suggestions = data.index.suggest(city);
  const hint = suggestions.length > 0 ? `: did you mean ${suggestions.map((s) => `"${s}"`).join(", ")}?` : "";
  return problemResponse("city_not_found", `Cannot find city ${JSON.stringify(city)}${hint}`, {
    city,
    suggestions,
  });
}

// A host name, IPv4 address or IP literal, then an optional port (RFC 3986, section 3.2.2).
const HOST = /^(?:\[[0-9A-Za-z:.%]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]*)(?::\d*)?$/;

/**
 * The URL of `request`, or undefined when it has none to route by. Deno builds `request.url` from
 * the raw Host header: "a b" makes it unparseable, and "x/weather/cities?" would move the path.
 */
function requestUrl(request: Request): URL | undefined {
  const host = request.headers.get("host");
  if (host !== null && !HOST.test(host)) return undefined;
  try {
    return new URL(request.url);
  } catch {
    return undefined;
  }
}

function route(data: Dataset, url: URL, source: DatasetSource): Response {
  switch (url.pathname) {
    case "/weather/cities":
      return json(data.citiesBody as Uint8Array<ArrayBuffer>);
    case "/get_weather": {
      const values = url.searchParams.getAll("city");
      if (values.length > 1) {
        return problemResponse("bad_request", 'Give one "city" parameter, not several');
      }
      return cityWeather(data, values[0] ?? "");
    }
    case "/healthz":
      return json(encoder.encode(JSON.stringify({
        status: "ok",
        cities: data.cities.length,
        version: data.version,
        loaded_at: data.loadedAt.toISOString(),
        source: data.fileName,
        last_reload_error: source.lastReloadError ?? null,
      })));
  }
  if (url.pathname.startsWith("/weather/")) {
    const raw = url.pathname.slice("/weather/".length);
    if (raw !== "" && !raw.includes("/")) {
      const city = decodeSegment(raw);
      if (city === undefined) {
        return problemResponse(
          "bad_request",
          `Cannot decode the city in path ${JSON.stringify(url.pathname)}`,
        );
      }
      return cityWeather(data, city);
    }
  }
  return problemResponse("not_found", `No route for path ${JSON.stringify(url.pathname)}`);
}

/**
 * Creates the HTTP handler of the weather API over `source`. Pure: no I/O and no logging; an
 * unexpected exception becomes a generic 500 and is passed to `options.onError`.
 *
 * @example
 * ```ts
 * const handler = createHandler({ current: await loadDataset("data/weather.json") });
 * const response = await handler(new Request("http://localhost/weather/Tokyo"));
 * ```
 */
export function createHandler(source: DatasetSource, options: HandlerOptions = {}): Handler {
  return (request) => {
    try {
      const url = requestUrl(request);
      if (url === undefined) {
        const host = JSON.stringify(request.headers.get("host") ?? "");
        return problemResponse(
          "bad_request",
          `Invalid Host header ${host}: expected a host and an optional port`,
        );
      }
      return route(source.current, url, source);
    } catch (error) {
      options.onError?.(error, request);
      return problemResponse("internal_error", "The server failed to answer this request");
    }
  };
}
