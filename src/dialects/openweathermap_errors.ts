// OpenWeatherMap's error bodies, as its servers write them (their spacing and their mix of number
// and string `cod`): for the OpenWeatherMap routes, and for the cluster's own 429.
import { type Failure, PROBLEM_STATUS } from "../problem.ts";

const UNAUTHORIZED =
  '{"cod":401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}';
const TOO_MANY =
  '{"cod":429, "message": "Your account is temporary blocked due to exceeding of requests limitation of your subscription type. Please choose the proper subscription https://openweathermap.org/price"}';

/**
 * The status and body OpenWeatherMap answers `failure` with: its own texts for 401 and 429, and
 * `{"cod":"404","message":…}` (`cod` a string) for the others, the failure's detail the message.
 */
export function openWeatherMapErrorBody(failure: Failure): { status: number; body: string } {
  const status = PROBLEM_STATUS[failure.code];
  if (status === 401) return { status, body: UNAUTHORIZED };
  if (status === 429) return { status, body: TOO_MANY };
  const message = failure.code === "city_not_found" || failure.code === "bad_parameter"
    ? failure.detail
    : status === 404
    ? "Internal error: not found"
    : status >= 500
    ? "Internal error"
    : failure.detail;
  return { status, body: JSON.stringify({ cod: String(status), message }) };
}
