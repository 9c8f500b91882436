import { requestTarget } from "./request_target.ts";

/**
 * Formats one access-log line: time, method, path with query, status, duration in ms, request id.
 * `time` is a Date or milliseconds since the epoch.
 */
export function formatAccessLine(
  time: Date | number,
  request: Request,
  response: Response,
  milliseconds: number,
): string {
  const id = response.headers.get("x-request-id") ?? "-";
  return `${isoTime(typeof time === "number" ? time : time.getTime())} ${request.method} ${
    target(request)
  } ${response.status} ${hundredths(milliseconds)}ms ${id}`;
}

/**
 * `ms.toFixed(2)`, in integer arithmetic for durations: under load `toFixed`, a call into V8's
 * runtime, costs more than the rest of the line.
 *
 * @example
 * ```ts
 * hundredths(0.125); // "0.13", as (0.125).toFixed(2)
 * ```
 */
export function hundredths(ms: number): string {
  const scaled = ms * 100;
  const whole = Math.floor(scaled);
  // Below 1e9 the product is off by less than 1e-7, so only a near tie needs toFixed's exact decimal
  // rounding; past 1e9 (over 2.7 hours), and for anything odd, toFixed decides.
  if (!(scaled >= 0 && scaled < 1e9) || Math.abs(scaled - whole - 0.5) < 1e-6) return ms.toFixed(2);
  const n = scaled - whole < 0.5 ? whole : whole + 1;
  const cents = n % 100;
  return `${(n - cents) / 100}.${cents < 10 ? "0" : ""}${cents}`;
}

// Date#toISOString costs about as much as the rest of a log line; lines come many per second,
// so the text up to the second is kept and only the milliseconds are added per line.
let secondStart = Number.NaN;
let secondText = "";

/**
 * `new Date(ms).toISOString()`, faster when called many times a second.
 *
 * @example
 * ```ts
 * isoTime(0); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function isoTime(ms: number): string {
  const milli = ms % 1000;
  // Outside years 1970-9999 the text has another shape; such times are not worth a cache.
  if (!(ms >= 0 && ms < 253402300800000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = ms - milli;
  if (second !== secondStart) {
    secondStart = second;
    secondText = new Date(second).toISOString().slice(0, 20); // "2026-11-23T12:00:00."
  }
  return `${secondText}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

// API keys (OpenWeatherMap's appid, Open-Meteo's apikey) never reach a log: the values of parameters
// of those names, however their names are encoded (`app%69d`), are redacted.
const KEY_HINT = /(?:appid|apikey)=|%/i;
const KEY_NAME = /^(?:appid|apikey)$/i;

/**
 * True when `target` from `start` has a "%" or an "ap" before "p" or "i", in any case: the
 * start of every spelling of a key's name. Most targets have neither, and a scan is cheaper
 * than a regular expression.
 */
function mayNameKey(target: string, start: number): boolean {
  for (let i = start; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code === 0x25) return true;
    if ((code | 0x20) !== 0x61 || (target.charCodeAt(i + 1) | 0x20) !== 0x70) continue;
    const third = target.charCodeAt(i + 2) | 0x20;
    if (third === 0x70 || third === 0x69) return true;
  }
  return false;
}

function redact(target: string): string {
  const query = target.indexOf("?");
  if (query === -1 || !mayNameKey(target, query) || !KEY_HINT.test(target.slice(query))) return target;
  const pairs = target.slice(query + 1).split("&").map((pair) => {
    const equals = pair.indexOf("=");
    if (equals === -1) return pair;
    let name = pair.slice(0, equals);
    try {
      name = decodeURIComponent(name.replaceAll("+", " "));
    } catch { /* a name that does not decode is no key name */ }
    return KEY_NAME.test(name) ? `${pair.slice(0, equals + 1)}REDACTED` : pair;
  });
  return `${target.slice(0, query + 1)}${pairs.join("&")}`;
}

const NOT_VISIBLE = /[^\x21-\x7e]/g;

/** `text` with anything but visible ASCII percent-encoded; most targets have nothing to encode. */
function escapeInvisible(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) {
      return text.replace(
        NOT_VISIBLE,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
      );
    }
  }
  return text;
}

/**
 * The request target as the client sent it. `Deno.serve` builds `request.url` as the scheme, the
 * raw Host header and the target, so the target is what follows the Host; a Host such as
 * "x/weather/cities?" would otherwise show as part of the path. Anything but visible ASCII is
 * percent-encoded, so that a crafted target cannot split or forge a line.
 */
function target(request: Request): string {
  const url = request.url;
  const host = request.headers?.get("host");
  if (host) {
    const start = url.indexOf("://") + 3;
    if (start > 2 && url.startsWith(host, start) && url.charCodeAt(start + host.length) === 0x2f) {
      const raw = url.slice(start + host.length);
      return escapeInvisible(redact(raw));
    }
  }
  // A request made in JS: its URL was parsed, which percent-encodes spaces and controls.
  try {
    const { pathname, search } = requestTarget(url);
    return redact(pathname + search);
  } catch {
    return escapeInvisible(redact(url));
  }
}

/**
 * Wraps `handler` so that every answered request writes one line through `write`. An answer the
 * handler gives synchronously is logged and returned synchronously: no promise per request.
 *
 * @example
 * ```ts
 * const logged = withAccessLog(handler, (line) => console.error(line));
 * ```
 */
export function withAccessLog<Info>(
  handler: (request: Request, info: Info) => Response | Promise<Response>,
  write: (line: string) => void,
  now: () => number = performance.now.bind(performance),
): (request: Request, info: Info) => Response | Promise<Response> {
  return (request, info) => {
    const start = now();
    const answer = handler(request, info);
    const log = (response: Response) => {
      write(formatAccessLine(Date.now(), request, response, now() - start));
      return response;
    };
    return answer instanceof Response ? log(answer) : answer.then(log);
  };
}

/**
 * Collects log lines and writes them in batches: when `maxChars` have gathered, or `delayMs`
 * after the first of a batch. A write per request costs about half the throughput of a fast
 * server; a batch costs one write for hundreds of lines. Dispose (or `flush`) before exiting.
 *
 * @example
 * ```ts
 * using log = new BufferedLines((text) => console.error(text.trimEnd()));
 * const logged = withAccessLog(handler, (line) => log.push(line));
 * ```
 */
export class BufferedLines implements Disposable {
  readonly #write: (text: string) => void;
  readonly #maxChars: number;
  readonly #delayMs: number;
  readonly #keepAlive: boolean;
  #lines: string[] = [];
  #chars = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `write` gets whole lines, each ending in "\n". With `keepAlive`, a pending batch keeps the
   * process alive until it is written (at most `delayMs`), for code that cannot flush at exit;
   * by default it does not, and exits must flush.
   */
  constructor(
    write: (text: string) => void,
    options: { maxChars?: number; delayMs?: number; keepAlive?: boolean } = {},
  ) {
    this.#write = write;
    this.#maxChars = options.maxChars ?? 32_768;
    this.#delayMs = options.delayMs ?? 25;
    this.#keepAlive = options.keepAlive ?? false;
  }

  /** Adds one line (without its "\n"). */
  push(line: string): void {
    this.#lines.push(line);
    this.#chars += line.length + 1;
    if (this.#chars >= this.#maxChars) this.flush();
    else if (this.#timer === undefined) {
      const timer = setTimeout(() => this.flush(), this.#delayMs);
      if (!this.#keepAlive) Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Writes every pending line now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join("\n") + "\n";
    this.#lines = [];
    this.#chars = 0;
    this.#write(text);
  }

  [Symbol.dispose](): void {
    this.flush();
  }
}
