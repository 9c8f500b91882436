import { parseArgs } from "node:util";
import { canonicalAddress } from "./client_address.ts";
import type { CorsPolicy } from "./cors.ts";
import type { MockControls } from "./mock_controls.ts";
import { FORECAST_DAYS, FORECAST_HOURS, PAST_DAYS } from "./model/variables.ts";
import { isUnitSystem, UNIT_SYSTEMS, type UnitSystem } from "./units.ts";
import { DEFAULT_UPSTREAM, parseUpstreamBase } from "./upstream.ts";

/** One flag of a program: the single definition its parsing, usage line and `--help` come from. */
export interface Flag {
  /** Long name, without the leading "--". */
  name: string;
  /** One-letter alias, without the "-". */
  short?: string;
  /** Name of the value shown in usage and help (`--port PORT`); absent for a switch. */
  value?: string;
  /** The value may be left out (`--cors` alone); it is then "". */
  optionalValue?: boolean;
  /** The flag may be repeated; its values are collected in order. */
  multiple?: boolean;
  /** The value when the flag is not given, as it would be typed; `--help` shows it. */
  default?: string;
  /** The environment variable that stands in for the flag when it is not given (before `default`). */
  env?: string;
  /** One line for `--help`. */
  description: string;
  /** Starts a group of flags in `--help` under this heading ("" for a blank line only). */
  section?: string;
  /** A line `--help` shows after this flag, for what the group has beyond its flags. */
  note?: string;
  /** The flag must be given; usage shows it without brackets. */
  required?: boolean;
}

/** Parsed flags: strings or booleans by long name, defaults filled in, and the positionals in order. */
interface ParsedFlags {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** The flags given in `args`, by long name (not those from the environment or a default). */
  given: ReadonlySet<string>;
  /** What to call the source of `name`'s value in an error: the flag, or its environment variable. */
  source(name: string): string;
}

/**
 * Parses `args` against `flags` strictly, with messages in the project's style. Throws `TypeError`
 * for an unknown option, a missing value, or a value given to a switch. An `optionalValue` option
 * takes the next argument only when it does not start with "-"; alone it stands for "". A leading
 * "--" is skipped, so `deno task serve -- --port 5501` reads as `--port 5501`. A flag not given
 * takes its `env` variable from `env` when set and not empty, else its `default`.
 */
function parseFlags(
  args: readonly string[],
  flags: readonly Flag[],
  allowPositionals: boolean,
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedFlags {
  const spec = new Map(flags.map((flag) => [flag.name, flag]));
  const { tokens } = parseArgs({
    args: args[0] === "--" ? args.slice(1) : [...args],
    // Optional-value options are parsed as switches so they never swallow the next flag.
    options: Object.fromEntries(
      flags.map(({ name, value, short, optionalValue }) => [
        name,
        {
          type: value === undefined || optionalValue ? "boolean" as const : "string" as const,
          ...(short ? { short } : {}),
        },
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
    const option = spec.get(token.name);
    if (option === undefined) throw new TypeError(`Unknown option "${token.rawName}"`);
    if (option.optionalValue) {
      const next = tokens[i + 1];
      if (token.value !== undefined) set(token.name, token.value, option.multiple);
      else if (next?.kind === "positional" && !next.value.startsWith("-")) {
        set(token.name, next.value, option.multiple);
        i++;
      } else set(token.name, "", option.multiple);
    } else if (option.value === undefined) {
      if (token.value !== undefined) {
        throw new TypeError(`Option "${token.rawName}" takes no value, got ${JSON.stringify(token.value)}`);
      }
      values[token.name] = true;
    } else {
      if (token.value === undefined) throw new TypeError(`Option "${token.rawName}" needs a value`);
      set(token.name, token.value, option.multiple);
    }
  }
  const given = new Set(Object.keys(values));
  const fromEnv = new Set<string>();
  for (const flag of flags) {
    if (values[flag.name] !== undefined) continue;
    const variable = flag.env === undefined ? undefined : env[flag.env];
    if (variable) {
      values[flag.name] = variable;
      fromEnv.add(flag.name);
    } else if (flag.default !== undefined) values[flag.name] = flag.default;
  }
  const source = (name: string) => {
    const variable = spec.get(name)?.env;
    return fromEnv.has(name) && variable ? `${variable} environment variable` : name;
  };
  return { values, positionals, given, source };
}

/** `--name VALUE`, `--name [VALUE]` or `--name`, as usage and help show a flag. */
function flagLabel({ name, value, optionalValue }: Flag): string {
  if (value === undefined) return `--${name}`;
  return optionalValue ? `--${name} [${value}]` : `--${name} ${value}`;
}

/**
 * The one-line usage of `program` from its `flags`, then `operands` (the commands, for the client).
 *
 * @example
 * ```ts
 * usageLine("weather-server", SERVER_FLAGS); // "Usage: weather-server [--host HOST] [--port PORT] ..."
 * ```
 */
export function usageLine(program: string, flags: readonly Flag[], operands?: string): string {
  const parts = flags.map((flag) =>
    `${flag.required ? flagLabel(flag) : `[${flagLabel(flag)}]`}${flag.multiple ? "..." : ""}`
  );
  return [`Usage: ${program}`, ...parts, ...(operands ? [operands] : [])].join(" ");
}

/** Two-column help lines: a name padded to `width`, or alone on its line when longer. */
function helpRows(rows: readonly (readonly [string, string])[], width: number): string[] {
  return rows.map(([label, text]) =>
    label.length + 3 <= width
      ? `  ${label.padEnd(width - 2)}${text}`
      : `  ${label}\n${" ".repeat(width)}${text}`
  );
}

/** The option lines of `--help`, grouped under each flag's `section`, from the same `flags` as parsing. */
function flagHelp(flags: readonly Flag[], width: number): string {
  const lines: string[] = ["Options:"];
  for (const flag of flags) {
    if (flag.section !== undefined) lines.push("", ...(flag.section ? [flag.section] : []));
    const fallback = [flag.default, flag.env && `$${flag.env}`].filter(Boolean).join(", or ");
    const text = fallback ? `${flag.description} (default: ${fallback})` : flag.description;
    lines.push(...helpRows([[flagLabel(flag), text]], width));
    if (flag.note !== undefined) lines.push(`  ${flag.note}`);
  }
  return lines.join("\n");
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

/** Parses a whole number from `min` to `max`, naming it `what` in errors (`TypeError`, `RangeError`). */
export function parseWholeNumber(text: string, what: string, min: number, max: number): number {
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

/**
 * Parses `--now`: a date and time with seconds optional and a `Z` or `±HH:MM` offset, from year
 * 1970 to 9999, as epoch ms. Throws `TypeError` for another shape.
 *
 * @example
 * ```ts
 * parseInstant("2026-11-23T12:00:00Z"); // 1795435200000
 * ```
 */
export function parseInstant(text: string): number {
  const shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
  const ms = shape.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  // Date.parse rolls 2026-02-30 over to March: a real date formats back to its own day.
  const date = text.trim().slice(0, 10);
  if (Number.isNaN(ms) || ms < 0 || Number(date.slice(8, 10)) > daysInMonth(date)) {
    throw new TypeError(
      `Invalid time ${
        JSON.stringify(text)
      }: expected ISO 8601 with Z or an offset, like 2026-11-23T12:00:00Z`,
    );
  }
  return ms;
}

function daysInMonth(date: string): number {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate();
}

/**
 * Parses the `--api-key` values: each a non-empty key of visible ASCII without `&`, `#` or `=`
 * (as it would appear in `appid=KEY`). Throws `TypeError` for another. Undefined when none.
 */
export function parseApiKeys(keys: readonly string[] | undefined): string[] | undefined {
  if (keys === undefined || keys.length === 0) return undefined;
  for (const key of keys) {
    if (!/^[\x21-\x7e]+$/.test(key) || /[&#=]/.test(key)) {
      throw new TypeError(
        `Invalid API key ${JSON.stringify(key)}: expected visible characters other than & # =`,
      );
    }
  }
  return [...keys];
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

/** How the server is named in its usage line and `--version`: the standalone executable's name. */
export const SERVER_PROGRAM = "weather-server";

/** The server's flags, in the order usage and `--help` show them. */
export const SERVER_FLAGS: readonly Flag[] = [
  { name: "host", value: "HOST", default: "127.0.0.1", env: "HOST", description: "Address to listen on" },
  {
    name: "port",
    value: "PORT",
    default: "5000",
    env: "PORT",
    description: "Port to listen on, 0 for any free one",
  },
  {
    name: "reuse-port",
    description: "Let other servers with --reuse-port listen on the same port (SO_REUSEPORT, Linux)",
  },
  { name: "data", value: "PATH", description: "Weather data file (default: the bundled data/weather.json)" },
  { name: "no-watch", description: "Do not reload the data file when it changes" },
  {
    name: "max-age",
    value: "SECONDS",
    default: "10",
    description: "Cache-Control max-age of answers; 0 sends no-cache",
  },
  {
    name: "cors",
    value: "ORIGIN",
    optionalValue: true,
    multiple: true,
    description: "Let browsers on ORIGIN read answers (repeatable); alone: any origin",
  },
  {
    name: "grace",
    value: "MS",
    default: "5000",
    description: "On SIGINT or SIGTERM, wait this long for the requests in flight",
  },
  {
    name: "drain",
    value: "MS",
    default: "0",
    description: "On SIGINT or SIGTERM, first answer MS more with Connection: close (for a proxy)",
  },
  {
    name: "api-key",
    value: "KEY",
    multiple: true,
    description: "Accept only KEY as OpenWeatherMap's appid (repeatable); without it, any key",
  },
  {
    name: "now",
    value: "TIME",
    description: "Freeze the weather model's clock at TIME, ISO 8601 with Z or an offset",
  },
  {
    name: "upstream",
    value: "URL",
    optionalValue: true,
    description: `Live weather from an Open-Meteo-compatible API at URL; alone: ${DEFAULT_UPSTREAM}`,
    section: "Live weather (off by default; without --upstream the server never connects out):",
  },
  {
    name: "upstream-ttl",
    value: "SECONDS",
    default: "900",
    description: "Reuse an upstream answer for this long before asking again",
  },
  {
    name: "upstream-timeout",
    value: "MS",
    default: "3000",
    description: "Wait this long for the upstream, then answer from the last good data or the model",
  },
  {
    name: "delay",
    value: "MS|MIN-MAX",
    description: "Add latency, fixed or uniform between MIN and MAX ms",
    section: "Mock-API controls (off by default; they apply to the weather routes, not /healthz):",
  },
  {
    name: "fail-rate",
    value: "P",
    description: "Answer that fraction (0-1) of requests with 503 and Retry-After",
  },
  {
    name: "seed",
    value: "N",
    description: "Seed the weather model and the draws of --delay and --fail-rate (default 0)",
  },
  {
    name: "rate-limit",
    value: "N/s|N/min",
    description: "Answer 429 beyond N requests per second or minute per client address",
  },
  {
    name: "trust-proxy",
    value: "ADDRESS",
    multiple: true,
    description: "Count --rate-limit by the X-Real-IP or X-Forwarded-For this proxy sends (repeatable)",
    note: 'Per request: "Prefer: code=503" answers that error, "Prefer: delay=300" adds latency.',
  },
  { name: "quiet", description: "No access log on stderr", section: "" },
  { name: "help", short: "h", description: "Show this help and exit" },
  { name: "version", short: "V", description: "Show the version and exit" },
];

/** One line on how to call the server. */
export const SERVER_USAGE: string = usageLine(SERVER_PROGRAM, SERVER_FLAGS);

/** The server's `--help` text, from {@linkcode SERVER_FLAGS} and a description of its routes. */
export function serverHelp(routes: string): string {
  return `Local weather API server.

${SERVER_USAGE}

${flagHelp(SERVER_FLAGS, 16)}

${routes}

SIGINT or SIGTERM stops after the requests in flight, waiting --grace ms at most; another
signal stops at once (the first one repeated within 2 s counts once).`;
}

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
  /** Milliseconds a shutdown waits for the requests in flight before it stops anyway. */
  grace: number;
  /** Milliseconds a shutdown first answers on, asking clients to close their connections (`--drain`). */
  drain: number;
  /** The weather model's frozen clock, epoch ms (`--now`); undefined for the real clock. */
  now: number | undefined;
  /** The only OpenWeatherMap keys accepted (`--api-key`); undefined accepts any non-empty key. */
  apiKeys: string[] | undefined;
  /** Live weather from this API (`--upstream`), or undefined for the model alone. */
  upstream: { url: string; ttlMs: number; timeoutMs: number } | undefined;
  /** Listen with SO_REUSEPORT (`--reuse-port`), so that another server can take the same port. */
  reusePort: boolean;
  /** Proxies whose forwarded client address is believed (`--trust-proxy`), canonical; empty for none. */
  trustProxy: string[];
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
  return parseServer(args, env).command;
}

function parseServer(
  args: readonly string[],
  env: { HOST?: string | undefined; PORT?: string | undefined },
): { command: ServerCommand; given: ReadonlySet<string> } {
  const { values, given, source } = parseFlags(args, SERVER_FLAGS, false, env);
  if (values.help) return { command: { kind: "help" }, given };
  if (values.version) return { command: { kind: "version" }, given };
  const host = values.host as string;
  if (host.trim() === "") throw new TypeError('Invalid host "": give an address such as 127.0.0.1');
  const port = parsePort(values.port as string, source("port"));
  const data = values.data as string | undefined;
  if (data !== undefined && data.trim() === "") throw new TypeError('Invalid data path "": give a file path');
  const maxAge = parseWholeNumber(values["max-age"] as string, "max-age", 0, 31_536_000);
  const cors = parseCors(values.cors as string[] | undefined);
  const controls: MockControls = {};
  if (values.delay !== undefined) controls.delay = parseDelay(values.delay as string);
  if (values["fail-rate"] !== undefined) controls.failRate = parseFailRate(values["fail-rate"] as string);
  if (values.seed !== undefined) {
    controls.seed = parseWholeNumber(values.seed as string, "seed", 0, 4_294_967_295);
  }
  if (values["rate-limit"] !== undefined) controls.rateLimit = parseRateLimit(values["rate-limit"] as string);
  const command: ServerCommand = {
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
      grace: parseWholeNumber(values.grace as string, "grace", 0, 600_000),
      drain: parseWholeNumber(values.drain as string, "drain", 0, 60_000),
      now: values.now === undefined ? undefined : parseInstant(values.now as string),
      apiKeys: parseApiKeys(values["api-key"] as string[] | undefined),
      upstream: parseUpstream(values, given),
      reusePort: values["reuse-port"] === true,
      trustProxy: parseTrustProxy(values["trust-proxy"] as string[] | undefined),
    },
  };
  return { command, given };
}

/**
 * Parses the `--trust-proxy` values: IP addresses, returned canonical and without repeats.
 * Throws `TypeError` for a value that is not an address.
 */
export function parseTrustProxy(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map((value) => canonicalAddress(value, "trust-proxy address")))];
}

/** The cluster's flags, in the order usage and `--help` show them. */
export const CLUSTER_FLAGS: readonly Flag[] = [
  { name: "instances", value: "N", default: "2", description: "Server instances behind nginx, 1 to 64" },
  { name: "host", value: "HOST", default: "127.0.0.1", description: "Address nginx listens on" },
  { name: "port", value: "PORT", default: "5000", description: "Port nginx listens on, 0 for any free one" },
  {
    name: "data",
    value: "PATH",
    description: "Data file every instance serves and reloads (default: the bundled data/weather.json)",
  },
  {
    name: "rate-limit",
    value: "N/s|N/min",
    description: "Answer 429 beyond N requests per second or minute per client, in nginx for the cluster",
  },
  { name: "no-cache", description: "Keep no shared cache in nginx: every request reaches an instance" },
  {
    name: "nginx",
    value: "PATH",
    description: "The nginx program (default: nginx on PATH, else /usr/sbin/nginx)",
  },
  { name: "help", short: "h", description: "Show this help and exit" },
];

/** One line on how to call the cluster. */
export const CLUSTER_USAGE: string = usageLine("deno task cluster", CLUSTER_FLAGS, "[-- SERVER FLAGS...]");

/** The cluster's `--help` text, from {@linkcode CLUSTER_FLAGS}. */
export const CLUSTER_HELP =
  `A cluster of weather servers: nginx in front of several instances on loopback ports, with
failover between them, a shared cache and, with --rate-limit, one rate limit for all of them.

${CLUSTER_USAGE}

${flagHelp(CLUSTER_FLAGS, 20)}

Server flags after -- go to every instance (deno task serve --help lists them), all but
--host, --port, --reuse-port and --data, which the cluster sets.

It prints the URL nginx serves. SIGHUP restarts the instances one at a time, with no failed
request; SIGINT or SIGTERM stops nginx once its requests in flight are answered, then the
instances; another signal stops at once.`;

/** Settings of a cluster run. */
export interface ClusterRunOptions {
  instances: number;
  /** Where nginx listens. */
  host: string;
  port: number;
  /** Data file path for every instance; undefined means the bundled file. */
  data: string | undefined;
  /** The cluster-wide rate limit nginx enforces; undefined for none. */
  rateLimit: { limit: number; windowMs: number } | undefined;
  /** Keep a shared cache in nginx (`--no-cache` turns it off). */
  cache: boolean;
  /** The nginx program given with `--nginx`; undefined to look for it. */
  nginx: string | undefined;
  /** The server flags after `--`, as given, for every instance. */
  serverArgs: string[];
  /** What those server flags set. */
  server: ServerOptions;
}

/** What the cluster was asked to do. */
export type ClusterCommand = { kind: "help" } | { kind: "run"; options: ClusterRunOptions };

/** Server flags the cluster sets for each instance, and why they cannot be given after `--`. */
const CLUSTER_OWNED: Readonly<Record<string, string>> = {
  host: "instances listen on 127.0.0.1; give --host before -- for nginx",
  port: "instances listen on ports of their own; give --port before -- for nginx",
  "reuse-port": "the cluster sets it where it can",
  data: "give --data before --",
  help: "see deno task serve --help",
  version: "see deno task serve --version",
};

/**
 * Parses the cluster's arguments: its own flags, then after a `--` the server flags for every
 * instance, checked as the server checks them. Throws `TypeError` or `RangeError` for a usage
 * error.
 *
 * @example
 * ```ts
 * parseClusterArgs(["--instances", "4", "--", "--quiet"]); // { kind: "run", options: { instances: 4, ... } }
 * ```
 */
export function parseClusterArgs(args: readonly string[]): ClusterCommand {
  const split = args.indexOf("--");
  const own = split === -1 ? args : args.slice(0, split);
  const serverArgs = split === -1 ? [] : args.slice(split + 1);
  const { values } = parseFlags(own, CLUSTER_FLAGS, false);
  if (values.help) return { kind: "help" };
  const host = values.host as string;
  if (host.trim() === "") throw new TypeError('Invalid host "": give an address such as 127.0.0.1');
  const data = values.data as string | undefined;
  if (data !== undefined && data.trim() === "") throw new TypeError('Invalid data path "": give a file path');
  const nginx = values.nginx as string | undefined;
  if (nginx !== undefined && nginx.trim() === "") {
    throw new TypeError('Invalid nginx path "": give a program');
  }
  const { command, given } = parseServer(serverArgs, {});
  for (const name of given) {
    const why = CLUSTER_OWNED[name];
    if (why !== undefined) throw new TypeError(`Server flag "--${name}" is the cluster's to set: ${why}`);
  }
  if (command.kind !== "serve") throw new TypeError("Server flags after -- must be flags to serve with");
  return {
    kind: "run",
    options: {
      instances: parseWholeNumber(values.instances as string, "instance count", 1, 64),
      host,
      port: parsePort(values.port as string),
      data,
      rateLimit: values["rate-limit"] === undefined
        ? undefined
        : parseRateLimit(values["rate-limit"] as string),
      cache: values["no-cache"] !== true,
      nginx,
      serverArgs,
      server: command.options,
    },
  };
}

/** `--upstream` and its settings; the settings alone are a usage error. */
function parseUpstream(values: ParsedFlags["values"], given: ReadonlySet<string>): ServerOptions["upstream"] {
  const ttlMs = parseWholeNumber(values["upstream-ttl"] as string, "upstream-ttl", 1, 86_400) * 1000;
  const timeoutMs = parseWholeNumber(values["upstream-timeout"] as string, "upstream-timeout", 1, 60_000);
  if (values.upstream === undefined) {
    const stray = ["upstream-ttl", "upstream-timeout"].find((name) => given.has(name));
    if (stray !== undefined) throw new TypeError(`Option "--${stray}" needs --upstream`);
    return undefined;
  }
  return { url: parseUpstreamUrl(values.upstream as string), ttlMs, timeoutMs };
}

/**
 * An upstream base URL as the server keeps it: checked by `parseUpstreamBase`, without a trailing
 * slash; "" stands for {@linkcode DEFAULT_UPSTREAM}.
 */
export function parseUpstreamUrl(text: string): string {
  return parseUpstreamBase(text === "" ? DEFAULT_UPSTREAM : text).href.replace(/\/+$/, "");
}

/** How the client is named in its usage line and `--version`: the standalone executable's name. */
export const CLIENT_PROGRAM = "weather-client";

/** The client's flags, in the order usage and `--help` show them. */
export const CLIENT_FLAGS: readonly Flag[] = [
  {
    name: "url",
    value: "URL",
    default: "http://127.0.0.1:5000",
    env: "WEATHER_URL",
    description: "Server address",
  },
  {
    name: "units",
    value: "UNITS",
    description: "metric (°C, km/h, hPa), imperial (°F, mph, inHg) or si (K, m/s, Pa)",
  },
  { name: "json", description: "Print JSON: the API's bodies, one per line" },
  {
    name: "days",
    value: "N",
    description: `Forecast days from today, 1 to ${FORECAST_DAYS} (default: 7)`,
  },
  {
    name: "hours",
    value: "N",
    description: `Forecast hours from now, 0 to ${FORECAST_HOURS} (default: 0)`,
  },
  {
    name: "timeout",
    value: "MS",
    default: "5000",
    description: "Give up on an attempt after MS milliseconds",
  },
  {
    name: "retries",
    value: "N",
    default: "2",
    description: "Retry N times after a connection error, timeout, 429 or 5xx",
  },
  { name: "help", short: "h", description: "Show this help and exit" },
  { name: "version", short: "V", description: "Show the version and exit" },
];

/** The client's commands, as usage and `--help` show them. */
const CLIENT_COMMANDS: readonly (readonly [string, string])[] = [
  ["(none)", "List the cities, then show Tokyo's weather"],
  ["cities", "List the cities"],
  ["weather CITY...", "Show the weather of one or more cities"],
  ["forecast CITY", "Show a city's forecast by day, and by hour with --hours"],
  ["health", "Show the server's health"],
];

/** One line on how to call the client. */
export const CLIENT_USAGE: string = usageLine(
  CLIENT_PROGRAM,
  CLIENT_FLAGS,
  `[${CLIENT_COMMANDS.slice(1).map(([command]) => command).join(" | ")}]`,
);

/** The client's `--help` text, from {@linkcode CLIENT_FLAGS}. */
export const CLIENT_HELP = `Client for the local weather API.

${CLIENT_USAGE}

Commands:
${helpRows(CLIENT_COMMANDS, 19).join("\n")}

${flagHelp(CLIENT_FLAGS, 19)}

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
  | { kind: "weather"; cities: string[]; options: ClientOptions }
  | {
    kind: "forecast";
    city: string;
    /** Days asked for; undefined leaves the server's default. */
    days: number | undefined;
    /** Hours asked for, 0 unless given: the table shows hours only when asked. */
    hours: number;
    options: ClientOptions;
  };

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

const FORECAST_ONLY = ["days", "hours"];
const OTHER_COMMANDS = new Set([undefined, "cities", "health", "weather"]);

/**
 * Parses the client's arguments, with `WEATHER_URL` from `env` as the fallback server address.
 * Throws `TypeError` or `RangeError` for a usage error.
 */
export function parseClientArgs(
  args: readonly string[],
  env: { WEATHER_URL?: string | undefined } = {},
): ClientCommand {
  const { values, positionals } = parseFlags(args, CLIENT_FLAGS, true, env);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const options: ClientOptions = {
    url: parseBaseUrl(values.url as string),
    json: values.json === true,
    timeout: parseWholeNumber(values.timeout as string, "timeout", 1, 2_147_483_647),
    units: parseUnits(values.units as string | undefined),
    retries: parseWholeNumber(values.retries as string, "retries", 0, 10),
  };
  const [command, ...rest] = positionals;
  // An unknown command is the error to report first, even with forecast flags after it.
  const stray = command === "forecast" || !OTHER_COMMANDS.has(command)
    ? undefined
    : FORECAST_ONLY.find((name) => values[name] !== undefined);
  if (stray !== undefined) throw new TypeError(`Option "--${stray}" is only for the "forecast" command`);
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
    case "forecast":
      if (rest.length === 0) throw new TypeError('Command "forecast" needs a city');
      if (rest.length > 1) {
        throw new TypeError(
          `Command "forecast" takes one city, got ${rest.length}: quote a name with spaces, like "New York"`,
        );
      }
      return {
        kind: "forecast",
        city: rest[0]!,
        days: values.days === undefined
          ? undefined
          : parseWholeNumber(values.days as string, "days", 1, FORECAST_DAYS),
        hours: values.hours === undefined
          ? 0
          : parseWholeNumber(values.hours as string, "hours", 0, FORECAST_HOURS),
        options,
      };
    default:
      throw new TypeError(
        `Unknown command ${JSON.stringify(command)}: expected cities, weather, forecast or health`,
      );
  }
}

/** How the recording command is named in its usage line: it runs as a task. */
export const RECORD_PROGRAM = "deno task record";

/** The recording command's flags, in the order usage and `--help` show them. */
export const RECORD_FLAGS: readonly Flag[] = [
  {
    name: "upstream",
    value: "URL",
    optionalValue: true,
    required: true,
    description: `Open-Meteo-compatible API to record from; alone: ${DEFAULT_UPSTREAM}`,
  },
  {
    name: "out",
    value: "FILE",
    required: true,
    description: "Data file to write; an existing one is replaced only by a complete, valid recording",
  },
  {
    name: "data",
    value: "CITIES",
    description: "Data file of the cities to record (default: the bundled data/weather.json)",
  },
  {
    name: "days",
    value: "N",
    default: "16",
    description: `Days of forecast, today included, 1 to ${FORECAST_DAYS}`,
  },
  { name: "past-days", value: "N", default: "2", description: `Days before today, 0 to ${PAST_DAYS}` },
  {
    name: "partial",
    description: "When some cities fail, write those recorded (the exit status is still 1)",
  },
  { name: "concurrency", value: "N", default: "4", description: "Requests in flight at most, 1 to 16" },
  { name: "help", short: "h", description: "Show this help and exit" },
];

/** One line on how to call the recording command. */
export const RECORD_USAGE: string = usageLine(RECORD_PROGRAM, RECORD_FLAGS);

/** The recording command's `--help` text, from {@linkcode RECORD_FLAGS}. */
export const RECORD_HELP = `Record live weather from an Open-Meteo-compatible API into a data file.

${RECORD_USAGE}

${flagHelp(RECORD_FLAGS, 20)}

Each city of CITIES keeps its name and metadata; its current conditions become the upstream's,
and its scenarios two series: the upstream's hours, and its current 15-minute slot. Progress and
the summary go to stderr.

Exit status: 0 every city recorded, 1 some failed (nothing written without --partial),
2 usage error, 3 the upstream could not be reached at all.`;

/** Settings of a recording. */
export interface RecordArgs {
  /** The upstream's base URL. */
  upstream: URL;
  /** The data file to write. */
  out: string;
  /** The data file of the cities; undefined means the bundled file. */
  data: string | undefined;
  /** Days of forecast asked for. */
  forecastDays: number;
  /** Days of the past asked for. */
  pastDays: number;
  /** Write the cities recorded even when some failed. */
  partial: boolean;
  /** Requests in flight at most. */
  concurrency: number;
}

/** What the recording command was asked to do. */
export type RecordCommand = { kind: "help" } | { kind: "record"; options: RecordArgs };

/**
 * Parses the recording command's arguments. Throws `TypeError` or `RangeError` for a usage error;
 * the caller prints it with {@linkcode RECORD_USAGE}.
 *
 * @example
 * ```ts
 * parseRecordArgs(["--upstream", "--out", "live.json"]); // { kind: "record", options: { upstream: URL "https://api.open-meteo.com/", ... } }
 * ```
 */
export function parseRecordArgs(args: readonly string[]): RecordCommand {
  const { values } = parseFlags(args, RECORD_FLAGS, false);
  if (values.help) return { kind: "help" };
  for (const flag of RECORD_FLAGS) {
    if (flag.required && values[flag.name] === undefined) {
      throw new TypeError(`Missing option "--${flag.name}"`);
    }
  }
  const out = values.out as string;
  if (out.trim() === "") throw new TypeError('Invalid output path "": give a file path');
  const data = values.data as string | undefined;
  if (data !== undefined && data.trim() === "") throw new TypeError('Invalid data path "": give a file path');
  const upstream = values.upstream as string;
  return {
    kind: "record",
    options: {
      upstream: parseUpstreamBase(upstream === "" ? DEFAULT_UPSTREAM : upstream),
      out,
      data,
      forecastDays: parseWholeNumber(values.days as string, "days", 1, FORECAST_DAYS),
      pastDays: parseWholeNumber(values["past-days"] as string, "past-days", 0, PAST_DAYS),
      partial: values.partial === true,
      concurrency: parseWholeNumber(values.concurrency as string, "concurrency", 1, 16),
    },
  };
}

/** The environment variable `name`, or undefined when unset or not permitted (`--allow-env`). */
export function optionalEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}
