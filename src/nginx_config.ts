// The nginx configuration of a cluster: `deploy/nginx.conf` with its marks filled in.
import { openMeteoErrorBody } from "./dialects/open_meteo_errors.ts";
import { openWeatherMapErrorBody } from "./dialects/openweathermap_errors.ts";
import type { CorsPolicy } from "./cors.ts";
import { fail, problem } from "./problem.ts";

/** The values of a template's marks: text, a list (the line repeats per item), or undefined (the line goes). */
export type TemplateValues = Readonly<Record<string, string | readonly string[] | undefined>>;

const MARK = /\{\{([A-Z_]+)\}\}/g;

/**
 * Fills the `{{NAME}}` marks of `template` from `values`, line by line: a line whose marks are
 * all text gets them; a line with a list mark is written once per item (one list per line); a
 * line with an undefined mark is left out. Throws `RangeError` for a mark `values` does not
 * name, so that a template and its filler cannot drift apart unseen.
 *
 * @example
 * ```ts
 * fillTemplate("server {{INSTANCE}};\nuser {{USER}};\n", { INSTANCE: ["a:1", "a:2"], USER: undefined });
 * // "server a:1;\nserver a:2;\n"
 * ```
 */
export function fillTemplate(template: string, values: TemplateValues): string {
  const out: string[] = [];
  for (const line of template.split("\n")) {
    const names = [...line.matchAll(MARK)].map((match) => match[1]!);
    for (const name of names) {
      if (!Object.hasOwn(values, name)) throw new RangeError(`No value for the template mark {{${name}}}`);
    }
    if (names.some((name) => values[name] === undefined)) continue;
    const lists = new Set(names.filter((name) => Array.isArray(values[name])));
    if (lists.size > 1) throw new RangeError(`Two list marks on one template line: ${line.trim()}`);
    const [list] = lists;
    const items: readonly (string | undefined)[] = list === undefined
      ? [undefined]
      : values[list] as string[];
    for (const item of items) {
      out.push(line.replace(MARK, (_, name: string) => name === list ? item! : values[name] as string));
    }
  }
  return out.join("\n");
}

/** What a cluster's nginx is told: where it listens, its instances, and its own settings. */
export interface NginxSettings {
  /** The temporary directory of the pid file, the temporary files and the cache. */
  dir: string;
  /** Where nginx listens for clients. */
  listen: { host: string; port: number };
  /** The instances' ports on 127.0.0.1, in order. */
  ports: readonly number[];
  /** The `user` its workers run as: set it when nginx starts as root, else leave it out. */
  user?: string;
  /** The cluster-wide rate limit per client address; undefined for none. */
  rateLimit?: { limit: number; windowMs: number };
  /** Keep a shared cache. @default true */
  cache?: boolean;
  /** The servers' CORS policy, for the headers of nginx's own 429. @default { kind: "off" } */
  cors?: CorsPolicy;
}

/** `text` as a single-quoted nginx string. Throws `RangeError` for a `$`, which nginx would expand. */
function quoted(text: string): string {
  if (text.includes("$")) throw new RangeError(`Cannot put "$" in an nginx string: ${text}`);
  return text.replaceAll("\\", "\\\\").replaceAll("'", "\\'");
}

/**
 * The bodies of the 429 nginx answers beyond `--rate-limit`, as the server answers its own
 * rate-limit errors: the problem shape on our routes, each dialect's error on its routes.
 */
export function rateLimitedBodies(rateLimit: { limit: number; windowMs: number }): {
  ours: string;
  openMeteo: string;
  openWeatherMap: string;
} {
  const detail = `Too many requests: the limit is ${rateLimit.limit} per ${
    rateLimit.windowMs / 1000
  } s per client`;
  const failure = fail("rate_limited", detail);
  return {
    ours: JSON.stringify(problem("rate_limited", detail)),
    openMeteo: openMeteoErrorBody(failure).body,
    openWeatherMap: openWeatherMapErrorBody(failure).body,
  };
}

/** The `map` entries that give nginx's 429 the `Access-Control-Allow-Origin` the servers would send. */
function corsOrigins(cors: CorsPolicy): string[] | undefined {
  if (cors.kind === "off") return undefined;
  if (cors.kind === "any") return ['"~." "*";'];
  return [...cors.origins].map((origin) => `"${quoted(origin)}" $http_origin;`);
}

/**
 * The configuration of a cluster's nginx: `template` (the text of `deploy/nginx.conf`) filled in
 * for `settings`.
 *
 * @example
 * ```ts
 * nginxConfig(await Deno.readTextFile("deploy/nginx.conf"), {
 *   dir: "/tmp/weather-cluster-x", listen: { host: "127.0.0.1", port: 5000 }, ports: [40001, 40002],
 * });
 * ```
 */
export function nginxConfig(template: string, settings: NginxSettings): string {
  const { dir, listen, ports, user, rateLimit, cache = true, cors = { kind: "off" } } = settings;
  if (ports.length === 0) throw new RangeError("A cluster needs at least one instance");
  // nginx cannot say which port the system gave it: the cluster picks one.
  if (listen.port === 0) throw new RangeError("nginx needs a port of its own to listen on, not 0");
  if (/[\s;{}'"$]/.test(dir)) {
    throw new RangeError(`Cannot use the directory ${JSON.stringify(dir)} in nginx.conf`);
  }
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  const bodies = rateLimit && rateLimitedBodies(rateLimit);
  const windowSeconds = rateLimit && rateLimit.windowMs / 1000;
  return fillTemplate(template, {
    DIR: dir,
    USER: user,
    LISTEN: `${host}:${listen.port}`,
    INSTANCE: ports.map((port) => `127.0.0.1:${port}`),
    CACHE: cache ? "weather" : "off",
    RATE: rateLimit && `${rateLimit.limit}r/${rateLimit.windowMs === 1000 ? "s" : "m"}`,
    BURST: rateLimit && String(rateLimit.limit),
    // The bucket frees a place every window / limit.
    RETRY_AFTER: rateLimit && String(Math.max(1, Math.ceil(windowSeconds! / rateLimit.limit))),
    RATE_LIMITED: bodies && quoted(bodies.ours),
    RATE_LIMITED_OPEN_METEO: bodies && quoted(bodies.openMeteo),
    RATE_LIMITED_OPENWEATHERMAP: bodies && quoted(bodies.openWeatherMap),
    CORS_ORIGIN: corsOrigins(cors),
  });
}
