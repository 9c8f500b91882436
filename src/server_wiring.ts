// What the server entries (server.ts and serve_parallel.ts) share: where the bundled data is, how
// their lines reach stdout and stderr, and how they word a failure to listen.
import { BufferedLines } from "./access_log.ts";
import type { Handler } from "./handler.ts";
import type { DataReloader, ReloadLogger } from "./reloader.ts";

/** The data file shipped with the server, found beside the code rather than in the working directory. */
export const BUNDLED_DATA: URL = new URL("../data/weather.json", import.meta.url);

const encoder = new TextEncoder();

// Writes `text` to stderr whole, now: a pipe may take a large write in parts.
function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) written += Deno.stderr.writeSync(bytes.subarray(written));
}

/**
 * Access-log lines batched to stderr. Pass `maxChars` of about 2 KB where several workers share
 * the stream: a write to a pipe of up to 4 KB is never split, so their batches do not mix.
 *
 * @example
 * ```ts
 * using log = stderrLines();
 * const logged = withAccessLog(handler, (line) => log.push(line));
 * ```
 */
export function stderrLines(options: { maxChars?: number; keepAlive?: boolean } = {}): BufferedLines {
  return new BufferedLines(writeStderr, options);
}

/**
 * Where an entry prints its lines: `console`, passed in (only entries use it). In a `deno serve`
 * worker only console lines carry the worker's name.
 */
export interface Printer {
  log(line: string): void;
  error(line: string): void;
}

/** The {@linkcode ReloadLogger} of a server entry: reloads to `print.log`, failures to `print.error`. */
export function reloadLog(print: Printer): ReloadLogger {
  return { info: (message) => print.log(message), error: (message) => print.error(`error: ${message}`) };
}

/**
 * Starts `source` watching its file; when that cannot be done (a file embedded in an executable,
 * a directory it may not read) says so with `print.error` and serves on without live reload.
 */
export function watchOrWarn(source: DataReloader, print: Printer): void {
  try {
    source.watch();
  } catch (error) {
    print.error(`warning: ${(error as Error).message}; live reload is off`);
  }
}

/**
 * Why `Deno.serve` could not listen on `host:port`, for the one line the server prints: the
 * grant to add for a permission error, rather than Deno's hint to rerun with a flag.
 */
export function listenFailure(error: unknown, host: string, port: number): string {
  const shown = host.includes(":") ? `[${host}]` : host;
  let reason;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    reason =
      `permission denied (grant it with --allow-net=${shown}, as deno task serve does with --allow-net)`;
  } else if (error instanceof Deno.errors.AddrInUse) reason = "address already in use";
  else reason = (error as Error).message.replace(/ \(os error \d+\)$/, "");
  return `Cannot listen on ${shown}:${port}: ${reason}`;
}

/**
 * `handler`, and a switch that from then on asks every client to close its connection after the
 * answer (`Connection: close`). Switched on before a shutdown (`--drain`), it ends a proxy's
 * pooled connections one at a time, each after an answer, instead of closing idle ones while the
 * proxy may be sending on them.
 *
 * @example
 * ```ts
 * const { handler: draining, drain } = drainable(handler);
 * // on SIGTERM: drain(); setTimeout(() => server.shutdown(), 500);
 * ```
 */
export function drainable(handler: Handler): { handler: Handler; drain(): void } {
  let draining = false;
  const close = (response: Response) => (response.headers.set("connection", "close"), response);
  return {
    handler: (request, info) => {
      const response = handler(request, info);
      if (!draining) return response;
      return response instanceof Promise ? response.then(close) : close(response);
    },
    drain: () => void (draining = true),
  };
}
