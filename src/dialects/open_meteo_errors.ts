/**
 * Open-Meteo's error answers: `{"error":true,"reason":"…"}`, the reason of a parameter error the
 * failure's own detail, and the real API's texts for the other statuses.
 * @module
 */

import { type Failure, PROBLEM_STATUS } from "../problem.ts";

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
 * The status and body Open-Meteo answers `failure` with.
 *
 * @example
 * ```ts
 * openMeteoErrorBody(fail("rate_limited", "…")).body; // '{"error":true,"reason":"Minutely API request limit exceeded. …"}'
 * ```
 */
export function openMeteoErrorBody(failure: Failure): { status: number; body: string } {
  const status = PROBLEM_STATUS[failure.code];
  const reason = status === 400 ? failure.detail : REASONS[status] ?? failure.detail;
  return { status, body: JSON.stringify({ error: true, reason }) };
}
