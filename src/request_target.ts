/** The parts of a request URL the server routes by: the path and the query, as the URL standard reads them. */
export interface RequestTarget {
  /** As `URL.pathname`: percent-encoded, dot segments resolved. */
  readonly pathname: string;
  /** As `URL.search`: empty, or "?" and the query. */
  readonly search: string;
}

// Characters the URL parser keeps as they are in a path and a query: unreserved, sub-delimiters
// except "'" (which it encodes in a query), ":", "@", "/", "?" and "%" (RFC 3986, WHATWG URL).
// A table by character code: a scan of it costs a request less than a regular expression.
const PLAIN = new Uint8Array(128);
for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&()*+,;=:@/?%") {
  PLAIN[char.charCodeAt(0)] = 1;
}
const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;
// Visible ASCII but for what would end the host before the first "/" (and so move where the path
// starts); the parser drops spaces and controls around and inside a URL, so those go to it too.
const PLAIN_ORIGIN = /^[\x21-\x7e]*$/;
const ENDS_HOST = /[?#\\]/;

// The scheme and authority last seen to parse. A server sees one or a few, so checking each new
// one with URL keeps this exact at the cost of one parse per distinct origin.
let knownOrigin = "\0"; // no URL starts with it

/**
 * The path and query of `url` (an absolute URL such as `Request.url`), equal to what
 * `new URL(url)` gives. Most request URLs are plain ("/weather/Tokyo?units=si"), and for those it
 * only slices the string: `URL` parsing is among the largest per-request costs of a fast server.
 * Anything else (dot segments, characters the parser would encode) goes through `URL`.
 *
 * @throws {TypeError} When `url` does not parse.
 * @example
 * ```ts
 * requestTarget("http://localhost:5000/get_weather?city=Tokyo"); // { pathname: "/get_weather", search: "?city=Tokyo" }
 * ```
 */
export function requestTarget(url: string): RequestTarget {
  // The origin is the part before the path; checking that it parses costs a URL parse, so only a
  // new one is checked, and the origin seen last is compared first (as a string, cheaply).
  const start = url.startsWith(knownOrigin) && url.charCodeAt(knownOrigin.length) === SLASH
    ? knownOrigin.length
    : newOrigin(url);
  const query = start === -1 ? -1 : plainQuery(url, start);
  if (query !== -1) {
    // A lone "?" is an empty query, which URL.search shows as "".
    const search = query === url.length || query === url.length - 1 ? "" : url.slice(query);
    return { pathname: url.slice(start, query), search };
  }
  const parsed = new URL(url);
  return { pathname: parsed.pathname, search: parsed.search };
}

/**
 * Where the query of `url` starts (its "?", or the end of `url` when it has none), when the path
 * from `start` and the query are plain: only characters the parser keeps, and no "." or ".."
 * segment, spelled with dots or "%2e", which the parser removes or resolves. Else -1.
 */
function plainQuery(url: string, start: number): number {
  let query = -1;
  for (let i = start; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code >= 128 || PLAIN[code] === 0) return -1;
    if (query !== -1) continue;
    if (code === QUESTION) query = i;
    else if (code === SLASH) {
      const next = url.charCodeAt(i + 1);
      if (next === DOT) return -1;
      // "%2e" or "%2E"; the digit has no case.
      if (next === PERCENT && url.charCodeAt(i + 2) === 0x32 && (url.charCodeAt(i + 3) | 0x20) === 0x65) {
        return -1;
      }
    }
  }
  return query === -1 ? url.length : query;
}

/**
 * Where the path of `url` starts when its origin is plain and parses, remembering that origin;
 * else -1, for the URL parser to decide. Throws as `new URL(url)` would for an origin that does
 * not parse: the path plays no part in the host.
 */
function newOrigin(url: string): number {
  const scheme = url.indexOf("://");
  const start = scheme === -1 ? -1 : url.indexOf("/", scheme + 3);
  // An empty authority ("http:///x") is one the parser skips slashes past to find the host.
  if (start <= scheme + 3) return -1;
  const origin = url.slice(0, start);
  if (!PLAIN_ORIGIN.test(origin) || ENDS_HOST.test(origin)) return -1;
  new URL(origin);
  knownOrigin = origin;
  return start;
}

/**
 * Every value of parameter `name` in `search` (as `URL.search`), decoded as
 * `URLSearchParams.getAll` decodes them ("+" is a space, bad percent-escapes stay as they are).
 * Plain queries are decoded in place; only a query `decodeURIComponent` rejects takes the
 * slower `URLSearchParams`.
 *
 * @example
 * ```ts
 * searchValues("?city=S%C3%A3o+Paulo&units=si", "city"); // ["São Paulo"]
 * ```
 */
export function searchValues(search: string, name: string): string[] {
  const values: string[] = [];
  if (search.length < 2) return values;
  try {
    for (const pair of search.slice(1).split("&")) {
      if (pair === "") continue;
      const equals = pair.indexOf("=");
      const key = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
      if (key === name) values.push(equals === -1 ? "" : decodeFormComponent(pair.slice(equals + 1)));
    }
    return values;
  } catch {
    return new URLSearchParams(search).getAll(name);
  }
}

/**
 * Every parameter of `search` ("?a=1&b=2&a=3") with its values in order, decoded as
 * {@linkcode searchValues} decodes them: one pass, for a route that reads many parameters.
 *
 * @example
 * ```ts
 * searchParameters("?hourly=rain&hourly=snowfall").get("hourly"); // ["rain", "snowfall"]
 * ```
 */
export function searchParameters(search: string): Map<string, string[]> {
  const parameters = new Map<string, string[]>();
  if (search.length < 2) return parameters;
  try {
    for (const pair of search.slice(1).split("&")) {
      if (pair === "") continue;
      const equals = pair.indexOf("=");
      const key = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
      const value = equals === -1 ? "" : decodeFormComponent(pair.slice(equals + 1));
      const values = parameters.get(key);
      if (values === undefined) parameters.set(key, [value]);
      else values.push(value);
    }
  } catch {
    parameters.clear();
    for (const [key, value] of new URLSearchParams(search)) {
      const values = parameters.get(key);
      if (values === undefined) parameters.set(key, [value]);
      else values.push(value);
    }
  }
  return parameters;
}

function decodeFormComponent(text: string): string {
  if (text.indexOf("+") !== -1) text = text.replaceAll("+", " ");
  return text.indexOf("%") === -1 ? text : decodeURIComponent(text);
}

// A host name, IPv4 address or IP literal, then an optional port (RFC 3986, section 3.2.2).
const HOST = /^(?:\[[0-9A-Za-z:.%]+\]|[0-9A-Za-z\-._~!$&'()*+,;=%]*)(?::\d*)?$/;
// The Host value that last passed HOST: a server sees one or a few, and a comparison is cheaper.
let knownHost = "";

/**
 * True when `request` has no Host header, or one that is a host and an optional port; not, for
 * instance, "x/weather/cities?", which would move where `request.url` puts the path.
 */
export function hostIsValid(request: Request): boolean {
  const host = request.headers.get("host");
  if (host === null || host === knownHost) return true;
  if (!HOST.test(host)) return false;
  knownHost = host;
  return true;
}

/**
 * The path and query of `request`, or undefined when it has none to route by. Deno builds
 * `request.url` from the raw Host header: "a b" makes it unparseable, and "x/weather/cities?"
 * would move the path.
 */
export function targetOfRequest(request: Request): RequestTarget | undefined {
  if (!hostIsValid(request)) return undefined;
  try {
    return requestTarget(request.url);
  } catch {
    return undefined;
  }
}
