/** Formats one access-log line: time, method, path with query, status and duration in ms. */
export function formatAccessLine(
  time: Date,
  request: Request,
  status: number,
  milliseconds: number,
): string {
  return `${time.toISOString()} ${request.method} ${target(request)} ${status} ${milliseconds.toFixed(2)}ms`;
}

function target(request: Request): string {
  // The URL parser percent-encodes spaces and control characters, so the line cannot be split
  // or forged by a crafted path.
  try {
    const url = new URL(request.url);
    return `${url.pathname}${url.search}`;
  } catch {
    // Deno builds request.url from the raw Host header, which may not parse ("Host: a b"): log
    // the whole URL, escaped the same way.
    return request.url.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
}

/**
 * Wraps `handler` so that every answered request writes one line through `write`.
 *
 * @example
 * ```ts
 * const logged = withAccessLog(handler, (line) => console.error(line));
 * ```
 */
export function withAccessLog(
  handler: (request: Request) => Response | Promise<Response>,
  write: (line: string) => void,
  now: () => number = performance.now.bind(performance),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const start = now();
    const response = await handler(request);
    write(formatAccessLine(new Date(), request, response.status, now() - start));
    return response;
  };
}
