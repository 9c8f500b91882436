// CPU profile of our server under wrk load: `deno task bench:profile [options]`; `--help` lists them.
//
// Deno 2.9 has no --cpu-prof, so this starts server.ts with --inspect and records a sampling
// profile over the V8 inspector protocol while wrk drives one route. It prints where the samples
// fall, by function and by source, and can save the profile for Chrome DevTools (Performance tab).
import { parseArgs } from "node:util";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { rawGet, startServer, stopAll } from "./_process.ts";
import { parseWrkOutput } from "./wrk.ts";

const ROOT = new URL("../", import.meta.url);

const USAGE = "Usage: profile.ts [--path PATH] [--header 'Name: value']... [--logging] [--cities N]\n" +
  "                  [--duration S] [--connections N] [--top N] [--out FILE.cpuprofile] [--help]";
const HELP = `Profiles server.ts (--quiet unless --logging) under wrk load on one route.

${USAGE}

  --path PATH      the route (default /get_weather?city=Tokyo); {etag} in a header is its ETag
  --header H       a request header for wrk, repeatable, e.g. 'If-None-Match: {etag}'
  --logging        keep the access log on (to a pipe this script drains)
  --cities N       serve a synthetic file of N cities instead of the bundled data
  --duration S     seconds of load while sampling (default 5)
  --connections N  wrk connections (default 50)
  --top N          functions to list (default 25)
  --out FILE       also save the profile, to open in Chrome DevTools`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Sends inspector commands over a WebSocket and resolves each with its result. */
async function inspector(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? message.error);
  };
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = ++next;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return listener.addr.port;
}

/** Where a sample's time goes: our modules, Deno's JS, V8 and native work, or idle. */
function category(url: string, name: string): string {
  if (url.startsWith(new URL("src/", ROOT).href)) return "our modules (src/)";
  if (url.startsWith(ROOT.href)) return "entry (server.ts)";
  if (url.startsWith("ext:")) return "Deno runtime JS (ext:)";
  if (name === "(garbage collector)") return "garbage collector";
  if (name === "(idle)") return "idle";
  if (name === "(program)") return "native (Rust, V8, syscalls)";
  return url === "" ? `other ${name}` : "dependencies";
}

async function main(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        path: { type: "string", default: "/get_weather?city=Tokyo" },
        header: { type: "string", multiple: true, default: [] },
        logging: { type: "boolean" },
        cities: { type: "string" },
        duration: { type: "string", default: "5" },
        connections: { type: "string", default: "50" },
        top: { type: "string", default: "25" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(HELP), 0;
  const tmp = await Deno.makeTempDir({ prefix: "weather-profile-" });
  try {
    const data = new URL("data/", ROOT).pathname;
    const extra: string[] = [];
    let read = data;
    if (values.cities !== undefined) {
      const file = `${tmp}/weather-${values.cities}.json`;
      await Deno.writeTextFile(
        file,
        formatWeatherFile(generateWeatherFile({ cities: Number(values.cities) })),
      );
      extra.push("--data", file);
      read += `,${file}`;
    }
    const port = freePort();
    const server = await startServer("server", Deno.execPath(), [
      "run",
      "--quiet",
      `--inspect=127.0.0.1:${port}`,
      "--allow-net=127.0.0.1",
      `--allow-read=${read}`,
      new URL("server.ts", ROOT).pathname,
      "--port",
      "0",
      ...(values.logging ? [] : ["--quiet"]),
      ...extra,
    ]);
    const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    const session = await inspector(target.webSocketDebuggerUrl);
    const etag = (await rawGet(server.url, values.path, {})).headers.get("etag") ?? "";
    const headers = values.header.map((header) => header.replace("{etag}", etag));

    const wrk = (seconds: number) =>
      new Deno.Command("wrk", {
        args: [
          "-t2",
          `-c${values.connections}`,
          `-d${seconds}s`,
          "--latency",
          ...headers.flatMap((h) => ["-H", h]),
        ]
          .concat(new URL(values.path, server.url).href),
        stdin: "null",
      }).output();
    await wrk(1); // warm up the JIT before sampling
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    const output = await wrk(Number(values.duration));
    const { profile } = await session.send<{ profile: { nodes: ProfileNode[] } }>("Profiler.stop");
    session.close();
    await server.stop();
    const result = parseWrkOutput(new TextDecoder().decode(output.stdout));

    if (values.out !== undefined) await Deno.writeTextFile(values.out, JSON.stringify(profile));
    const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
    const byFunction = new Map<string, number>();
    const byCategory = new Map<string, number>();
    for (const { callFrame: { functionName, url, lineNumber }, hitCount = 0 } of profile.nodes) {
      const where = url === "" ? "" : ` ${url.replace(ROOT.href, "")}:${lineNumber + 1}`;
      const key = `${functionName || "(anonymous)"}${where}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + hitCount);
      const kind = category(url, functionName);
      byCategory.set(kind, (byCategory.get(kind) ?? 0) + hitCount);
    }
    const share = (n: number) => `${(100 * n / total).toFixed(1).padStart(5)}%`;
    console.log(
      `${values.path} ${values.logging ? "with the access log" : "--quiet"}: ${
        Math.round(result.requestsPerSecond)
      } req/s under the profiler, ${total} samples\n\nSelf time by source:`,
    );
    for (const [kind, hits] of [...byCategory].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${share(hits)}  ${kind}`);
    }
    console.log(`\nSelf time by function (top ${values.top}):`);
    for (const [key, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
      console.log(`  ${share(hits)}  ${key}`);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
