/** Longest request URL served; longer ones get 414 (`uri_too_long`) before any parsing work. */
export const MAX_URL_LENGTH = 4096;
/** Largest request body read, where a route reads one (a POST form); larger ones get 413. */
export const MAX_BODY_BYTES = 131_072;
/** Longest city name a request may carry; longer ones get 414 (`city_too_long`) before any lookup. */
export const MAX_CITY_LENGTH = 200;

/**
 * Every error status the API answers with: its reason phrase, and the codes that answer with it,
 * each with when it happens. The first code of a status is the one a simulated answer
 * (`Prefer: code=`) carries. This table drives the problem bodies, the `Prefer: code=` list and
 * the error responses of the OpenAPI document.
 */
export const ERROR_STATUSES = {
  400: {
    title: "Bad Request",
    codes: {
      bad_request: "A repeated parameter, a path segment that is not percent-encoded UTF-8, or a bad Host",
      missing_city: "No city given, or a blank one",
      bad_units: "Units the route does not offer",
      bad_parameter: "A number that is not a whole number or is out of its range, which `allowed` gives",
    },
  },
  401: {
    title: "Unauthorized",
    codes: { unauthorized: "OpenWeatherMap's routes without an accepted `appid`" },
  },
  404: {
    title: "Not Found",
    codes: {
      not_found: "No route for the path",
      city_not_found: "Unknown city, with up to three `suggestions`",
    },
  },
  405: {
    title: "Method Not Allowed",
    codes: { method_not_allowed: "A method the route does not answer; `Allow` lists them" },
  },
  413: {
    title: "Content Too Large",
    codes: { body_too_large: `A POST body over ${MAX_BODY_BYTES / 1024} KB` },
  },
  414: {
    title: "URI Too Long",
    codes: {
      uri_too_long: `A URL over ${MAX_URL_LENGTH} characters`,
      city_too_long: `A city name over ${MAX_CITY_LENGTH} characters`,
    },
  },
  429: {
    title: "Too Many Requests",
    codes: { rate_limited: "Over the server's `--rate-limit`; see Retry-After" },
  },
  500: {
    title: "Internal Server Error",
    codes: { internal_error: "Unexpected error (details in the server's log only)" },
  },
  503: {
    title: "Service Unavailable",
    codes: { service_unavailable: "Simulated outage (`--fail-rate`); see Retry-After" },
  },
} as const satisfies Record<number, { title: string; codes: Record<string, string> }>;

type Statuses = typeof ERROR_STATUSES;

/** One of the error statuses of {@linkcode ERROR_STATUSES}. */
export type ErrorStatus = keyof Statuses;

/** One of the API's stable, machine-readable error codes. */
export type ProblemCode = { [S in ErrorStatus]: keyof Statuses[S]["codes"] }[ErrorStatus];

const statusEntries = Object.entries(ERROR_STATUSES).map(([status, entry]) =>
  [Number(status) as ErrorStatus, entry] as const
);

/** The HTTP status each error code answers with. */
export const PROBLEM_STATUS: Readonly<Record<ProblemCode, ErrorStatus>> = Object.fromEntries(
  statusEntries.flatMap(([status, { codes }]) => Object.keys(codes).map((code) => [code, status])),
) as Record<ProblemCode, ErrorStatus>;

/** When each error code is answered, as the OpenAPI document says. */
export const PROBLEM_DESCRIPTION: Readonly<Record<ProblemCode, string>> = Object.fromEntries(
  statusEntries.flatMap(([, { codes }]) => Object.entries(codes)),
) as Record<ProblemCode, string>;

/** The error code a simulated answer of each status carries (`Prefer: code=`). */
export const CODE_FOR_STATUS: ReadonlyMap<number, ProblemCode> = new Map(
  statusEntries.map(([status, { codes }]) => [status, Object.keys(codes)[0] as ProblemCode]),
);

/** The reason phrase of `status`, as problem titles use it. */
export function statusTitle(status: number): string {
  return (ERROR_STATUSES as Record<number, { title: string }>)[status]?.title ?? "Error";
}

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

/** An error answer before it is rendered: its code, detail and extension members. */
export interface Failure {
  readonly kind: "problem";
  readonly code: ProblemCode;
  readonly detail: string;
  readonly extensions?: Record<string, unknown>;
}

/** A {@linkcode Failure} of `code`. */
export function fail(code: ProblemCode, detail: string, extensions?: Record<string, unknown>): Failure {
  return { kind: "problem", code, detail, extensions };
}

/**
 * Thrown by a query parameter's parser for a value the route cannot take; the handler answers it
 * as the problem it carries.
 */
export class BadParameterError extends TypeError {
  readonly failure: Failure;

  constructor(code: ProblemCode, detail: string, extensions?: Record<string, unknown>) {
    super(detail);
    this.name = "BadParameterError";
    this.failure = fail(code, detail, extensions);
  }
}

/** Media type of error bodies. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";
/** Media type of success bodies. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
