/** Formats one access-log line: time, method, path with query, status, duration in ms, request id. */
export function formatAccessLine(
  time: Date,
  request: Request,
  response: Response,
  milliseconds: number,
): string {
  const id = response.headers.get("x-request-id") ?? "-";
  return `${time.toISOString()} ${request.method} ${target(request)} ${response.status} ${
    milliseconds.toFixed(2)
  }ms ${id}`;
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
export function withAccessLog<Info>(
  handler: (request: Request, info: Info) => Response | Promise<Response>,
  write: (line: string) => void,
  now: () => number = performance.now.bind(performance),
): (request: Request, info: Info) => Promise<Response> {
  return async (request, info) => {
    const start = now();
    const response = await handler(request, info);
    write(formatAccessLine(new Date(), request, response, now() - start));
    return response;
  };
}
