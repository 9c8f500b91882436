// The cluster benchmark: `deno task bench:cluster [options]`; `--help` lists them.
//
// Side by side, in one run: throughput through nginx with 1, 2 and 4 instances (its cache off, so
// that every request reaches an instance), with the cache on, one instance direct, and
// `deno serve --parallel`; the cost of the proxy hop (latency with one connection, and nginx's CPU
// per request); and the cache's hit ratio under a few popular cities and a long tail.
import { parseArgs } from "node:util";
import { SERVER_V8_FLAGS } from "../scripts/compile.ts";
import { cpuSeconds, type ServerProcess, startServer, stopAll } from "./_process.ts";
import { parseWrkOutput, type WrkResult } from "./wrk.ts";

const ROOT = new URL("../", import.meta.url);
const DENO = Deno.execPath();
const decoder = new TextDecoder();

/** What a typical app asks Open-Meteo, as in bench:load. */
const OPEN_METEO_APP_QUERY = "latitude=35.6762&longitude=139.6503" +
  "&current=temperature_2m,relative_humidity_2m,apparent_temperature,precipitation,weather_code,wind_speed_10m" +
  "&hourly=temperature_2m,precipitation_probability,precipitation,weather_code,wind_speed_10m,uv_index" +
  "&daily=weather_code,temperature_2m_max,temperature_2m_min,sunrise,sunset,precipitation_sum&timezone=auto";

const PATHS: Record<string, string> = {
  weather: "/weather/Tokyo",
  open_meteo: `/v1/forecast?${OPEN_METEO_APP_QUERY}`,
};

const USAGE = "Usage: cluster.ts [--duration S] [--rounds N] [--connections N] [--instances 1,2,4]\n" +
  "                  [--paths weather,open_meteo] [--pattern-duration S] [--help]";

const HELP = `Measures deno task cluster against one server and deno serve --parallel, with wrk.

${USAGE}

  --duration S          seconds per wrk run (default 5)
  --rounds N            rounds over every variant, alternating; medians are reported (default 3)
  --connections N       wrk connections for throughput (default 50)
  --instances A,B       cluster sizes behind nginx, without its cache (default 1,2,4)
  --paths A,B           what to request: ${Object.keys(PATHS).join(", ")} (default both)
  --pattern-duration S  seconds of the popular-cities-and-long-tail pattern, at each rate (default 20)`;

interface Options {
  duration: number;
  rounds: number;
  connections: number;
  instances: number[];
  paths: string[];
  patternDuration: number;
}

function positive(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Invalid ${what} ${JSON.stringify(text)}: expected a whole number from 1`);
  }
  return value;
}

function parseOptions(args: string[]): Options | "help" {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: "string", default: "5" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "50" },
      instances: { type: "string", default: "1,2,4" },
      paths: { type: "string", default: Object.keys(PATHS).join(",") },
      "pattern-duration": { type: "string", default: "20" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const paths = values.paths.split(",").map((name) => name.trim());
  for (const name of paths) if (!(name in PATHS)) throw new TypeError(`Unknown path ${JSON.stringify(name)}`);
  return {
    duration: positive(values.duration, "duration"),
    rounds: positive(values.rounds, "round count"),
    connections: positive(values.connections, "connection count"),
    instances: values.instances.split(",").map((n) => positive(n.trim(), "instance count")),
    paths,
    patternDuration: positive(values["pattern-duration"], "pattern duration"),
  };
}

function progress(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

async function run(command: string, args: string[], ok: number[] = [0]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdin: "null" }).output();
  if (!ok.includes(output.code)) {
    throw new Error(`${command} ${args.join(" ")} failed: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

/** The pids of `pid`'s children whose command matches `pattern`. */
async function children(pid: number, pattern: RegExp): Promise<number[]> {
  // ps exits 1 when it lists nothing.
  const lines = (await run("ps", ["-o", "pid=,args=", "--ppid", String(pid)], [0, 1])).split("\n");
  return lines.filter((line) => pattern.test(line)).map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** A server under test, and the processes whose CPU time it costs, by part. */
interface Target {
  name: string;
  server: ServerProcess;
  /** The pids of each part: "server", or "nginx" and "instances". */
  parts: Record<string, number[]>;
}

/** The grants of task `name`, from deno.json. */
async function grantsOf(name: string): Promise<string[]> {
  const tasks: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  return tasks[name]!.split(" ").filter((word) => /^--(allow|deny)-/.test(word));
}

async function startCluster(instances: number, cache: boolean): Promise<Target> {
  const name = `cluster, ${instances} instance${instances === 1 ? "" : "s"}${cache ? ", cache on" : ""}`;
  const server = await startServer(name, DENO, [
    "run",
    "--quiet",
    ...await grantsOf("cluster"),
    new URL("scripts/cluster.ts", ROOT).pathname,
    "--port",
    "0",
    "--instances",
    String(instances),
    ...(cache ? [] : ["--no-cache"]),
    "--",
    "--quiet",
  ]);
  const [nginx] = await children(server.pid, /nginx: master/);
  const workers = await children(nginx!, /nginx: (?:worker|cache manager)/);
  return {
    name,
    server,
    parts: { nginx: [nginx!, ...workers], instances: await children(server.pid, /server\.ts/) },
  };
}

async function startDirect(): Promise<Target> {
  const server = await startServer("one server, direct", DENO, [
    "run",
    "--quiet",
    `--v8-flags=${SERVER_V8_FLAGS}`,
    "--allow-net=127.0.0.1",
    `--allow-read=${new URL("data/", ROOT).pathname}`,
    new URL("server.ts", ROOT).pathname,
    "--port",
    "0",
    "--quiet",
  ]);
  return { name: server.name, server, parts: { server: [server.pid] } };
}

async function startParallel(): Promise<Target> {
  const server = await startServer(`deno serve --parallel (${navigator.hardwareConcurrency} workers)`, DENO, [
    "serve",
    "--quiet",
    "--parallel",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    ...await grantsOf("serve:parallel"),
    `--v8-flags=${SERVER_V8_FLAGS}`,
    new URL("serve_parallel.ts", ROOT).pathname,
  ], { env: { WEATHER_QUIET: "1" } });
  return { name: server.name, server, parts: { server: [server.pid] } };
}

/** One wrk run: its result, and each part's CPU seconds over it. */
interface Run {
  wrk: WrkResult;
  cpu: Record<string, number>;
}

async function cpuOf(target: Target): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [part, pids] of Object.entries(target.parts)) {
    out[part] = (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  }
  return out;
}

async function wrk(target: Target, path: string, seconds: number, connections: number): Promise<Run> {
  const before = await cpuOf(target);
  const text = await run("wrk", [
    "-t",
    String(Math.min(2, connections)),
    "-c",
    String(connections),
    "-d",
    `${seconds}s`,
    "--latency",
    "--timeout",
    "10s",
    new URL(path, target.server.url).href,
  ]);
  const after = await cpuOf(target);
  const cpu = Object.fromEntries(Object.keys(after).map((part) => [part, after[part]! - before[part]!]));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { wrk: parseWrkOutput(text), cpu };
}

const median = (values: number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const thousands = (value: number) => Math.round(value).toLocaleString("en-US");

/** µs of CPU per request of each part, as "nginx 21 + instances 40", medians over the runs. */
function cpuPerRequest(runs: Run[]): string {
  const parts = Object.keys(runs[0]!.cpu);
  return parts.map((part) => {
    const value = median(runs.map((run) => run.cpu[part]! * 1e6 / Math.max(1, run.wrk.requests)));
    return `${part === "server" ? "" : `${part} `}${value.toFixed(0)}`;
  }).join(" + ");
}

// The access pattern: 95% of requests for a city drawn by Zipf's law (s = 1) over the bundled
// cities in file order, as our weather, Open-Meteo or OpenWeatherMap; 5% for Open-Meteo at a
// random point, which nothing else asks for. Each thread counts the cache statuses it gets.
const PATTERN_SCRIPT = `
local cities = {CITIES}
local weights, total = {}, 0
for k = 1, #cities do total = total + 1 / k; weights[k] = total end
local delay_ms = DELAY
counts = {}
local threads = {}
-- Each thread draws its own sequence: thread_id is a global of the thread's own Lua state.
function setup(thread) table.insert(threads, thread); thread:set("thread_id", #threads) end
function init(args) math.randomseed(SEED + thread_id) end
if delay_ms > 0 then function delay() return delay_ms end end
function request()
  local path
  if math.random() < 0.05 then
    path = string.format("/v1/forecast?latitude=%.2f&longitude=%.2f&current=temperature_2m",
      math.random() * 140 - 70, math.random() * 360 - 180)
  else
    local x, k = math.random() * total, 1
    while weights[k] < x do k = k + 1 end
    local city, kind = cities[k], math.random()
    if kind < 0.5 then path = "/weather/" .. city[1]
    elseif kind < 0.8 then
      path = "/v1/forecast?latitude=" .. city[2] .. "&longitude=" .. city[3] ..
        "&current=temperature_2m,weather_code&hourly=temperature_2m&timezone=auto"
    else path = "/data/2.5/weather?q=" .. city[1] .. "&appid=bench" end
  end
  return wrk.format("GET", path)
end
function response(status, headers, body)
  local key = headers["X-Cache-Status"] or ("status " .. status)
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do all[key] = (all[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(all) do table.insert(parts, string.format('"%s":%d', key, n)) end
  io.write("COUNTS {" .. table.concat(parts, ",") .. "}\\n")
end
`;

/** The cache statuses the pattern met at about `rate` requests a second (0: as fast as it can go). */
async function pattern(
  target: Target,
  seconds: number,
  rate: number,
): Promise<{ counts: Record<string, number>; requests: number; perSecond: number }> {
  const data = JSON.parse(await Deno.readTextFile(new URL("data/weather.json", ROOT)));
  const cities = data.cities.map((city: { name: string; latitude: number; longitude: number }) =>
    `{ ${JSON.stringify(encodeURIComponent(city.name))}, "${city.latitude}", "${city.longitude}" }`
  ).join(", ");
  const connections = rate === 0 ? 50 : 8;
  const delay = rate === 0 ? 0 : Math.round(connections * 1000 / rate);
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    await Deno.writeTextFile(
      script,
      PATTERN_SCRIPT.replace("{CITIES}", `{ ${cities} }`).replace("DELAY", String(delay))
        .replace("SEED", String(1000 + rate)),
    );
    const text = await run("wrk", [
      "-t",
      "2",
      "-c",
      String(connections),
      "-d",
      `${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      script,
      target.server.url.href,
    ]);
    const counts: Record<string, number> = JSON.parse(/^COUNTS (.*)$/m.exec(text)![1]!);
    const requests = Object.values(counts).reduce((a, b) => a + b, 0);
    return { counts, requests, perSecond: requests / seconds };
  } finally {
    await Deno.remove(script);
  }
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    const parsed = parseOptions(args);
    if (parsed === "help") return console.log(HELP), 0;
    options = parsed;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  for (const program of ["wrk", "nginx"]) {
    const found = await new Deno.Command(program, { args: ["-v"], stdout: "null", stderr: "null" }).output()
      .then(() => true, () => false);
    if (
      !found && !(program === "nginx" && await Deno.stat("/usr/sbin/nginx").then(() => true, () => false))
    ) {
      console.error(`error: ${program} is not installed: install it with \`apt-get install ${program}\``);
      return 1;
    }
  }
  const onSignal = () => void stopAll().finally(() => Deno.exit(130));
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    progress("bench:cluster: starting the servers and clusters");
    const direct = await startDirect();
    const parallel = await startParallel();
    const clusters = [];
    for (const n of options.instances) clusters.push(await startCluster(n, false));
    const cached = await startCluster(2, true);
    const targets = [direct, parallel, ...clusters, cached];

    const lines: string[] = [];
    const [load1] = Deno.loadavg();
    lines.push(
      `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, load average ${
        load1!.toFixed(2)
      } at the ` +
        `start; wrk -t2 -c${options.connections} -d${options.duration}s, ${options.rounds} round${
          options.rounds === 1 ? "" : "s"
        }, unpinned`,
      "",
      "| request | server | req/s | × one server | p50 ms | p99 ms | CPU µs/req | errors |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const name of options.paths) {
      const path = PATHS[name]!;
      const runs = new Map<Target, Run[]>(targets.map((target) => [target, []]));
      for (const target of targets) await wrk(target, path, 1, options.connections); // warm up
      for (let round = 1; round <= options.rounds; round++) {
        const line = [];
        for (const target of targets) {
          const result = await wrk(target, path, options.duration, options.connections);
          runs.get(target)!.push(result);
          line.push(thousands(result.wrk.requestsPerSecond));
        }
        progress(`  ${name} round ${round}/${options.rounds}: ${line.join(", ")} req/s`);
      }
      const base = median(runs.get(direct)!.map((run) => run.wrk.requestsPerSecond));
      for (const [target, list] of runs) {
        const rate = median(list.map((run) => run.wrk.requestsPerSecond));
        const errors = list.reduce((n, run) => n + run.wrk.socketErrors + run.wrk.badStatus, 0);
        lines.push(
          `| ${name} | ${target.name} | ${thousands(rate)} | ${(rate / base).toFixed(2)} | ${
            median(list.map((run) => run.wrk.latency.p50)).toFixed(2)
          } | ${median(list.map((run) => run.wrk.latency.p99)).toFixed(2)} | ${
            cpuPerRequest(list)
          } | ${errors} |`,
        );
      }
    }

    // The hop: one connection, one request at a time, so that latency is the path's own.
    progress("  the proxy hop: one connection");
    const one = clusters.find((target) => target.parts.instances!.length === 1) ?? clusters[0]!;
    lines.push(
      "",
      "| one connection, /weather/Tokyo | p50 ms | p99 ms | req/s | CPU µs/req |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    const hop: Record<string, Run[]> = { direct: [], cluster: [] };
    for (let round = 1; round <= options.rounds; round++) {
      hop.direct!.push(await wrk(direct, PATHS.weather!, options.duration, 1));
      hop.cluster!.push(await wrk(one, PATHS.weather!, options.duration, 1));
    }
    for (const [label, target] of [["direct", direct], ["cluster", one]] as const) {
      const list = hop[label]!;
      lines.push(
        `| ${target.name} | ${median(list.map((run) => run.wrk.latency.p50)).toFixed(3)} | ${
          median(list.map((run) => run.wrk.latency.p99)).toFixed(3)
        } | ${thousands(median(list.map((run) => run.wrk.requestsPerSecond)))} | ${cpuPerRequest(list)} |`,
      );
    }

    // The cache under a realistic pattern, at full speed and at a steady 200 requests a second, each
    // from a cold cache, as a test run would meet it.
    lines.push(
      "",
      "| pattern | requests | req/s | HIT | MISS | stale | other | hit ratio | to instances |",
    );
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const rate of [0, 200]) {
      progress(`  the access pattern, ${rate === 0 ? "as fast as wrk goes" : `${rate} req/s`}`);
      const fresh = await startCluster(2, true);
      const { counts, requests, perSecond } = await pattern(fresh, options.patternDuration, rate);
      await fresh.server.stop();
      const hit = counts.HIT ?? 0;
      const miss = counts.MISS ?? 0;
      const expired = (counts.EXPIRED ?? 0) + (counts.REVALIDATED ?? 0);
      const other = requests - hit - miss - expired;
      lines.push(
        `| ${
          rate === 0 ? "full speed, 50 connections" : `about ${rate} req/s, 8 connections`
        }, ${options.patternDuration} s | ${thousands(requests)} | ${thousands(perSecond)} | ${
          thousands(hit)
        } | ${thousands(miss)} | ${thousands(expired)} | ${thousands(other)} | ${
          (hit / requests * 100).toFixed(1)
        } % | ${thousands(requests - hit)} |`,
      );
    }
    const [after] = Deno.loadavg();
    lines.push("", `Load average at the end: ${after!.toFixed(2)}.`);
    console.log(lines.join("\n"));
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
