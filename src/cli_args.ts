import { parseArgs } from "node:util";

type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/** Parsed flags: strings or booleans by long name, and the positional arguments in order. */
interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses `args` against `spec` strictly, with messages in the project's style. Throws `TypeError`
 * for an unknown option, a missing value, or a value given to a switch.
 */
function parseFlags(args: readonly string[], spec: FlagSpec, allowPositionals: boolean): ParsedFlags {
  const { tokens } = parseArgs({
    args: [...args],
    options: spec,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: ParsedFlags["values"] = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") {
      if (!allowPositionals) throw new TypeError(`Unexpected argument ${JSON.stringify(token.value)}`);
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    const option = spec[token.name];
    if (option === undefined) throw new TypeError(`Unknown option "${token.rawName}"`);
    if (option.type === "boolean") {
      if (token.value !== undefined) {
        throw new TypeError(`Option "${token.rawName}" takes no value, got ${JSON.stringify(token.value)}`);
      }
      values[token.name] = true;
    } else {
      if (token.value === undefined) throw new TypeError(`Option "${token.rawName}" needs a value`);
      if (option.multiple) {
        const list = (values[token.name] as string[] | undefined) ?? [];
        list.push(token.value);
        values[token.name] = list;
      } else values[token.name] = token.value;
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

function parsePositiveInteger(text: string, what: string, max: number): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new TypeError(`Invalid ${what} ${JSON.stringify(text)}: expected a whole number`);
  }
  const value = Number(text.trim());
  if (value < 1 || value > max) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected 1 to ${max}`);
  }
  return value;
}

/** One line on how to call the server. */
export const SERVER_USAGE =
  "Usage: server.ts [--host HOST] [--port PORT] [--data PATH] [--no-watch] [--quiet] [--help] [--version]";

/** The server's `--help` text. */
export const SERVER_HELP = `Local weather API server.

${SERVER_USAGE}

Options:
  --host HOST   Address to listen on (default 127.0.0.1, or $HOST)
  --port PORT   Port to listen on, 0 for any free one (default 5000, or $PORT)
  --data PATH   Weather data file (default: the bundled data/weather.json)
  --no-watch    Do not reload the data file when it changes
  --quiet       No access log on stderr
  --help        Show this help and exit
  --version     Show the version and exit

Routes: GET /weather/cities, /get_weather?city=NAME, /weather/NAME, /healthz

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
  return {
    kind: "serve",
    options: { host, port, data, watch: values["no-watch"] !== true, quiet: values.quiet === true },
  };
}

/** One line on how to call the client. */
export const CLIENT_USAGE =
  "Usage: client.ts [--url URL] [--json] [--timeout MS] [cities | weather CITY... | health]";

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
  --json           Print JSON: the API's bodies, one per line
  --timeout MS     Give up on a request after MS milliseconds (default 5000)
  --help           Show this help and exit
  --version        Show the version and exit

Exit status: 0 success, 1 the API answered with an error, 2 usage error,
3 the server could not be reached or timed out.`;

/** Settings of a client run. */
export interface ClientOptions {
  url: URL;
  json: boolean;
  timeout: number;
}

/** What the client was asked to do. */
export type ClientCommand =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "tour" | "cities" | "health"; options: ClientOptions }
  | { kind: "weather"; cities: string[]; options: ClientOptions };

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
      : parsePositiveInteger(values.timeout as string, "timeout", 2_147_483_647),
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
