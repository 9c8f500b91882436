// Shared test fixtures: a dataset from the bundled file, a handler over it, and the real server
// or client CLI as subprocesses.
import { createDataset, type Dataset, loadDataset } from "../src/dataset.ts";
import { parseDataFile } from "../src/data_file.ts";
import { createHandler, type Handler, type HandlerOptions } from "../src/handler.ts";

export const ROOT = new URL("../", import.meta.url);
export const DATA_PATH = new URL("data/weather.json", ROOT);

/** The bundled dataset, loaded once per test file. */
export const bundled: Dataset = await loadDataset(DATA_PATH);

/** A dataset from an in-memory data file object. */
export function datasetOf(file: unknown): Promise<Dataset> {
  const text = JSON.stringify(file);
  return createDataset(parseDataFile(text, "test.json"), new TextEncoder().encode(text), "test.json");
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

/** A server subprocess started on port 0; `url` is the one it printed. Disposing stops it. */
export interface ServerProcess extends AsyncDisposable {
  url: URL;
  child: Deno.ChildProcess;
  /** The first line the server printed. */
  banner: string;
  /** Everything the server wrote to stderr up to now. */
  stderr(): string;
  /** Stops the server (SIGTERM) and returns its exit status with the rest of its output. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Starts `server.ts --port 0 ...args` and waits for its "Listening on" line. */
export async function startServer(args: string[] = []): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      new URL("server.ts", ROOT).pathname,
      "--port",
      "0",
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let errText = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (errText += chunk) }),
  );
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let outText = "";
  while (!outText.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    outText += value;
  }
  const banner = outText.split("\n")[0]!;
  const match = /^Listening on (http:\/\/\S+)/.exec(banner);
  let stopped: Promise<Deno.CommandStatus> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const status = await child.status;
      await lines.cancel();
      await errDone;
      return status;
    })();
  if (!match) {
    await stop();
    throw new Error(`Server did not start: ${JSON.stringify(outText)} ${errText}`);
  }
  return {
    url: new URL(match[1]!),
    child,
    banner,
    stderr: () => errText,
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
