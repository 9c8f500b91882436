// Subprocesses for bench:load: servers started on port 0 and stopped for sure, their CPU time and
// peak memory from /proc, and a raw HTTP/1.1 GET that shows the bytes exactly as sent.

/** A server subprocess that printed `Listening on http://...`. */
export interface ServerProcess {
  readonly name: string;
  readonly url: URL;
  readonly pid: number;
  /** Milliseconds from spawn to the "Listening on" line: start-up, data loading included. */
  readonly startMs: number;
  /** The end of what the server wrote to stderr, for error messages; the rest is discarded. */
  stderrTail(): string;
  stop(): Promise<void>;
}

const live = new Set<ServerProcess>();

/** Stops every server still running; for `finally` blocks and signal handlers. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((server) => server.stop()));
}

/** Reads `stream` to its end, handing each chunk to `chunk`. */
function drain(stream: ReadableStream<Uint8Array>, chunk: (bytes: Uint8Array) => void): Promise<void> {
  return stream.pipeTo(new WritableStream({ write: chunk })).catch(() => {});
}

/** Options of {@linkcode startServer}. */
export interface StartOptions {
  env?: Record<string, string>;
  /** Where stderr goes: a pipe this process drains (as a log collector would), or /dev/null. */
  stderr?: "pipe" | "null";
  /** CPU list for `taskset -c`, or undefined to leave the process unpinned. */
  cpus?: string;
}

/**
 * Spawns `command args`, waits for the `Listening on http://...` line on stdout, and returns the
 * process. Throws with the server's output when it exits or stays silent for `timeoutMs`.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  options: StartOptions = {},
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const started = performance.now();
  const [file, argv] = options.cpus === undefined
    ? [command, args]
    : ["taskset", ["-c", options.cpus, command, ...args]];
  const child = new Deno.Command(file, {
    args: argv,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: options.stderr === "null" ? "null" : "piped",
  }).spawn();
  // Only the last chunk is kept, undecoded: draining a busy access log should cost next to nothing.
  let errLast: Uint8Array = new Uint8Array();
  const errDone = options.stderr === "null"
    ? Promise.resolve()
    : drain(child.stderr, (c) => void (errLast = c));
  const errTail = () => new TextDecoder().decode(errLast);
  const decoder = new TextDecoder();
  let outText = "";
  let resolveUrl: (url: URL | undefined) => void;
  const found = new Promise<URL | undefined>((resolve) => resolveUrl = resolve);
  const outDone = drain(child.stdout, (chunk) => {
    outText = (outText + decoder.decode(chunk, { stream: true })).slice(-4096);
    const match = /Listening on (http:\/\/[^\s/]+\/)/.exec(outText);
    if (match) resolveUrl(new URL(match[1]!));
  }).then(() => resolveUrl(undefined));
  let stopping: Promise<void> | undefined;
  const server: ServerProcess = {
    name,
    url: new URL("http://127.0.0.1/"),
    pid: child.pid,
    startMs: 0,
    stderrTail: errTail,
    stop: () =>
      stopping ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        await child.status;
        await Promise.all([outDone, errDone]);
        live.delete(server);
      })(),
  };
  live.add(server);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => resolve(undefined), timeoutMs)
  );
  const url = await Promise.race([found, timeout]);
  clearTimeout(timer);
  if (url === undefined) {
    await server.stop();
    throw new Error(`Server "${name}" did not start: ${outText.trim()} ${errTail().trim()}`);
  }
  return Object.assign(server, { url, startMs: performance.now() - started });
}

async function procFile(pid: number, file: string): Promise<string> {
  // Deno grants /proc/<pid> reads only with --allow-all; cat needs no more than --allow-run.
  const { stdout, success } = await new Deno.Command("cat", { args: [`/proc/${pid}/${file}`] }).output();
  if (!success) throw new Error(`Cannot read /proc/${pid}/${file}`);
  return new TextDecoder().decode(stdout);
}

/** Seconds of CPU (user + system, all threads) process `pid` has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await procFile(pid, "stat");
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const USER_HZ = 100; // the clock-tick unit of /proc on every Linux architecture in use
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/** Resident set size of process `pid` now (VmRSS) and its peak so far (VmHWM), in bytes. */
export async function residentMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await procFile(pid, "status");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!match) throw new Error(`No ${name} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

/** Peak resident set size of process `pid` so far (VmHWM), in bytes. */
export async function peakRss(pid: number): Promise<number> {
  return (await residentMemory(pid)).peak;
}

/** A response as it came off the wire: headers lower-cased, body de-chunked, not decompressed. */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

function indexOf(bytes: Uint8Array, text: string, from = 0): number {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function dechunk(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (let at = 0;;) {
    const end = indexOf(bytes, "\r\n", at);
    const size = parseInt(new TextDecoder().decode(bytes.subarray(at, end)), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((offset, part) => (out.set(part, offset), offset + part.length), 0);
  return out;
}

/** GETs `path` from `origin` over a fresh connection and returns the answer exactly as sent. */
export async function rawGet(
  origin: URL,
  path: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: origin.hostname, port: Number(origin.port) });
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${origin.host}`, "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const request = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  for (let at = 0; at < request.length;) at += await conn.write(request.subarray(at));
  // Reading conn.readable to its end also closes the connection.
  const all = new Uint8Array(await new Response(conn.readable).arrayBuffer());
  const split = indexOf(all, "\r\n\r\n");
  const [statusLine = "", ...headerLines] = new TextDecoder().decode(all.subarray(0, split)).split("\r\n");
  const map = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const rest = all.slice(split + 4);
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: map,
    body: map.get("transfer-encoding") === "chunked" ? dechunk(rest) : rest,
  };
}
