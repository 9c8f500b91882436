/** Stable machine-readable error codes of the API, with the HTTP status each one answers with. */
export const PROBLEM_STATUS = {
  bad_request: 400,
  missing_city: 400,
  bad_units: 400,
  city_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  city_too_long: 414,
  uri_too_long: 414,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

/** One of the API's error codes. */
export type ProblemCode = keyof typeof PROBLEM_STATUS;

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  414: "URI Too Long",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * An RFC 9457 problem details body. `code` is the stable identifier to branch on; `error` repeats
 * `detail` for clients of the original tutorial API, which read `{"error": "..."}`.
 */
export interface Problem {
  type: "about:blank";
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  error: string;
  [extension: string]: unknown;
}

/** Builds the problem body for `code` with a human `detail` and optional extension members. */
export function problem(
  code: ProblemCode,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const status = PROBLEM_STATUS[code];
  return {
    type: "about:blank",
    title: statusTitle(status),
    status,
    detail,
    code,
    error: detail,
    ...extensions,
  };
}

/** Media type of error bodies. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";
/** Media type of success bodies. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** The error code a simulated answer of `status` carries (for `Prefer: code=`). */
export const CODE_FOR_STATUS: ReadonlyMap<number, ProblemCode> = new Map([
  [400, "bad_request"],
  [404, "not_found"],
  [405, "method_not_allowed"],
  [414, "uri_too_long"],
  [429, "rate_limited"],
  [500, "internal_error"],
  [503, "service_unavailable"],
]);

/** The reason phrase of `status`, as problem titles use it. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? "Error";
}
