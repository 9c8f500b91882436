// Fixtures of the cluster tests: whether nginx and wrk are here, `scripts/cluster.ts` started with
// the grants of `deno task cluster`, the processes it runs, and wrk runs that count every status.
import assert from "node:assert/strict";
import { findNginx, NGINX_CANDIDATES } from "../src/cluster.ts";
import { ROOT, type ServerProcess, spawnServer, waitFor } from "./_helpers.ts";

const decoder = new TextDecoder();
const TASKS: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;

/** The permission flags of `deno task cluster`. */
export const CLUSTER_GRANTS: string[] = TASKS.cluster!.split(" ").filter((word) =>
  /^--(allow|deny)-/.test(word)
);

const nginx = await findNginx(NGINX_CANDIDATES);
/** Why the cluster cannot run here, or undefined when nginx is installed. */
const NO_NGINX = typeof nginx === "string" ? "nginx not installed" : undefined;
const NO_WRK = await new Deno.Command("wrk", { args: ["-v"], stdout: "null", stderr: "null" }).output().then(
  () => undefined,
  () => "wrk not installed",
);

/**
 * A test that needs nginx (and wrk, with `{ wrk: true }`, or Linux's SO_REUSEPORT, with
 * `{ linux: true }`); where one is missing it is reported as ignored, with the reason in its
 * name, never as passed.
 */
export function clusterTest(
  name: string,
  fn: () => Promise<void>,
  needs: { wrk?: boolean; linux?: boolean } = {},
): void {
  const notLinux = needs.linux && Deno.build.os !== "linux" ? "needs Linux's SO_REUSEPORT" : undefined;
  const missing = NO_NGINX ?? (needs.wrk ? NO_WRK : undefined) ?? notLinux;
  Deno.test({ name: missing ? `${name} (ignored: ${missing})` : name, ignore: missing !== undefined, fn });
}

/** `deno run <the cluster task's grants> scripts/cluster.ts args...`, to run to completion or to spawn. */
export function clusterCommand(args: string[], piped = true): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...CLUSTER_GRANTS, "scripts/cluster.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: piped ? "piped" : "null",
    stderr: piped ? "piped" : "null",
  });
}

/** A running cluster: its URL and output (as a server's), and the processes it runs. */
export interface ClusterProcess extends ServerProcess {
  /** The nginx master's pid and each instance's pid and port, as the cluster's second line says. */
  processes(): { cluster: number; nginx: number; instances: { slot: number; pid: number; port: number }[] };
}

/** Reads the "Processes: ..." line the cluster printed last. */
function processesOf(stdout: string): ReturnType<ClusterProcess["processes"]> {
  const line = stdout.split("\n").findLast((text) => text.startsWith("Processes: "));
  const match = line && /^Processes: nginx (\d+), (.*); SIGHUP to (\d+) /.exec(line);
  assert.ok(match, `no Processes line in ${JSON.stringify(stdout)}`);
  const instances = [...match[2]!.matchAll(/instance (\d+) (\d+) on port (\d+)/g)].map((
    [, slot, pid, port],
  ) => ({
    slot: Number(slot),
    pid: Number(pid),
    port: Number(port),
  }));
  return { cluster: Number(match[3]), nginx: Number(match[1]), instances };
}

/** Starts a cluster on a free port with `args` (cluster flags, then `--` and server flags). */
export async function startCluster(args: string[]): Promise<ClusterProcess> {
  const server = await spawnServer(clusterCommand(["--port", "0", ...args]));
  try {
    await waitFor(() => server.stdout().includes("\nProcesses: "), "the Processes line");
  } catch (error) {
    await server.stop();
    throw error;
  }
  return Object.assign(server, { processes: () => processesOf(server.stdout()) });
}

/** The pids of the processes whose parent is `pid`, with their commands. */
export async function childrenOf(pid: number): Promise<{ pid: number; user: string; command: string }[]> {
  const { stdout } = await new Deno.Command("ps", { args: ["-o", "pid=,user=,args=", "--ppid", String(pid)] })
    .output();
  return decoder.decode(stdout).split("\n").filter((line) => line.trim() !== "").map((line) => {
    const [pid, user, ...command] = line.trim().split(/\s+/);
    return { pid: Number(pid), user: user!, command: command.join(" ") };
  });
}

/** True while process `pid` exists (and is not a zombie). */
export async function alive(pid: number): Promise<boolean> {
  const { stdout, success } = await new Deno.Command("ps", { args: ["-o", "stat=", "-p", String(pid)] })
    .output();
  return success && !decoder.decode(stdout).trim().startsWith("Z");
}

/** What a wrk run answered: every status counted, and the socket errors. */
export interface WrkCounts {
  requests: number;
  /** Answers by status; "503 not simulated" counts 503s that are not an instance's simulated outage. */
  statuses: Record<string, number>;
  /** Connect, read, write and timeout errors. */
  socketErrors: number;
  /** The socket errors by kind, for a failure's message. */
  errors: { connect: number; read: number; write: number; timeout: number };
}

// wrk's Lua hooks: the requests go round `paths` (a POST body after a space), each thread counts
// the statuses it gets, and the main thread adds them up at the end, on one line.
const WRK_SCRIPT = `
local paths = {PATHS}
counts = {}
local threads = {}
local i = 0
function setup(thread) table.insert(threads, thread) end
function request()
  i = i % #paths + 1
  local path, body = paths[i]:match("^(%S+) (.*)$")
  if path then
    return wrk.format("POST", path, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  local key = tostring(status)
  -- A simulated outage is an instance's answer (nosniff, which nginx's own pages lack) with Retry-After.
  if status == 503 and not (headers["retry-after"] == "1" and headers["x-content-type-options"] == "nosniff") then
    key = "503 not simulated"
  end
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + n end
  end
  local parts = {}
  for key, n in pairs(total) do table.insert(parts, string.format('"%s":%d', key, n)) end
  local e = summary.errors
  io.write(string.format('COUNTS {"requests":%d,"socketErrors":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s}}\\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ",")))
end
`;

/**
 * Runs wrk against `url` for `seconds` with `connections`, going round `paths` (`"/path"` for a
 * GET, `"/path body"` for a form POST), and counts what came back.
 */
export async function wrkCounts(
  url: URL,
  paths: string[],
  seconds: number,
  connections = 16,
): Promise<WrkCounts> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  try {
    const list = paths.map((path) => JSON.stringify(path)).join(", ");
    await Deno.writeTextFile(script, WRK_SCRIPT.replace("{PATHS}", `{ ${list} }`));
    const { stdout, stderr, success } = await new Deno.Command("wrk", {
      args: [
        "-t",
        "2",
        "-c",
        String(connections),
        "-d",
        `${seconds}s`,
        "--timeout",
        "5s",
        "-s",
        script,
        url.href,
      ],
      stdin: "null",
    }).output();
    const text = decoder.decode(stdout);
    assert.ok(success, `wrk failed: ${text}${decoder.decode(stderr)}`);
    const line = /^COUNTS (.*)$/m.exec(text);
    assert.ok(line, `no counts in wrk's output: ${text}`);
    return JSON.parse(line[1]!);
  } finally {
    await Deno.remove(script);
  }
}
