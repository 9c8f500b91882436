/** Response headers as name-value pairs, in the order they are sent. */
export type HeaderList = [name: string, value: string][];

/** A precomputed response body with its strong entity tag. */
export interface Representation {
  readonly body: Uint8Array<ArrayBuffer>;
  /** Strong entity tag, quotes included: `"1a2b3c"`. */
  readonly etag: string;
}

const encoder = new TextEncoder();

/**
 * A 53-bit content hash (cyrb53) as base-36 text: cheap, synchronous, and well spread, which is
 * all an entity tag needs. It is computed once per body per data load, never per request.
 */
export function contentTag(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Serializes `value` as JSON once and tags it. */
export function jsonRepresentation(value: unknown): Representation {
  const text = JSON.stringify(value);
  return { body: encoder.encode(text), etag: `"${contentTag(text)}"` };
}

function opaqueTag(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * True when an `If-None-Match` header value matches `etag` by the weak comparison RFC 9110
 * prescribes for it: `*` matches any current representation, and `W/"x"` matches `"x"`.
 */
export function ifNoneMatch(header: string, etag: string): boolean {
  const wanted = opaqueTag(etag);
  for (const candidate of header.split(",")) {
    const tag = candidate.trim();
    if (tag === "*" || opaqueTag(tag) === wanted) return true;
  }
  return false;
}

/**
 * True when an `If-Modified-Since` header value shows the client's copy is current: the date
 * parses and is not before `lastModified` (which HTTP dates express to the second).
 */
export function notModifiedSince(header: string, lastModified: Date): boolean {
  const since = Date.parse(header);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/**
 * Has Deno read every header of `request` now, in one call. `Deno.serve` fetches request headers
 * lazily, one call into the runtime per `headers.get()`, and once the handler is done it reads
 * the whole list again if any header was read. A handler that reads several headers does better
 * to take the whole list up front: its gets become lookups in memory, and the read after it is
 * skipped. `getSetCookie()` is the Headers method that takes the whole list without sorting it.
 */
export function readHeadersAtOnce(request: Request): void {
  request.headers.getSetCookie();
}

const SANE_REQUEST_ID = /^[\w.:@\/+=-]{1,128}$/;

/** The request's own `X-Request-Id` when it is short and plain, else a fresh UUID. */
export function requestIdOf(request: Request): string {
  const incoming = request.headers.get("x-request-id");
  return incoming !== null && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/** Content codings the server precomputes for cached bodies, best first. */
export const ENCODINGS = ["br", "gzip"] as const;

/** One of {@linkcode ENCODINGS}. */
export type Encoding = typeof ENCODINGS[number];

/**
 * The best of {@linkcode ENCODINGS} an `Accept-Encoding` header allows (q-values honoured, `*`
 * standing for any coding not named), or undefined for the identity coding.
 *
 * @example
 * ```ts
 * preferredEncoding("gzip, deflate, br;q=0.5"); // "gzip"
 * ```
 */
export function preferredEncoding(header: string | null): Encoding | undefined {
  if (header === null || header === "") return undefined;
  // A client sends the same header on every request, and most clients send one of a handful.
  if (header === lastAcceptEncoding) return lastChoice;
  const choice = chooseEncoding(header);
  lastAcceptEncoding = header;
  lastChoice = choice;
  return choice;
}

let lastAcceptEncoding: string | undefined;
let lastChoice: Encoding | undefined;

function chooseEncoding(header: string): Encoding | undefined {
  const quality = new Map<string, number>();
  for (const part of header.split(",")) {
    const [coding = "", ...params] = part.split(";");
    const name = coding.trim().toLowerCase();
    if (name === "") continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=").map((s) => s.trim());
      if (key?.toLowerCase() === "q") {
        q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value ?? "") ? Number(value) : 0;
      }
    }
    quality.set(name, q);
  }
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const encoding of ENCODINGS) {
    const q = quality.get(encoding) ?? quality.get("*") ?? 0;
    if (q > bestQ) [best, bestQ] = [encoding, q];
  }
  return best;
}
