import type { WeatherStamp } from "./weather_scope.ts";
import { compressBody } from "./compression.ts";
import {
  type Encoding,
  type HeaderList,
  ifNoneMatch,
  notModifiedSince,
  preferredEncoding,
  type Representation,
} from "./http.ts";
import { JSON_CONTENT_TYPE } from "./problem.ts";

/** A cacheable answer: a precomputed body with its tag, and how to send it. */
export interface Cacheable {
  readonly kind: "representation";
  readonly representation: Representation;
  /** HTTP date of the data behind the body, for `Last-Modified` and `If-Modified-Since`. */
  readonly lastModified?: string;
  /** @default JSON_CONTENT_TYPE */
  readonly contentType?: string;
  /** @default the handler's `max-age` */
  readonly cacheControl?: string;
  /** @default "Accept-Encoding" */
  readonly vary?: string;
  /** Headers sent with every variant, such as a `Content-Security-Policy`. */
  readonly headers?: HeaderList;
  /** The upstream weather the answer was made from, when it was kept to be found again. */
  readonly weather?: WeatherStamp;
}

/** Options of {@linkcode createCachedResponses}. */
export interface CachedResponseOptions {
  /** `Cache-Control` of answers that do not set their own. */
  cacheControl: string;
  /** Add `Origin` to every `Vary`. */
  varyOrigin: boolean;
}

type Variant = "ok" | "head" | "notModified" | `ok:${Encoding}`;

/**
 * Answers {@linkcode Cacheable}s: a 304 for a conditional request that matches (`If-None-Match`,
 * else `If-Modified-Since`), the body compressed as `Accept-Encoding` allows, or plain. Each
 * variant of a representation is built once, compression included, and cloned per request: a
 * clone shares the body and copies the already-validated header list, far cheaper than a new
 * `Response`, and only the per-request `headers` are set on it.
 */
export function createCachedResponses(
  options: CachedResponseOptions,
): (request: Request, answer: Cacheable, headers: HeaderList) => Response {
  // Weak, so that the bodies of an old dataset can go; null marks a body compression would not shrink.
  const templates = new WeakMap<Representation, Partial<Record<Variant, Response | null>>>();

  function build(answer: Cacheable, variant: Variant): Response | null {
    const { representation, lastModified } = answer;
    const encoding = variant === "ok:br" ? "br" : variant === "ok:gzip" ? "gzip" : undefined;
    const compressed = encoding && compressBody(representation.body, encoding);
    if (encoding && compressed === undefined) return null;
    const vary = answer.vary ?? "Accept-Encoding";
    const headers: HeaderList = [
      ["x-content-type-options", "nosniff"],
      // A compressed variant is the same content in other bytes: its tag is weak.
      ["etag", encoding ? `W/${representation.etag}` : representation.etag],
      ["cache-control", answer.cacheControl ?? options.cacheControl],
      ["vary", options.varyOrigin ? `${vary}, Origin` : vary],
    ];
    if (lastModified !== undefined) headers.push(["last-modified", lastModified]);
    if (answer.headers) headers.push(...answer.headers);
    if (variant === "notModified") return new Response(null, { status: 304, headers });
    headers.push(["content-type", answer.contentType ?? JSON_CONTENT_TYPE]);
    if (variant === "head") {
      headers.push(["content-length", String(representation.body.length)]);
      return new Response(null, { headers });
    }
    if (compressed) headers.push(["content-encoding", encoding!]);
    return new Response(compressed || representation.body, { headers });
  }

  function variantOf(request: Request, answer: Cacheable): Variant {
    const inm = request.headers.get("if-none-match");
    if (inm !== null) {
      if (ifNoneMatch(inm, answer.representation.etag)) return "notModified";
    } else if (answer.lastModified !== undefined) {
      const ims = request.headers.get("if-modified-since");
      if (ims !== null && notModifiedSince(ims, new Date(answer.lastModified))) return "notModified";
    }
    return request.method === "HEAD" ? "head" : "ok";
  }

  return (request, answer, headers) => {
    let variants = templates.get(answer.representation);
    if (variants === undefined) templates.set(answer.representation, variants = {});
    let variant = variantOf(request, answer);
    if (variant === "ok") {
      const encoding = preferredEncoding(request.headers.get("accept-encoding"));
      if (encoding !== undefined && (variants[`ok:${encoding}`] ??= build(answer, `ok:${encoding}`))) {
        variant = `ok:${encoding}`;
      }
    }
    const response = (variants[variant] ??= build(answer, variant))!.clone();
    for (const [name, value] of headers) response.headers.set(name, value);
    return response;
  };
}
