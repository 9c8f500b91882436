// Open-Meteo's error bodies, shared by the Open-Meteo routes (`/v1/search`, `/v1/forecast`).
import { type Failure, PROBLEM_STATUS } from "../problem.ts";

/**
 * The reason Open-Meteo's servers (Vapor's error middleware) give for each status other than 400,
 * whose reason is the failure's own detail. A status missing here gets its detail too.
 */
const REASONS: Readonly<Record<number, string>> = {
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  414: "URI Too Long",
  429: "Minutely API request limit exceeded. Please try again in one minute.",
  500: "Internal Server Error",
  503: "The service is overloaded",
};

/**
 * A failure as Open-Meteo answers it: `{"error":true,"reason":"..."}` with the failure's status.
 *
 * @example
 * ```ts
 * openMeteoErrorBody(fail("rate_limited", "Too many requests"));
 * // { status: 429, body: '{"error":true,"reason":"Minutely API request limit exceeded. ..."}' }
 * ```
 */
export function openMeteoErrorBody(failure: Failure): { readonly status: number; readonly body: string } {
  const status = PROBLEM_STATUS[failure.code];
  const reason = status === 400 ? failure.detail : REASONS[status] ?? failure.detail;
  return { status, body: JSON.stringify({ error: true, reason }) };
}
