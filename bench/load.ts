// HTTP load benchmark: `deno task bench:load [options]`; `--help` lists them.
//
// For each route it starts a bare Deno.serve baseline (bench/baseline.ts) answering the exact bytes
// our server sends for that route, and drives the baseline and our server in turn with wrk:
// baseline, ours, baseline, ours... so that each of our runs is paired with a baseline run next to
// it in time. Ratios, not absolute numbers, are the result: the machine is shared and noisy.
import { parseArgs } from "node:util";
import { SERVER_V8_FLAGS } from "../scripts/compile.ts";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { cpuSeconds, peakRss, rawGet, type ServerProcess, startServer, stopAll } from "./_process.ts";
import { parseWrkOutput, type WrkResult } from "./wrk.ts";

const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();
/** As deno.json's serve and serve:parallel tasks run the server. */
const SERVER_V8_ARG = `--v8-flags=${SERVER_V8_FLAGS}`;

/**
 * How our server runs: single process with --quiet or the access log, or deno serve --parallel;
 * or "floor", not our server but the reference for what its features cost (bench/baseline.ts),
 * and "floor_logging", the floor writing our access log: what the log costs on this runtime.
 */
type Variant = "quiet" | "logging" | "parallel" | "floor" | "floor_logging" | "upstream";
const VARIANTS: readonly Variant[] = ["quiet", "logging", "parallel", "floor", "floor_logging", "upstream"];

interface Route {
  name: string;
  /** Path and query; `{last}` stands for the last city of the big file, percent-encoded. */
  path: string;
  big?: boolean;
  headers?: Record<string, string>;
  /** Send the route's own ETag in If-None-Match: a 304 revalidation. */
  revalidate?: boolean;
  variants: Variant[];
  /** wrk connections for this route, when the default would only queue up. */
  connections?: number;
  /** The least ratio to the baseline (bare Deno.serve, the same bytes) a variant must reach. */
  targets?: Partial<Record<Variant, number>>;
  /** The least share of the floor a variant must reach, where the floor runs (`--floor`). */
  floorTargets?: Partial<Record<Variant, number>>;
}

/** What a typical app asks Open-Meteo: six current, six hourly and six daily variables, 7 days, its zone. */
const OPEN_METEO_APP_QUERY = "latitude=35.6762&longitude=139.6503" +
  "&current=temperature_2m,relative_humidity_2m,apparent_temperature,precipitation,weather_code,wind_speed_10m" +
  "&hourly=temperature_2m,precipitation_probability,precipitation,weather_code,wind_speed_10m,uv_index" +
  "&daily=weather_code,temperature_2m_max,temperature_2m_min,sunrise,sunset,precipitation_sum&timezone=auto";

const ROUTES: readonly Route[] = [
  {
    name: "get_weather",
    path: "/get_weather?city=Tokyo",
    variants: ["quiet", "logging"],
    floorTargets: { quiet: 0.95, logging: 0.9 },
  },
  {
    name: "weather_city",
    path: "/weather/Tokyo",
    variants: ["quiet", "logging"],
    floorTargets: { quiet: 0.95, logging: 0.9 },
  },
  {
    name: "cities",
    path: "/weather/cities",
    variants: ["quiet", "logging"],
    floorTargets: { quiet: 0.95, logging: 0.9 },
  },
  {
    name: "revalidate",
    path: "/weather/Tokyo",
    revalidate: true,
    variants: ["quiet"],
    floorTargets: { quiet: 0.95 },
  },
  {
    name: "forecast",
    path: "/weather/Tokyo/forecast",
    variants: ["quiet", "logging"],
    targets: { quiet: 0.8 },
    floorTargets: { quiet: 0.95, logging: 0.9 },
  },
  {
    name: "open_meteo_json",
    path: `/v1/forecast?${OPEN_METEO_APP_QUERY}`,
    variants: ["quiet"],
    targets: { quiet: 0.8 },
    floorTargets: { quiet: 0.95 },
  },
  {
    name: "open_meteo_flatbuffers",
    path: `/v1/forecast?${OPEN_METEO_APP_QUERY}&format=flatbuffers`,
    variants: ["quiet"],
    targets: { quiet: 0.8 },
    floorTargets: { quiet: 0.95 },
  },
  {
    name: "owm_weather",
    path: "/data/2.5/weather?q=Tokyo&appid=bench",
    variants: ["quiet"],
    targets: { quiet: 0.8 },
    floorTargets: { quiet: 0.95 },
  },
  {
    // With --upstream (another of our servers), every answer a cache hit after the first.
    name: "live_forecast",
    path: "/weather/Tokyo/forecast",
    variants: ["quiet", "upstream"],
    targets: { quiet: 0.8, upstream: 0.8 },
  },
  {
    name: "owm_onecall",
    path: "/data/3.0/onecall?lat=35.6762&lon=139.6503&appid=bench",
    variants: ["quiet"],
    targets: { quiet: 0.8 },
  },
  { name: "big_lookup", path: "/get_weather?city={last}", big: true, variants: ["quiet"] },
  { name: "big_cities", path: "/weather/cities", big: true, variants: ["quiet"] },
  {
    name: "big_cities_br",
    path: "/weather/cities",
    big: true,
    headers: { "accept-encoding": "gzip, deflate, br" },
    // Each answer may take our server seconds: more connections would only queue and time out.
    connections: 4,
    variants: ["quiet"],
  },
];

const USAGE = "Usage: load.ts [--duration S] [--rounds N] [--connections N] [--threads N] [--warmup S]\n" +
  "               [--routes A,B] [--variants quiet,logging,parallel,floor] [--parallel] [--floor]\n" +
  "               [--log-sink pipe|null] [--pin | --no-pin] [--cities N] [--help]";

const HELP = `Drives our server and a bare Deno.serve baseline with wrk, alternating, and prints a table.

${USAGE}

  --duration S       seconds per wrk run (default 3)
  --rounds N         baseline/ours pairs per route and variant (default 3); medians are reported
  --connections N    wrk connections (default 50)
  --threads N        wrk threads (default 2)
  --warmup S         seconds of unrecorded load on each server before a route's rounds (default 1)
  --routes A,B       routes to run (default all): ${ROUTES.map((r) => r.name).join(", ")}
  --variants V,W     our server's variants for every route, instead of each route's default
                     (quiet: --quiet; logging: the access log on stderr; parallel: deno serve --parallel;
                     upstream: --quiet --upstream, another of our servers as the upstream)
  --parallel         add the parallel variant to every route; implies --no-pin
  --floor            add the floor to every route: bench/baseline.ts --floor, a minimal handler
                     that reads what our server reads and sends the headers it sends, through
                     Deno's API; it shows what the features cost on this runtime. Routes with the
                     logging variant also get floor_logging: the floor writing our access log
  --log-sink S       where the logging variant's stderr goes: pipe (default; drained by this script,
                     as a log collector would) or null (/dev/null)
  --pin, --no-pin    pin servers to CPU 0 and wrk to CPU 1 with taskset (default: on when taskset
                     exists, there are 2 or more CPUs, and --parallel is not given)
  --cities N         cities in the big data file of the big_* routes (default 100000)`;

interface Options {
  duration: number;
  rounds: number;
  connections: number;
  threads: number;
  warmup: number;
  routes: Route[];
  logSink: "pipe" | "null";
  pin: boolean;
  cities: number;
}

function positive(text: string, what: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected an integer from ${min}`);
  }
  return value;
}

async function canRun(command: string, args: string[]): Promise<boolean> {
  try {
    await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function parseOptions(args: string[]): Promise<Options | "help"> {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "50" },
      threads: { type: "string", default: "2" },
      warmup: { type: "string", default: "1" },
      routes: { type: "string" },
      variants: { type: "string" },
      parallel: { type: "boolean" },
      floor: { type: "boolean" },
      "log-sink": { type: "string", default: "pipe" },
      pin: { type: "boolean" },
      "no-pin": { type: "boolean" },
      cities: { type: "string", default: "100000" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const names = values.routes?.split(",").map((name) => name.trim()) ?? ROUTES.map((route) => route.name);
  for (const name of names) {
    if (!ROUTES.some((route) => route.name === name)) {
      throw new TypeError(`Unknown route ${JSON.stringify(name)}`);
    }
  }
  const variants = values.variants?.split(",").map((name) => name.trim()) as Variant[] | undefined;
  for (const variant of variants ?? []) {
    if (!VARIANTS.includes(variant)) throw new TypeError(`Unknown variant ${JSON.stringify(variant)}`);
  }
  const routes = ROUTES.filter((route) => names.includes(route.name)).map((route) => {
    const list = variants ?? [...route.variants];
    if (values.parallel && !list.includes("parallel")) list.push("parallel");
    if (values.floor && !list.includes("floor")) list.push("floor");
    if (values.floor && list.includes("logging") && !list.includes("floor_logging")) {
      list.push("floor_logging");
    }
    return { ...route, variants: list };
  });
  const sink = values["log-sink"];
  if (sink !== "pipe" && sink !== "null") throw new TypeError(`Unknown log sink ${JSON.stringify(sink)}`);
  const parallel = routes.some((route) => route.variants.includes("parallel"));
  const pinnable = navigator.hardwareConcurrency >= 2 && await canRun("taskset", ["-V"]);
  if (values.pin && !pinnable) throw new TypeError("Cannot pin: taskset is missing or there is only one CPU");
  if (values.pin && parallel) throw new TypeError("Cannot pin with the parallel variant: it needs every CPU");
  return {
    duration: positive(values.duration, "duration"),
    rounds: positive(values.rounds, "round count"),
    connections: positive(values.connections, "connection count"),
    threads: positive(values.threads, "thread count"),
    warmup: positive(values.warmup, "warmup", 0),
    routes,
    logSink: sink,
    pin: values.pin ?? (!values["no-pin"] && pinnable && !parallel),
    cities: positive(values.cities, "city count"),
  };
}

const median = (values: number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** One wrk run against one server, with the server's CPU time over the run. */
interface Run {
  wrk: WrkResult;
  cpuSeconds: number;
}

class Bench {
  readonly #servers = new Map<string, ServerProcess>();

  constructor(readonly options: Options, readonly tmp: string, readonly bigFile: string | undefined) {}

  #dataArgs(big: boolean | undefined): { file: string; read: string } {
    const data = new URL("data/", ROOT).pathname;
    return big ? { file: this.bigFile!, read: `${data},${this.bigFile}` } : { file: "", read: data };
  }

  /** Our server in `variant` over the bundled or the big data, started on first use. */
  async ours(variant: Variant, big: boolean | undefined): Promise<ServerProcess> {
    const key = `${variant}${big ? ` (${this.options.cities / 1000}k cities)` : ""}`;
    const running = this.#servers.get(key);
    if (running) return running;
    const { file, read } = this.#dataArgs(big);
    const cpus = this.options.pin ? "0" : undefined;
    const stderr = variant === "logging" ? this.options.logSink : "pipe";
    let server;
    if (variant === "parallel") {
      server = await startServer(key, DENO, [
        "serve",
        "--quiet",
        "--parallel",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--allow-net=127.0.0.1",
        `--allow-read=${read}`,
        "--allow-env=WEATHER_DATA,WEATHER_QUIET,WEATHER_NOW,WEATHER_SEED,WEATHER_API_KEYS,WEATHER_UPSTREAM",
        SERVER_V8_ARG,
        new URL("serve_parallel.ts", ROOT).pathname,
      ], { env: { WEATHER_QUIET: "1", ...(file ? { WEATHER_DATA: file } : {}) }, stderr, cpus });
    } else {
      // The upstream variant is a quiet server whose upstream is another of ours, the quiet one.
      const upstream = variant === "upstream"
        ? ["--upstream", (await this.ours("quiet", big)).url.origin]
        : [];
      server = await startServer(key, DENO, [
        "run",
        "--quiet",
        "--allow-net=127.0.0.1",
        `--allow-read=${read}`,
        SERVER_V8_ARG,
        new URL("server.ts", ROOT).pathname,
        "--port",
        "0",
        ...(variant === "logging" ? [] : ["--quiet"]),
        ...upstream,
        ...(file ? ["--data", file] : []),
      ], { stderr, cpus });
    }
    this.#servers.set(key, server);
    return server;
  }

  /** Runs wrk on `route` against `server` for `seconds`, pinned to CPU 1 when pinning. */
  async wrk(
    server: ServerProcess,
    route: Route,
    path: string,
    headers: Record<string, string>,
    seconds: number,
  ): Promise<Run> {
    const { threads, pin } = this.options;
    const connections = route.connections ?? this.options.connections;
    const args = [
      "-t",
      String(Math.min(threads, connections)),
      "-c",
      String(connections),
      "-d",
      `${seconds}s`,
    ];
    // A generous timeout: a slow answer should count with its latency, not as an error.
    args.push("--latency", "--timeout", "10s");
    for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
    args.push(new URL(path, server.url).href);
    const before = await cpuSeconds(server.pid);
    const output = await new Deno.Command(pin ? "taskset" : "wrk", {
      args: pin ? ["-c", "1", "wrk", ...args] : args,
      stdin: "null",
    }).output();
    const cpu = await cpuSeconds(server.pid) - before;
    const text = new TextDecoder().decode(output.stdout);
    if (!output.success) throw new Error(`wrk failed: ${text}${new TextDecoder().decode(output.stderr)}`);
    await this.settle(server);
    return { wrk: parseWrkOutput(text), cpuSeconds: cpu };
  }

  /**
   * Waits until `server` is idle: a server may still be working on requests wrk gave up on,
   * and that work would be charged to the next run on its CPU.
   */
  async settle(server: ServerProcess, limitMs = 30_000): Promise<void> {
    const start = performance.now();
    let last = await cpuSeconds(server.pid);
    while (performance.now() - start < limitMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await cpuSeconds(server.pid);
      if (now - last < 0.025) return; // under 10% of a CPU over the last 250 ms
      last = now;
    }
    progress(`  warning: ${server.name} still busy ${limitMs / 1000} s after wrk stopped`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((server) => server.stop()));
  }

  servers(): IterableIterator<ServerProcess> {
    return this.#servers.values();
  }
}

/** The measurements of one server on one route. */
interface Row {
  route: Route;
  path: string;
  variant: Variant | "baseline";
  runs: Run[];
  /** Paired ratios: each of our runs over the baseline run just before it. */
  ratios: number[];
  server: ServerProcess;
  rss: number;
}

function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

async function runRoute(bench: Bench, route: Route, bigLast: string | undefined): Promise<Row[]> {
  const { options, tmp } = bench;
  const path = route.path.replace("{last}", encodeURIComponent(bigLast ?? ""));
  const reference = await bench.ours("quiet", route.big);
  const headers = { ...route.headers };
  if (route.revalidate) {
    const etag = (await rawGet(reference.url, path, headers)).headers.get("etag");
    if (etag === undefined) throw new Error(`No ETag on ${path}`);
    headers["if-none-match"] = etag;
  }
  const probe = await rawGet(reference.url, path, headers);
  const expected = route.revalidate ? 304 : 200;
  if (probe.status !== expected) throw new Error(`${path}: expected ${expected}, got ${probe.status}`);

  // The baseline answers the same status, body bytes and representation headers.
  const bodyFile = `${tmp}/${route.name}.body`;
  await Deno.writeFile(bodyFile, probe.body);
  const baselineArgs = ["run", "--quiet", "--allow-net=127.0.0.1", `--allow-read=${bodyFile}`];
  baselineArgs.push(new URL("bench/baseline.ts", ROOT).pathname, "--status", String(probe.status));
  if (probe.body.length > 0) baselineArgs.push("--body", bodyFile);
  for (const name of ["content-type", "content-encoding"]) {
    const value = probe.headers.get(name);
    if (value !== undefined) baselineArgs.push("--header", `${name}: ${value}`);
  }
  const baseline = await startServer(`baseline ${route.name}`, DENO, baselineArgs, {
    cpus: options.pin ? "0" : undefined,
  });
  // The floor sends every header ours sent but the per-response ones, and sets a request id itself.
  const floorArgs = baselineArgs.filter((arg, i) => arg !== "--header" && baselineArgs[i - 1] !== "--header");
  for (const [name, value] of probe.headers) {
    if (!["date", "content-length", "x-request-id", "connection", "transfer-encoding"].includes(name)) {
      floorArgs.push("--header", `${name}: ${value}`);
    }
  }
  const floor = route.variants.includes("floor")
    ? await startServer(`floor ${route.name}`, DENO, [...floorArgs, "--floor"], {
      cpus: options.pin ? "0" : undefined,
    })
    : undefined;
  const floorLogging = route.variants.includes("floor_logging")
    ? await startServer(`floor with the access log ${route.name}`, DENO, [...floorArgs, "--floor", "--log"], {
      cpus: options.pin ? "0" : undefined,
      stderr: options.logSink,
    })
    : undefined;
  try {
    const servers = new Map<Variant, ServerProcess>();
    for (const variant of route.variants) {
      const server = variant === "floor"
        ? floor!
        : variant === "floor_logging"
        ? floorLogging!
        : await bench.ours(variant, route.big);
      const check = await rawGet(server.url, path, headers);
      if (check.status !== probe.status || check.body.length !== probe.body.length) {
        throw new Error(`${server.name} answers ${path} with ${check.status}, ${check.body.length} bytes`);
      }
      servers.set(variant, server);
    }
    if (options.warmup > 0) {
      for (const server of [baseline, ...servers.values()]) {
        await bench.wrk(server, route, path, headers, options.warmup);
      }
    }
    const baselineRow: Row = {
      route,
      path,
      variant: "baseline",
      runs: [],
      ratios: [],
      server: baseline,
      rss: 0,
    };
    const rows = new Map<Variant, Row>(
      route.variants.map((variant) => [variant, {
        route,
        path,
        variant,
        runs: [],
        ratios: [],
        server: servers.get(variant)!,
        rss: 0,
      }]),
    );
    for (let round = 1; round <= options.rounds; round++) {
      const line: string[] = [];
      for (const [variant, row] of rows) {
        const base = await bench.wrk(baseline, route, path, headers, options.duration);
        const ours = await bench.wrk(row.server, route, path, headers, options.duration);
        baselineRow.runs.push(base);
        row.runs.push(ours);
        row.ratios.push(ours.wrk.requestsPerSecond / base.wrk.requestsPerSecond);
        line.push(
          `${variant} ${Math.round(ours.wrk.requestsPerSecond)} vs ${Math.round(base.wrk.requestsPerSecond)}`,
        );
      }
      progress(`  ${route.name} round ${round}/${options.rounds}: ${line.join("; ")} req/s`);
    }
    baselineRow.rss = await peakRss(baseline.pid);
    for (const row of rows.values()) row.rss = await peakRss(row.server.pid);
    return [baselineRow, ...rows.values()];
  } finally {
    await baseline.stop();
    await floor?.stop();
    await floorLogging?.stop();
  }
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

/** The route as the table shows it: name, path, and what is special about it. */
function describe(route: Route, cities: number): string {
  const notes: string[] = [];
  if (route.big) notes.push(`${cities / 1000}k cities`);
  if (route.revalidate) notes.push("If-None-Match → 304");
  if (route.headers?.["accept-encoding"]) notes.push(`Accept-Encoding: ${route.headers["accept-encoding"]}`);
  return `${route.name} \`${route.path}\`${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}

function table(rows: Row[], cities: number): string {
  const lines = [
    "| route | variant | req/s | × baseline (range) | p50 ms | p99 ms | server CPU µs/req | peak RSS MB | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const wrk = row.runs.map((run) => run.wrk);
    // wrk reports 0 latency when no request finished within its 2 s timeout.
    const ms = (values: number[]) => median(values) > 0 ? fixed(median(values), 2) : "n/a";
    const ratio = row.variant === "baseline"
      ? "1"
      : `${fixed(median(row.ratios), 2)} (${fixed(Math.min(...row.ratios), 2)}–${
        fixed(Math.max(...row.ratios), 2)
      })`;
    const cpu = row.runs.filter((run) => run.wrk.requests > 0).map((run) =>
      run.cpuSeconds * 1e6 / run.wrk.requests
    );
    const cells = [
      describe(row.route, cities),
      row.variant,
      thousands(median(wrk.map((run) => run.requestsPerSecond))),
      ratio,
      ms(wrk.map((run) => run.latency.p50)),
      ms(wrk.map((run) => run.latency.p99)),
      cpu.length > 0 ? fixed(median(cpu), 1) : "n/a",
      fixed(row.rss / 2 ** 20, 0),
      String(wrk.reduce((n, run) => n + run.socketErrors + run.badStatus, 0)),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function targets(rows: Row[], bench: Bench): string[] {
  const out: string[] = [];
  const mark = (ok: boolean) => ok ? "met" : "NOT met";
  for (const row of rows) {
    const target = row.variant === "baseline" ? undefined : row.route.targets?.[row.variant];
    if (target === undefined) continue;
    const ratio = median(row.ratios);
    out.push(
      `- ${row.route.name} ${row.variant}: ${fixed(ratio, 2)} of baseline, target ≥ ${target}: ${
        mark(ratio >= target)
      }`,
    );
  }
  const ratioOf = (route: string, variant: Variant) => {
    const row = rows.find((r) => r.route.name === route && r.variant === variant);
    return row && median(row.ratios);
  };
  const small = ratioOf("get_weather", "quiet");
  const big = ratioOf("big_lookup", "quiet");
  if (small !== undefined && big !== undefined) {
    const scale = big / small;
    out.push(
      `- city lookup, ${bench.options.cities} vs 58 cities (ratio to baseline over ratio to baseline): ` +
        `${fixed(scale, 2)}, target ≥ 0.90: ${mark(scale >= 0.9)}`,
    );
  }
  for (const server of bench.servers()) {
    if (!server.name.includes("k cities")) continue;
    const row = rows.find((r) => r.server === server);
    if (row) {
      out.push(
        `- ${server.name}: up in ${fixed(server.startMs / 1000, 2)} s (target < 2 s: ${
          mark(server.startMs < 2000)
        }), peak RSS ${fixed(row.rss / 2 ** 20, 0)} MB (target < 300 MB: ${mark(row.rss < 300 * 2 ** 20)})`,
      );
    }
  }
  for (const route of new Set(rows.map((row) => row.route))) {
    const floor = rows.find((r) => r.route === route && r.variant === "floor");
    for (
      const row of rows.filter((r) => r.route === route && (r.variant === "quiet" || r.variant === "logging"))
    ) {
      if (!floor) break;
      // Paired with the same baseline, so this quotient too cancels the drift.
      const share = median(row.ratios) / median(floor.ratios);
      const target = row.variant === "baseline" ? undefined : route.floorTargets?.[row.variant];
      const logged = row.variant === "logging"
        ? rows.find((r) => r.route === route && r.variant === "floor_logging")
        : undefined;
      out.push(
        `- ${route.name} ${row.variant}: ${fixed(share, 2)} of the floor (the floor is ${
          fixed(median(floor.ratios), 2)
        } of the baseline)${target === undefined ? "" : `, target ≥ ${target}: ${mark(share >= target)}`}${
          logged === undefined
            ? ""
            : `; ${
              fixed(median(row.ratios) / median(logged.ratios), 2)
            } of the floor with the same access log` +
              ` (which is ${fixed(median(logged.ratios) / median(floor.ratios), 2)} of the floor)`
        }`,
      );
    }
    const single = rows.find((r) => r.route === route && r.variant === "quiet");
    const parallel = rows.find((r) => r.route === route && r.variant === "parallel");
    if (single && parallel) {
      // Both are paired with the same baseline: the quotient of their ratios cancels the drift.
      const times = median(parallel.ratios) / median(single.ratios);
      out.push(
        `- ${route.name}: deno serve --parallel does ${fixed(times, 2)}× the single process (--quiet)`,
      );
    }
  }
  return out;
}

/** The upstream calls a live server made, from its `/healthz`. */
async function upstreamCalls(server: ServerProcess): Promise<number> {
  const health = await rawGet(server.url, "/healthz", {});
  return JSON.parse(new TextDecoder().decode(health.body)).upstream.calls;
}

/**
 * Upstream calls per 1,000 client requests under a realistic pattern: for `seconds`, 32 clients
 * ask for the forecasts of every bundled city (a few popular ones most often, the rest in turn) of
 * a live server whose answers stay fresh `ttl` seconds. With coalescing that is about one call per
 * city per TTL, however many requests there are.
 */
async function upstreamPattern(bench: Bench, seconds: number, ttl: number): Promise<string> {
  const source = await bench.ours("quiet", false);
  const cities: string[] =
    JSON.parse(new TextDecoder().decode((await rawGet(source.url, "/weather/cities", {})).body))
      .cities;
  const live = await startServer("upstream pattern", DENO, [
    "run",
    "--quiet",
    "--allow-net=127.0.0.1",
    `--allow-read=${new URL("data/", ROOT).pathname}`,
    new URL("server.ts", ROOT).pathname,
    "--port",
    "0",
    "--quiet",
    "--upstream",
    source.url.origin,
    "--upstream-ttl",
    String(ttl),
  ]);
  try {
    let requests = 0, failed = 0, next = 0;
    const end = performance.now() + seconds * 1000;
    const client = async () => {
      while (performance.now() < end) {
        // Half the requests for five popular cities, half over the whole list in turn.
        const n = next++;
        const city = n % 2 === 0 ? cities[(n >> 1) % 5]! : cities[(n >> 1) % cities.length]!;
        const response = await fetch(new URL(`/weather/${encodeURIComponent(city)}/forecast`, live.url));
        await response.body?.cancel();
        requests++;
        if (response.status !== 200) failed++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    const calls = await upstreamCalls(live);
    const periods = Math.ceil(seconds / ttl);
    return `- upstream calls, ${cities.length} cities, --upstream-ttl ${ttl} s, ${seconds} s of 32 clients: ` +
      `${calls} calls for ${thousands(requests)} requests (${fixed(calls * 1000 / requests, 2)} per 1,000; ` +
      `one per city per TTL would be ${cities.length * periods}), ${failed} failed`;
  } finally {
    await live.stop();
  }
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    const parsed = await parseOptions(args);
    if (parsed === "help") return console.log(HELP), 0;
    options = parsed;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!await canRun("wrk", ["-v"])) {
    console.error("error: wrk is not installed: install it with `apt-get install wrk` (Debian, Ubuntu)");
    return 1;
  }
  const runs = options.routes.reduce((n, route) => n + 2 * route.variants.length * options.rounds, 0);
  const warmups = options.routes.reduce((n, route) => n + 1 + route.variants.length, 0) * options.warmup;
  progress(
    `bench:load: ${runs} wrk runs of ${options.duration} s (+${warmups} s warmup), ${options.threads} threads, ` +
      `${options.connections} connections; ${options.pin ? "servers on CPU 0, wrk on CPU 1" : "unpinned"}; ` +
      `about ${Math.ceil((runs * options.duration + warmups) / 60)} min`,
  );

  const [busy] = Deno.loadavg();
  if (busy! > navigator.hardwareConcurrency / 2) {
    progress(
      `warning: load average ${busy!.toFixed(2)} before starting: other work shares the CPUs; expect noise`,
    );
  }

  const tmp = await Deno.makeTempDir({ prefix: "weather-bench-" });
  const onSignal = () => {
    stopAll().finally(() => Deno.remove(tmp, { recursive: true }).catch(() => {})).finally(() =>
      Deno.exit(130)
    );
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let bench: Bench | undefined;
  try {
    let bigFile: string | undefined;
    let bigLast: string | undefined;
    if (options.routes.some((route) => route.big)) {
      const file = generateWeatherFile({ cities: options.cities, seed: 1 });
      bigFile = `${tmp}/weather-${options.cities}.json`;
      await Deno.writeTextFile(bigFile, formatWeatherFile(file));
      bigLast = file.cities.at(-1)!.name;
    }
    bench = new Bench(options, tmp, bigFile);
    const rows: Row[] = [];
    for (const route of options.routes) {
      progress(`${route.name}: ${route.variants.join(", ")} against the baseline`);
      rows.push(...await runRoute(bench, route, bigLast));
    }
    const load = Deno.loadavg().map((n) => n.toFixed(2)).join(", ");
    console.log(
      `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, load average ${load}; ` +
        `wrk -t${options.threads} -c${options.connections} -d${options.duration}s, ${options.rounds} rounds, ` +
        `${options.pin ? "servers pinned to CPU 0 and wrk to CPU 1" : "unpinned"}, ` +
        `access log to ${options.logSink === "pipe" ? "a drained pipe" : "/dev/null"}\n`,
    );
    console.log(table(rows, options.cities));
    const lines = targets(rows, bench);
    for (const row of rows.filter((r) => r.variant === "upstream")) {
      const requests = row.runs.reduce((n, run) => n + run.wrk.requests, 0);
      lines.push(
        `- ${row.route.name} upstream: ${await upstreamCalls(row.server)} upstream calls for ` +
          `${thousands(requests)} measured requests (and the warmup's)`,
      );
    }
    if (rows.some((r) => r.variant === "upstream")) lines.push(await upstreamPattern(bench, 30, 10));
    console.log(`\nTargets:\n${lines.join("\n")}`);
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await bench?.stop();
    await stopAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
