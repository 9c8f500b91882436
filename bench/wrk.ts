/** What one wrk run measured; latencies in milliseconds. */
export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles from `--latency`: 50, 75, 90 and 99. */
  latency: { p50: number; p75: number; p90: number; p99: number };
  /** Connect, read, write and timeout errors together. */
  socketErrors: number;
  /** Answers with a status outside 200–399. */
  badStatus: number;
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function time(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!match) throw new SyntaxError(`Cannot read wrk time ${JSON.stringify(text)}`);
  return Number(match[1]) * TIME_UNITS[match[2]!]!;
}

/**
 * Reads the report `wrk --latency` prints. Throws `SyntaxError` when a figure it needs is missing,
 * such as when wrk could not connect at all.
 *
 * @example
 * ```ts
 * parseWrkOutput(text).requestsPerSecond; // 45415.66
 * ```
 */
export function parseWrkOutput(text: string): WrkResult {
  const find = (pattern: RegExp, what: string): RegExpExecArray => {
    const match = pattern.exec(text);
    if (!match) {
      throw new SyntaxError(`Cannot find ${what} in wrk output: ${JSON.stringify(text.slice(0, 300))}`);
    }
    return match;
  };
  const percentile = (p: number) =>
    time(find(new RegExp(`^\\s+${p}%\\s+(\\S+)$`, "m"), `the ${p}% latency`)[1]!);
  const total = find(/^\s+(\d+) requests in (\S+),/m, "the request count");
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: time(total[2]!) / 1000,
    requestsPerSecond: Number(find(/^Requests\/sec:\s+([\d.]+)/m, "Requests/sec")[1]),
    latency: { p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    badStatus: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}
