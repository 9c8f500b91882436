import { parseArgs } from "node:util";
import type { CorsPolicy } from "./cors.ts";
import type { MockControls } from "./mock_controls.ts";
import { isUnitSystem, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";

type FlagSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean; optionalValue?: boolean }
>;

/** Parsed flags: strings or booleans by long name, and the positional arguments in order. */
interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `args` against `spec` strictly, with messages in the project's style. Throws `TypeError`
 * for an unknown option, a missing value, or a value given to a switch. An `optionalValue` string
 * option takes the next argument only when it does not start with "-"; alone it stands for "".
 */
function parseFlags(args: readonly string[], spec: FlagSpec, allowPositionals: boolean): ParsedFlags {
  const { tokens } = parseArgs({
    args: [...args],
    // Optional-value options are parsed as switches so they never swallow the next flag.
    options: Object.fromEntries(
      Object.entries(spec).map(([name, { type, short, optionalValue }]) => [
        name,
        { type: optionalValue ? "boolean" as const : type, ...(short ? { short } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: ParsedFlags["values"] = {};
  const positionals: string[] = [];
  const set = (name: string, value: string, multiple: boolean | undefined) => {
    if (multiple) ((values[name] as string[] | undefined) ??= [] as string[]).push(value);
    else values[name] = value;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "positional") {
      if (!allowPositionals) throw new TypeError(`Unexpected argument ${JSON.stringify(token.value)}`);
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    const option = spec[token.name];
    if (option === undefined) throw new TypeError(`Unknown option "${token.rawName}"`);
    if (option.optionalValue) {
      const next = tokens[i + 1];
      if (token.value !== undefined) set(token.name, token.value, option.multiple);
      else if (next?.kind === "positional" && !next.value.startsWith("-")) {
        set(token.name, next.value, option.multiple);
        i++;
      } else set(token.name, "", option.multiple);
    } else if (option.type === "boolean") {
      if (token.value !== undefined) {
        throw new TypeError(`Option "${token.rawName}" takes no value, got ${JSON.stringify(token.value)}`);
      }
      values[token.name] = true;
    } else {
      if (token.value === undefined) throw new TypeError(`Option "${token.rawName}" needs a value`);
      set(token.name, token.value, option.multiple);
    }
  }
  return { values, positionals };
}

/**
 * Parses a TCP port: an integer from 0 to 65535 (0 lets the system choose). Throws `TypeError`
 * for text that is not an integer and `RangeError` for one out of range; `what` names the source.
 */
export function parsePort(text: string, what = "port"): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new TypeError(`Invalid ${what} ${JSON.stringify(text)}: expected an integer from 0 to 65535`);
  }
  const port = Number(text.trim());
  if (port > 65535) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected an integer from 0 to 65535`);
  }
  return port;
}

function parseWholeNumber(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new TypeError(`Invalid ${what} ${JSON.stringify(text)}: expected a whole number`);
  }
  const value = Number(text.trim());
  if (value < min || value > max) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected ${min} to ${max}`);
  }
  return value;
}

/**
 * Turns the values of repeated `--cors` flags into a policy: none given is off, a bare `--cors`
 * or `*` allows any origin, otherwise only the origins listed. Throws `TypeError` for a value
 * that is not an origin such as `https://app.example` or `http://localhost:3000`.
 */
export function parseCors(values: readonly string[] | undefined): CorsPolicy {
  if (values === undefined || values.length === 0) return { kind: "off" };
  if (values.some((value) => value === "" || value === "*")) return { kind: "any" };
  const origins = new Set<string>();
  for (const value of values) {
    let origin: string | undefined;
    try {
      const url = new URL(value);
      if (
        (url.protocol === "http:" || url.protocol === "https:") && value.replace(/\/$/, "") === url.origin
      ) {
        origin = url.origin;
      }
    } catch { /* reported below */ }
    if (origin === undefined) {
      throw new TypeError(
        `Invalid CORS origin ${
          JSON.stringify(value)
        }: expected scheme://host[:port], like https://app.example`,
      );
    }
    origins.add(origin);
  }
  return { kind: "list", origins };
}

/**
 * Parses `--delay`: `MS` or `MIN-MAX` whole milliseconds up to 60000. Throws `TypeError` for
 * another shape and `RangeError` when out of range or MIN > MAX.
 */
export function parseDelay(text: string): { min: number; max: number } {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!match) {
    throw new TypeError(`Invalid delay ${JSON.stringify(text)}: expected MS or MIN-MAX, like 200 or 100-500`);
  }
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (max > 60_000 || min > max) {
    throw new RangeError(`Invalid delay ${JSON.stringify(text)}: expected 0 to 60000 ms, MIN not above MAX`);
  }
  return { min, max };
}

/** Parses `--fail-rate`: a probability from 0 to 1. Throws `TypeError` or `RangeError`. */
export function parseFailRate(text: string): number {
  if (!/^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(text)) {
    throw new TypeError(`Invalid fail-rate ${JSON.stringify(text)}: expected a number from 0 to 1, like 0.1`);
  }
  const rate = Number(text);
  if (rate > 1) {
    throw new RangeError(`Invalid fail-rate ${JSON.stringify(text)}: expected a number from 0 to 1`);
  }
  return rate;
}

/**
 * Parses `--rate-limit`: `N/s` or `N/min` (also `N/m`, `N/sec`, `N/minute`), N a whole number
 * from 1. Throws `TypeError` for another shape and `RangeError` for N out of range.
 */
export function parseRateLimit(text: string): { limit: number; windowMs: number } {
  const match = /^\s*(\d+)\s*\/\s*(s|sec|second|m|min|minute)\s*$/i.exec(text);
  if (!match) {
    throw new TypeError(`Invalid rate-limit ${JSON.stringify(text)}: expected N/s or N/min, like 10/s`);
  }
  const limit = Number(match[1]);
  if (limit < 1 || limit > 1_000_000) {
    throw new RangeError(`Invalid rate-limit ${JSON.stringify(text)}: expected 1 to 1000000 requests`);
  }
  return { limit, windowMs: match[2]!.toLowerCase().startsWith("s") ? 1000 : 60_000 };
}

/** One line on how to call the server. */
export const SERVER_USAGE = "Usage: server.ts [--host HOST] [--port PORT] [--data PATH] [--no-watch] " +
  "[--max-age SECONDS] [--cors [ORIGIN]]... [--delay MS|MIN-MAX] [--fail-rate P] [--seed N] " +
  "[--rate-limit N/s|N/min] [--quiet] [--help] [--version]";

/** The server's `--help` text. */
export const SERVER_HELP = `Local weather API server.

${SERVER_USAGE}

Options:
  --host HOST   Address to listen on (default 127.0.0.1, or $HOST)
  --port PORT   Port to listen on, 0 for any free one (default 5000, or $PORT)
  --data PATH   Weather data file (default: the bundled data/weather.json)
  --no-watch    Do not reload the data file when it changes
  --max-age SECONDS
                Cache-Control max-age of answers (default 10; 0 sends no-cache)
  --cors [ORIGIN]
                Let browsers on ORIGIN read answers (repeatable); alone: any origin

Mock-API controls (off by default; they apply to the weather routes, not /healthz):
  --delay MS|MIN-MAX
                Add latency, fixed or uniform between MIN and MAX ms
  --fail-rate P Answer that fraction (0-1) of requests with 503 and Retry-After
  --seed N      Seed the random draws of --delay and --fail-rate, to repeat a run
  --rate-limit N/s|N/min
                Answer 429 beyond N requests per second or minute per client address
  Per request: "Prefer: code=503" answers that error, "Prefer: delay=300" adds latency.

  --quiet       No access log on stderr
  --help        Show this help and exit
  --version     Show the version and exit

Routes: GET /weather/cities, /get_weather?city=NAME, /weather/NAME, /healthz, /openapi.json
Weather routes take ?units=metric|imperial|si.

SIGINT or SIGTERM stops after the requests in flight (5 s at most); a second one
stops at once.`;

/** Settings of a server run. */
export interface ServerOptions {
  host: string;
  port: number;
  /** Data file path; undefined means the bundled file. */
  data: string | undefined;
  /** Reload the data file when it changes (`--no-watch` turns it off). */
  watch: boolean;
  /** Cache-Control max-age in seconds; 0 means no-cache. */
  maxAge: number;
  cors: CorsPolicy;
  controls: MockControls;
  quiet: boolean;
}

/** What the server was asked to do. */
export type ServerCommand = { kind: "help" } | { kind: "version" } | {
  kind: "serve";
  options: ServerOptions;
};

/**
 * Parses the server's arguments, with `HOST` and `PORT` from `env` as fallbacks. Throws
 * `TypeError` or `RangeError` for a usage error; the caller prints it with {@linkcode SERVER_USAGE}.
 *
 * @example
 * ```ts
 * parseServerArgs(["--port", "0"], {}); // { kind: "serve", options: { host: "127.0.0.1", port: 0, ... } }
 * ```
 */
export function parseServerArgs(
  args: readonly string[],
  env: { HOST?: string | undefined; PORT?: string | undefined } = {},
): ServerCommand {
  const { values } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    data: { type: "string" },
    "no-watch": { type: "boolean" },
    "max-age": { type: "string" },
    cors: { type: "string", multiple: true, optionalValue: true },
    delay: { type: "string" },
    "fail-rate": { type: "string" },
    seed: { type: "string" },
    "rate-limit": { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  }, false);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const host = (values.host as string | undefined) ?? (env.HOST || "127.0.0.1");
  if (host.trim() === "") throw new TypeError('Invalid host "": give an address such as 127.0.0.1');
  const port = values.port !== undefined
    ? parsePort(values.port as string)
    : env.PORT
    ? parsePort(env.PORT, "PORT environment variable")
    : 5000;
  const data = values.data as string | undefined;
  if (data !== undefined && data.trim() === "") throw new TypeError('Invalid data path "": give a file path');
  const maxAge = values["max-age"] === undefined
    ? 10
    : parseWholeNumber(values["max-age"] as string, "max-age", 0, 31_536_000);
  const cors = parseCors(values.cors as string[] | undefined);
  const controls: MockControls = {};
  if (values.delay !== undefined) controls.delay = parseDelay(values.delay as string);
  if (values["fail-rate"] !== undefined) controls.failRate = parseFailRate(values["fail-rate"] as string);
  if (values.seed !== undefined) {
    controls.seed = parseWholeNumber(values.seed as string, "seed", 0, 4_294_967_295);
  }
  if (values["rate-limit"] !== undefined) controls.rateLimit = parseRateLimit(values["rate-limit"] as string);
  return {
    kind: "serve",
    options: {
      host,
      port,
      data,
      watch: values["no-watch"] !== true,
      maxAge,
      cors,
      controls,
      quiet: values.quiet === true,
    },
  };
}

/** One line on how to call the client. */
export const CLIENT_USAGE =
  "Usage: client.ts [--url URL] [--units metric|imperial|si] [--json] [--timeout MS] " +
  "[cities | weather CITY... | health]";

/** The client's `--help` text. */
export const CLIENT_HELP = `Client for the local weather API.

${CLIENT_USAGE}

Commands:
  (none)           List the cities, then show Tokyo's weather
  cities           List the cities
  weather CITY...  Show the weather of one or more cities
  health           Show the server's health

Options:
  --url URL        Server address (default http://127.0.0.1:5000, or $WEATHER_URL)
  --units UNITS    metric (°C, km/h, hPa), imperial (°F, mph, inHg) or si (K, m/s, Pa)
  --json           Print JSON: the API's bodies, one per line
  --timeout MS     Give up on an attempt after MS milliseconds (default 5000)
  --retries N      Retry N times after a connection error, timeout, 429 or 5xx, with
                   exponential backoff and jitter, honouring Retry-After (default 2)
  --help           Show this help and exit
  --version        Show the version and exit

Exit status: 0 success, 1 the API answered with an error, 2 usage error,
3 the server could not be reached, timed out, or stayed unavailable (429, 5xx).`;

/** Settings of a client run. */
export interface ClientOptions {
  url: URL;
  json: boolean;
  timeout: number;
  /** Units to ask for; undefined leaves the server's default. */
  units: UnitSystem | undefined;
  /** Retries after transient failures. */
  retries: number;
}

/** What the client was asked to do. */
export type ClientCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "tour" | "cities" | "health"; options: ClientOptions }
  | { kind: "weather"; cities: string[]; options: ClientOptions };

function parseUnits(text: string | undefined): UnitSystem | undefined {
  if (text === undefined || isUnitSystem(text)) return text;
  throw new TypeError(
    `Invalid units ${JSON.stringify(text)}: expected ${UNIT_SYSTEMS.map((u) => `"${u}"`).join(", ")}`,
  );
}

/** Parses a server base URL; throws `TypeError` unless it is an absolute http or https URL. */
export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`Invalid URL ${JSON.stringify(text)}: expected one like http://127.0.0.1:5000`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Invalid URL ${JSON.stringify(text)}: expected http or https`);
  }
  return url;
}

/**
 * Parses the client's arguments, with `WEATHER_URL` from `env` as the fallback server address.
 * Throws `TypeError` or `RangeError` for a usage error.
 */
export function parseClientArgs(
  args: readonly string[],
  env: { WEATHER_URL?: string | undefined } = {},
): ClientCommand {
  const { values, positionals } = parseFlags(args, {
    url: { type: "string" },
    json: { type: "boolean" },
    timeout: { type: "string" },
    units: { type: "string" },
    retries: { type: "string" },
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
  }, true);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const options: ClientOptions = {
    url: parseBaseUrl((values.url as string | undefined) ?? (env.WEATHER_URL || "http://127.0.0.1:5000")),
    json: values.json === true,
    timeout: values.timeout === undefined
      ? 5000
      : parseWholeNumber(values.timeout as string, "timeout", 1, 2_147_483_647),
    units: parseUnits(values.units as string | undefined),
    retries: values.retries === undefined ? 2 : parseWholeNumber(values.retries as string, "retries", 0, 10),
  };
  const [command, ...rest] = positionals;
  switch (command) {
    case undefined:
      return { kind: "tour", options };
    case "cities":
    case "health":
      if (rest.length > 0) throw new TypeError(`Command "${command}" takes no arguments`);
      return { kind: command, options };
    case "weather":
      if (rest.length === 0) throw new TypeError('Command "weather" needs at least one city');
      return { kind: "weather", cities: rest, options };
    default:
      throw new TypeError(`Unknown command ${JSON.stringify(command)}: expected cities, weather or health`);
  }
}

/** The environment variable `name`, or undefined when unset or not permitted (`--allow-env`). */
export function optionalEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}
