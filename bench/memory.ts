// Memory of the server with a big data file: `deno task bench:memory [options]`; `--help` lists them.
//
// Generates a synthetic file (100,000 cities by default), starts the server on it as `deno task
// serve` would, and reads VmRSS and VmHWM from /proc: the peak while loading, the resident set idle
// after start, and after a stream of requests that walks through the cities in every unit system.
// The issue's target is an RSS under 300 MB at all times, so the verdict is on the peak (VmHWM).
import { parseArgs } from "node:util";
import { SERVER_V8_FLAGS } from "../scripts/compile.ts";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { residentMemory, type ServerProcess, startServer, stopAll } from "./_process.ts";

const ROOT = new URL("../", import.meta.url);
const TARGET_MB = 300;

const USAGE = "Usage: memory.ts [--cities N] [--data PATH] [--runs N] [--requests N] [--connections N]\n" +
  "                 [--idle S] [--v8-flags FLAGS] [--help]";

const HELP = `Starts the server on a big data file and reports its resident memory (RSS) at load, idle, and
after requests, against the ${TARGET_MB} MB target.

${USAGE}

  --cities N        cities in the generated data file (default 100000)
  --data PATH       use this data file instead of generating one (needs --allow-read for it)
  --runs N          servers started one after the other; the worst figures count (default 3)
  --requests N      requests per run after the idle pause (default 20000)
  --connections N   requests in flight at once (default 16)
  --idle S          seconds to wait after start before the idle reading (default 2)
  --v8-flags FLAGS  passed to the server's deno as --v8-flags=FLAGS (default ${SERVER_V8_FLAGS}, as
                    deno task serve; "" for V8's own defaults), to compare settings`;

interface Options {
  cities: number;
  data: string | undefined;
  runs: number;
  requests: number;
  connections: number;
  idleMs: number;
  v8Flags: string | undefined;
}

function positive(text: string, what: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected an integer from ${min}`);
  }
  return value;
}

function parseOptions(args: string[]): Options | "help" {
  const { values } = parseArgs({
    args,
    options: {
      cities: { type: "string", default: "100000" },
      data: { type: "string" },
      runs: { type: "string", default: "3" },
      requests: { type: "string", default: "20000" },
      connections: { type: "string", default: "16" },
      idle: { type: "string", default: "2" },
      "v8-flags": { type: "string", default: SERVER_V8_FLAGS },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const idle = Number(values.idle);
  if (!(idle >= 0)) {
    throw new RangeError(`Invalid idle time ${JSON.stringify(values.idle)}: expected seconds`);
  }
  return {
    cities: positive(values.cities, "city count"),
    data: values.data,
    runs: positive(values.runs, "run count"),
    requests: positive(values.requests, "request count", 0),
    connections: positive(values.connections, "connection count"),
    idleMs: idle * 1000,
    v8Flags: values["v8-flags"],
  };
}

/** One server's figures, in bytes and milliseconds. */
interface Run {
  loadMs: number;
  /** VmHWM when the server starts listening: the peak of loading. */
  loadPeak: number;
  /** VmRSS when the server starts listening. */
  atListen: number;
  /** VmRSS after the idle pause. */
  idle: number;
  /** VmRSS after the requests. */
  afterRequests: number;
  /** VmHWM at the end: the peak over the whole run. */
  peak: number;
  requestsPerSecond: number;
}

/**
 * The request mix: city lookups walking through every city in turn, in each unit system (each
 * builds and caches a body), with every 100th the full city list and every 100th a miss that
 * scans all names for suggestions. Sends `Accept-Encoding` as browsers do.
 */
function requestPath(i: number, names: readonly string[]): string {
  if (i % 100 === 0) return "/weather/cities";
  if (i % 100 === 50) return `/weather/${encodeURIComponent(`${names[i % names.length]}zq`)}`;
  const units = ["metric", "imperial", "si"][i % 3]!;
  return `/weather/${encodeURIComponent(names[i % names.length]!)}?units=${units}`;
}

async function drive(server: ServerProcess, names: readonly string[], options: Options): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < options.requests) {
      const path = requestPath(next++, names);
      const response = await fetch(new URL(path, server.url), {
        headers: { "accept-encoding": "gzip, deflate, br" },
      });
      await response.arrayBuffer();
      if (response.status !== 200 && response.status !== 404) {
        throw new Error(`GET ${path}: status ${response.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  return options.requests / ((performance.now() - started) / 1000);
}

async function measure(file: string, options: Options): Promise<Run> {
  const server = await startServer(
    "server",
    Deno.execPath(),
    [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      `--allow-read=${file}`,
      ...(options.v8Flags ? [`--v8-flags=${options.v8Flags}`] : []),
      new URL("server.ts", ROOT).pathname,
      "--data",
      file,
      "--quiet",
      "--no-watch",
      "--port",
      "0",
    ],
    {},
    120_000,
  );
  try {
    const atListen = await residentMemory(server.pid);
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    const idle = await residentMemory(server.pid);
    const list = await fetch(new URL("/weather/cities", server.url));
    const { cities: names } = await list.json() as { cities: string[] };
    const requestsPerSecond = await drive(server, names, options);
    const after = await residentMemory(server.pid);
    return {
      loadMs: server.startMs,
      loadPeak: atListen.peak,
      atListen: atListen.rss,
      idle: idle.rss,
      afterRequests: after.rss,
      peak: after.peak,
      requestsPerSecond,
    };
  } finally {
    await server.stop();
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function report(runs: readonly Run[], options: Options, cities: number): boolean {
  const rows = runs.map((run, i) =>
    `| ${i + 1} | ${(run.loadMs / 1000).toFixed(2)} | ${mb(run.loadPeak)} | ${mb(run.atListen)} | ` +
    `${mb(run.idle)} | ${mb(run.afterRequests)} | ${mb(run.peak)} | ${run.requestsPerSecond.toFixed(0)} |`
  );
  console.log(
    [
      `Server RSS with ${cities.toLocaleString("en")} cities, ${options.requests} requests per run` +
      `${options.v8Flags ? `, --v8-flags=${options.v8Flags}` : ""}:`,
      "",
      "| run | start s | load peak MB | at listen MB | idle MB | after requests MB | peak MB | req/s |",
      "| --: | ------: | -----------: | -----------: | ------: | ----------------: | ------: | ----: |",
      ...rows,
      "",
    ].join("\n"),
  );
  const worst = Math.max(...runs.map((run) => run.peak));
  const slowest = Math.max(...runs.map((run) => run.loadMs));
  const memoryMet = worst < TARGET_MB * 2 ** 20;
  const loadMet = slowest < 2000;
  console.log(
    `Peak RSS ${mb(worst)} MB (target < ${TARGET_MB} MB): ${memoryMet ? "met" : "NOT met"}; ` +
      `start with the data loaded ${(slowest / 1000).toFixed(2)} s (target < 2 s): ${
        loadMet ? "met" : "NOT met"
      }`,
  );
  return memoryMet && loadMet;
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options === "help") return console.log(HELP), 0;
  const tmp = await Deno.makeTempDir({ prefix: "weather-memory-" });
  try {
    let file = options.data;
    let cities = options.cities;
    if (file === undefined) {
      file = `${tmp}/weather-${options.cities}.json`;
      await Deno.writeTextFile(file, formatWeatherFile(generateWeatherFile({ cities, seed: 1 })));
    } else {
      cities = (JSON.parse(await Deno.readTextFile(file)) as { cities: unknown[] }).cities.length;
    }
    const runs: Run[] = [];
    for (let i = 0; i < options.runs; i++) runs.push(await measure(file, options));
    return report(runs, options, cities) ? 0 : 1;
  } finally {
    await stopAll();
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
