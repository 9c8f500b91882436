import type { HeaderList } from "./http.ts";

/** Which origins may read the API from a browser: none (the default), any, or a list. */
export type CorsPolicy = { kind: "off" } | { kind: "any" } | { kind: "list"; origins: ReadonlySet<string> };

/** Request headers a browser may send cross-origin (answered in preflight). */
export const CORS_ALLOW_HEADERS =
  "Accept, Content-Type, If-Modified-Since, If-None-Match, Prefer, X-Request-Id";
/** Response headers a cross-origin script may read beyond the safelisted ones. */
export const CORS_EXPOSE_HEADERS =
  "ETag, X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Preference-Applied, X-Weather-Source";
/** Seconds a browser may cache a preflight answer. */
export const CORS_MAX_AGE = "600";

/**
 * The `Access-Control-Allow-Origin` value for a request from `origin` under `policy`, or
 * undefined when that origin may not read the answer.
 */
export function allowedOrigin(policy: CorsPolicy, origin: string | null): string | undefined {
  if (origin === null || policy.kind === "off") return undefined;
  if (policy.kind === "any") return "*";
  return policy.origins.has(origin) ? origin : undefined;
}

/** CORS for every answer of a handler, under one policy. */
export interface Cors {
  /**
   * With a list of origins an answer depends on the `Origin` header, and caches must know it:
   * then every answer varies on `Origin`.
   */
  readonly varyOrigin: boolean;
  /** Pushes the headers that let the request's origin read the answer, when it may. */
  allow(request: Request, headers: HeaderList): void;
  /**
   * The 204 answer to `OPTIONS`: `Allow`, and for a CORS preflight the methods and headers allowed.
   * `allow` names the route's methods. @default the handler's
   */
  options(request: Request, headers: HeaderList, allow?: string): Response;
}

/**
 * CORS under `policy` for routes that answer the methods `allow`.
 *
 * @example
 * ```ts
 * const cors = createCors({ kind: "any" }, "GET, HEAD, OPTIONS");
 * cors.allow(request, headers); // pushes Access-Control-Allow-Origin: * for a request with Origin
 * ```
 */
export function createCors(policy: CorsPolicy, allow: string): Cors {
  return {
    varyOrigin: policy.kind === "list",
    allow(request, headers) {
      const origin = allowedOrigin(policy, request.headers.get("origin"));
      if (origin === undefined) return;
      headers.push(["access-control-allow-origin", origin], [
        "access-control-expose-headers",
        CORS_EXPOSE_HEADERS,
      ]);
    },
    options(request, headers, methods = allow) {
      headers.push(["x-content-type-options", "nosniff"], ["allow", methods]);
      if (policy.kind !== "off" && request.headers.has("access-control-request-method")) {
        if (allowedOrigin(policy, request.headers.get("origin")) !== undefined) {
          headers.push(
            ["access-control-allow-methods", methods],
            ["access-control-allow-headers", CORS_ALLOW_HEADERS],
            ["access-control-max-age", CORS_MAX_AGE],
          );
        }
        headers.push(["vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"]);
      }
      return new Response(null, { status: 204, headers });
    },
  };
}
