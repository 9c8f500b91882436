// Shared test fixtures: a dataset from the bundled file, a handler over it, and the real server
// or client CLI as subprocesses.
import { createDataset, type Dataset, loadDataset } from "../src/dataset.ts";
import { parseDataFile } from "../src/data_file.ts";
import { createHandler, type Handler, type HandlerOptions } from "../src/handler.ts";

export const ROOT = new URL("../", import.meta.url);
export const DATA_PATH = new URL("data/weather.json", ROOT);

/** The fields of the tutorial routes' body (`/get_weather`, `/weather/{city}`), in order. */
export const TUTORIAL_FIELDS: readonly string[] = [
  "name",
  "country",
  "latitude",
  "longitude",
  "timezone",
  "current",
  "units",
];

/** The bundled dataset, loaded once per test file. */
export const bundled: Dataset = await loadDataset(DATA_PATH);

/** A dataset from an in-memory data file object. */
export function datasetOf(file: unknown): Promise<Dataset> {
  const text = JSON.stringify(file);
  return createDataset(parseDataFile(text, "test.json"), new TextEncoder().encode(text), "test.json");
}

/**
 * A valid data file numbered `n` (0–999), for reload tests: Tokyo with condition "Version n" and
 * temperature n / 20, then a city named "Town n", then the next `n % 7` bundled cities. Every
 * answer of one version differs from those of the others.
 */
export function versionFile(n: number): { cities: unknown[] } {
  const [tokyo, paris, ...rest] = bundled.cities;
  return {
    cities: [
      { ...tokyo!, current: { ...tokyo!.current, condition: `Version ${n}`, temperature: n / 20 } },
      { ...paris!, name: `Town ${n}` },
      ...rest.slice(0, n % 7),
    ],
  };
}

/**
 * Writes into `dir` a data file whose city list answer is about 12 MB, more than the kernel
 * buffers of a loopback connection hold: a client that stops reading keeps that request in flight
 * at the server. Returns its path.
 */
export async function bigDataFile(dir: string): Promise<string> {
  const path = `${dir}/big.json`;
  const cities = Array.from(
    { length: 40_000 },
    (_, i) => ({ ...bundled.cities[0]!, name: `${i}`.padEnd(100, "市") }),
  );
  await Deno.writeTextFile(path, JSON.stringify({ cities }));
  return path;
}

/** A handler over the bundled data. */
export function bundledHandler(options: HandlerOptions = {}): Handler {
  return createHandler({ current: bundled }, options);
}

/** An answer with its body parsed; tests read bodies of many shapes, hence `any`. */
// deno-lint-ignore no-explicit-any
export type JsonResult = { status: number; headers: Headers; body: any };

/** GETs `path` from `handler` and returns status, headers and parsed JSON body. */
export async function getJson(
  handler: (request: Request) => Response | Promise<Response>,
  path: string,
  init?: RequestInit,
): Promise<JsonResult> {
  const response = await handler(new Request(new URL(path, "http://localhost"), init));
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

/** A temporary file holding `text`, removed when disposed. */
export async function tempFile(
  text: string | Uint8Array,
  suffix = ".json",
): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempFile({ suffix });
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path).catch(() => {});
    },
  };
}

/** Output of a finished subprocess: decoded streams and exit code, asserted separately. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const decoder = new TextDecoder();

/** Runs `deno run <permissions> <entry> ...args` to completion. */
export async function runEntry(
  entry: "server.ts" | "client.ts",
  args: string[],
  options: { env?: Record<string, string>; permissions?: string[]; cwd?: string } = {},
): Promise<Ran> {
  const permissions = options.permissions ?? ["--allow-net=127.0.0.1", "--allow-read", "--allow-env"];
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...permissions, new URL(entry, ROOT).pathname, ...args],
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    stdin: "null",
  }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/**
 * Polls `probe` every 10 ms until it returns a truthy value, and returns that value; throws once
 * `timeout` milliseconds have passed. Tests wait on conditions this way, never on bare sleeps.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeout = 2000,
): Promise<Exclude<T, false | 0 | "" | null | undefined>> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | 0 | "" | null | undefined>;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A server subprocess started on port 0; `url` is the one it printed. Disposing stops it. */
export interface ServerProcess extends AsyncDisposable {
  url: URL;
  child: Deno.ChildProcess;
  /** The first line the server printed. */
  banner: string;
  /** Everything the server wrote to stdout up to now. */
  stdout(): string;
  /** Everything the server wrote to stderr up to now. */
  stderr(): string;
  /** Stops the server (SIGTERM) and returns its exit status with the rest of its output. */
  stop(): Promise<Deno.CommandStatus>;
}

function collect(stream: ReadableStream<Uint8Array>): { text(): string; done: Promise<void> } {
  let text = "";
  const done = stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (text += chunk) }),
  );
  return { text: () => text, done };
}

/**
 * Starts `server.ts --port 0 ...args` (or another copy of it), in working directory `cwd` (by
 * default this one), and waits for its "Listening on" line.
 */
export function startServer(
  args: string[] = [],
  entry: string = new URL("server.ts", ROOT).pathname,
  cwd?: string,
): Promise<ServerProcess> {
  return spawnServer(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-env",
        entry,
        "--port",
        "0",
        ...args,
      ],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }),
  );
}

/**
 * Spawns a server `command` (stdout and stderr piped), `deno run` or `deno serve`, and waits for
 * its "Listening on" line; throws with what it printed if it stops before.
 */
export async function spawnServer(command: Deno.Command): Promise<ServerProcess> {
  const child = command.spawn();
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  let ended = false;
  const end = () => void (ended = true);
  out.done.then(end, end);
  await waitFor(() => ended || out.text().includes("\n"), "the server's first line", 20_000);
  const banner = out.text().split("\n")[0]!;
  // `deno serve --parallel` starts each worker's lines with its name: "[serve-worker-0 ] ".
  const match = /^(?:\[serve-worker-\d+ *\] )?Listening on (http:\/\/\S+)/.exec(banner);
  let stopped: Promise<Deno.CommandStatus> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const status = await child.status;
      await out.done;
      await err.done;
      return status;
    })();
  if (!match) {
    await stop();
    throw new Error(`Server did not start: ${JSON.stringify(out.text())} ${err.text()}`);
  }
  return {
    url: new URL(match[1]!),
    child,
    banner,
    stdout: out.text,
    stderr: err.text,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** A response read off the wire, headers lower-cased, body de-chunked but not decompressed. */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Uint8Array;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = new TextEncoder().encode("\r\n");

function dechunk(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const end = indexOfBytes(bytes, CRLF, at);
    const size = parseInt(decoder.decode(bytes.subarray(at, end)), 16);
    if (!(size > 0)) break;
    parts.push(bytes.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) out.set(part, (offset += part.length) - part.length);
  return out;
}

/**
 * Sends `head` (request line and headers, without the final blank line) and optional `body` to
 * `url`'s host over a fresh TCP connection with `Connection: close`, and reads the whole answer.
 */
export async function rawRequest(url: URL, head: string, body?: Uint8Array): Promise<RawResponse> {
  using conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  await conn.write(new TextEncoder().encode(`${head}\r\nConnection: close\r\n\r\n`));
  if (body) await conn.write(body);
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) all.set(chunk, (offset += chunk.length) - chunk.length);
  const split = indexOfBytes(all, new TextEncoder().encode("\r\n\r\n"));
  const [statusLine, ...lines] = decoder.decode(all.subarray(0, split)).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const rest = all.subarray(split + 4);
  return {
    status: Number(statusLine!.split(" ")[1]),
    headers,
    body: headers.get("transfer-encoding") === "chunked" ? dechunk(rest) : rest,
  };
}

/** Writes all of `bytes` to a raw connection. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) written += await conn.write(bytes.subarray(written));
}

/**
 * Reads the status line and headers of an HTTP/1.1 answer off a raw connection: the status, the
 * head as text, the content length and the body bytes read so far; null if the connection closes
 * before a whole head.
 */
export async function readHead(
  conn: Deno.Conn,
): Promise<{ status: number; head: string; length: number; body: Uint8Array } | null> {
  let bytes = new Uint8Array(0);
  const chunk = new Uint8Array(16_384);
  for (;;) {
    const end = new TextDecoder("latin1").decode(bytes).indexOf("\r\n\r\n");
    if (end >= 0) {
      const head = new TextDecoder().decode(bytes.subarray(0, end));
      return {
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]),
        head,
        length: Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0),
        body: bytes.slice(end + 4),
      };
    }
    const n = await conn.read(chunk);
    if (n === null) return null;
    const grown = new Uint8Array(bytes.length + n);
    grown.set(bytes);
    grown.set(chunk.subarray(0, n), bytes.length);
    bytes = grown;
  }
}

/** Reads the rest of a body of `length` bytes that began with `start`. */
export async function readBody(conn: Deno.Conn, start: Uint8Array, length: number): Promise<Uint8Array> {
  const body = new Uint8Array(length);
  body.set(start.subarray(0, length));
  let filled = Math.min(start.length, length);
  while (filled < length) {
    const n = await conn.read(body.subarray(filled));
    if (n === null) throw new Error(`Connection closed after ${filled} of ${length} body bytes`);
    filled += n;
  }
  return body;
}
