// Soak test: runs server.ts as a subprocess, drives it with many concurrent keep-alive connections
// for a set time while its data file is rewritten (valid versions, and now and then a broken one),
// then reports requests served, errors, latency and the server's memory over the run: its resident
// set (VmRSS) and the live V8 heap left by each full garbage collection.
//
//   deno task soak [--duration SECONDS] [--connections N] [--rewrite-every MS]
//
// Exits 1 if any request failed, or the last version written was not served at the end.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "64" },
    "rewrite-every": { type: "string", default: "500" },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`error: Invalid --${name} ${JSON.stringify(text)}: expected a whole number above 0`);
    Deno.exit(2);
  }
  return value;
}
const seconds = positive("duration", values.duration);
const connections = positive("connections", values.connections);
const rewriteEvery = positive("rewrite-every", values["rewrite-every"]);

const DIR = "test-output/soak";
const DATA = `${DIR}/weather.json`;
const base = JSON.parse(await Deno.readTextFile("data/weather.json"));
const names: string[] = base.cities.map((city: { name: string }) => city.name);

/** Version `n` of the data: the bundled cities, Tokyo's condition and temperature changed. */
function version(n: number): string {
  const [tokyo, ...rest] = base.cities;
  return JSON.stringify({
    cities: [
      { ...tokyo, current: { ...tokyo.current, condition: `Soak ${n}`, temperature: n % 50 } },
      ...rest,
    ],
  });
}

async function contentHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The resident set size of process `pid` in MB: the VmRSS of /proc/<pid>/status, read through
 * `ps` because Deno grants /proc/<pid> files only with --allow-all. Undefined where `ps` fails.
 */
async function rss(pid: number): Promise<number | undefined> {
  try {
    const { success, stdout } = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] })
      .output();
    const kb = Number(new TextDecoder().decode(stdout).trim());
    return success && kb > 0 ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}
const mb = (value: number | undefined) => value === undefined ? "n/a" : `${value.toFixed(1)} MB`;

await Deno.mkdir(DIR, { recursive: true });
await Deno.writeTextFile(DATA, version(0));
const server = new Deno.Command("deno", {
  args: [
    "run",
    "--quiet",
    // Each full GC prints the live heap it leaves, the measure of a leak that RSS only hints at.
    "--v8-flags=--trace-gc",
    "--allow-net=127.0.0.1",
    "--allow-read=test-output",
    "server.ts",
    "--port",
    "0",
    "--quiet",
    "--data",
    DATA,
  ],
  stdin: "null",
  stdout: "piped",
  stderr: "piped",
}).spawn();
// The server's stdout carries V8's GC trace too, written through its own buffer, so a line may
// begin with a piece of another: scan each line anywhere, and keep only what the report needs.
let banner = "";
let reloads = 0;
const heapAfterGc: number[] = [];
let pending = "";
function scan(chunk: string): void {
  const lines = (pending + chunk).split("\n");
  pending = lines.pop()!;
  for (const line of lines) {
    if (banner === "" && line.includes("Listening on ")) banner = line;
    if (/Reloaded \d+ cities/.test(line)) reloads++;
    const gc = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
    if (gc) heapAfterGc.push(Number(gc[1]));
  }
}
let serverErr = "";
const collected = Promise.all([
  server.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: scan }),
  ),
  server.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (serverErr += chunk) }),
  ),
]);
const startDeadline = Date.now() + 20_000;
while (banner === "" && Date.now() < startDeadline) await new Promise((r) => setTimeout(r, 10));
const url = /Listening on (\S+)/.exec(banner)?.[1];
if (url === undefined) {
  console.error(`error: The server did not start: ${pending}${serverErr}`);
  server.kill("SIGKILL");
  Deno.exit(1);
}

const rssSamples: number[] = [];
const rssStart = await rss(server.pid);
console.log(
  `Soak: ${seconds} s, ${connections} connections, data file rewritten every ${rewriteEvery} ms; ` +
    `server at ${url}, pid ${server.pid}, RSS ${mb(rssStart)}`,
);

let running = true;
const wakers = new Set<() => void>();
/** Waits `ms` milliseconds, or less if the run ends first. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    wakers.add(wake);
  });
}
let served = 0;
let errors = 0;
const errorSamples: string[] = [];
const latencies: number[] = [];
const anyCity = () => encodeURIComponent(names[Math.floor(Math.random() * names.length)]!);
/** Each route with the status it must answer. */
const routes: (() => [path: string, status: number])[] = [
  () => ["weather/cities", 200],
  () => [`get_weather?city=${anyCity()}`, 200],
  () => [`weather/${anyCity()}`, 200],
  () => ["healthz", 200],
  () => ["get_weather?city=Atlantis", 404],
];

async function worker(): Promise<void> {
  for (let i = Math.floor(Math.random() * routes.length); running; i++) {
    const [path, expected] = routes[i % routes.length]!();
    const start = performance.now();
    try {
      const response = await fetch(`${url}${path}`);
      const body = await response.text();
      JSON.parse(body);
      if (response.status !== expected) throw new Error(`status ${response.status}: ${body.slice(0, 200)}`);
      served++;
      if (served % 16 === 0) latencies.push(performance.now() - start);
    } catch (error) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${path}: ${(error as Error).message}`);
    }
  }
}

let writes = 0;
let broken = 0;
let lastValid = version(0);
async function writer(): Promise<void> {
  for (let n = 1; running; n++) {
    await pause(rewriteEvery);
    if (!running) break;
    if (n % 5 === 0) {
      await Deno.writeTextFile(DATA, '{"cities": ['); // broken: the last good version keeps serving
      broken++;
    } else if (n % 2 === 0) {
      lastValid = version(n);
      await Deno.writeTextFile(DATA, lastValid);
    } else {
      lastValid = version(n);
      await Deno.writeTextFile(`${DATA}.tmp`, lastValid);
      await Deno.rename(`${DATA}.tmp`, DATA);
    }
    writes++;
  }
}

async function sampler(): Promise<void> {
  while (running) {
    await pause(1000);
    if (!running) break;
    const value = await rss(server.pid);
    if (value !== undefined) rssSamples.push(value);
  }
}

const began = performance.now();
const load = [...Array.from({ length: connections }, worker), writer(), sampler()];
await new Promise((r) => setTimeout(r, seconds * 1000));
running = false;
for (const wake of [...wakers]) wake();
await Promise.all(load);
const elapsed = (performance.now() - began) / 1000;
const rssEnd = await rss(server.pid);

// The last valid version must be served once the reloads settle; a broken last write keeps it too.
await Deno.writeTextFile(DATA, lastValid);
const expectedVersion = await contentHash(lastValid);
let finalServed = false;
const settleDeadline = Date.now() + 2000;
while (!finalServed && Date.now() < settleDeadline) {
  const health = await (await fetch(`${url}healthz`)).json();
  finalServed = health.version === expectedVersion && health.last_reload_error === null;
  if (!finalServed) await new Promise((r) => setTimeout(r, 20));
}

server.kill("SIGTERM");
const status = await server.status;
await collected;

latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
// At most 30 samples, evenly spaced, and always the last.
const every = Math.max(1, Math.ceil(rssSamples.length / 30));
const shown = rssSamples.filter((_, i) => (rssSamples.length - 1 - i) % every === 0);
const reloadErrors = serverErr.split("\n").filter((line) => line.startsWith("error: Cannot parse")).length;
console.log(
  [
    `Requests: ${served.toLocaleString("en")} in ${elapsed.toFixed(1)} s ` +
    `(${Math.round(served / elapsed).toLocaleString("en")}/s), errors: ${errors}`,
    `Latency: p50 ${percentile(0.5).toFixed(2)} ms, p99 ${percentile(0.99).toFixed(2)} ms`,
    `Data file: ${writes} writes (${broken} broken); server logged ${reloads} reloads, ${reloadErrors} reload errors; ` +
    `last version served at the end: ${finalServed ? "yes" : "NO"}`,
    `Server RSS: start ${mb(rssStart)}, end ${mb(rssEnd)}, peak ${mb(Math.max(...rssSamples, rssEnd ?? 0))}`,
    `RSS every ${every} s (MB): ${shown.map((value) => value.toFixed(0)).join(" ")}`,
    heapAfterGc.length === 0
      ? "V8 heap after full GCs: none happened"
      : `V8 heap after full GCs (${heapAfterGc.length}): first ${heapAfterGc[0]!.toFixed(1)} MB, ` +
        `last ${heapAfterGc.at(-1)!.toFixed(1)} MB, largest ${Math.max(...heapAfterGc).toFixed(1)} MB`,
    `Server exit status after SIGTERM: ${status.code}`,
    ...errorSamples.map((sample) => `  error: ${sample}`),
  ].join("\n"),
);
await Deno.remove(DIR, { recursive: true });
Deno.exit(errors === 0 && finalServed && status.code === 0 ? 0 : 1);
