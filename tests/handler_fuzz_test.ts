// Property-based tests throwing odd requests at the handler. The assertions hold for any method
// handling (answered like GET, or 405, HEAD and OPTIONS answered on their own): never a throw,
// never a 5xx, every body JSON, every error a problem details body.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import fc from "fast-check";
import { withAccessLog } from "../src/access_log.ts";
import { createHandler } from "../src/handler.ts";
import { findRoute } from "../src/routes.ts";
import { ProblemSchema } from "../src/schema.ts";
import { bundled } from "./_helpers.ts";

const seen: unknown[] = [];
const handler = createHandler({ current: bundled }, { onError: (error) => seen.push(error) });

const percent = fc.oneof(
  fc.constantFrom(
    "%",
    "%%",
    "%E0%A4",
    "%E0%A4%A",
    "%ZZ",
    "%0",
    "%00",
    "%ED%A0%80",
    "%C0%AF",
    "%FF",
    "%2F",
    "%2e%2e",
  ),
  fc.constantFrom(
    "%252F",
    "%u0041",
    "%C3%A3",
    "%F0%9F%98%80",
    "%0A",
    "%0D%0A",
    "%7F",
    "%3F",
    "%23",
    "%26",
    "%3D",
  ),
  fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, "0")}`),
);
const control = fc.constantFrom("\0", "\t", "\n", "\r", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u200b");
const oddText = fc.constantFrom(
  "\uFEFF",
  "\uD800",
  "\uDFFF",
  "\uFFFD",
  "\u0301",
  "İ",
  "ß",
  "ﬁ",
  "🇯🇵",
  "東京",
  "..",
  ".",
);
const piece = fc.oneof(
  fc.constantFrom(
    "/",
    "weather",
    "cities",
    "get_weather",
    "healthz",
    "Tokyo",
    "tokyo",
    "São Paulo",
    "S%C3%A3o%20Paulo",
  ),
  fc.constantFrom("?", "&", "=", "#", "+", ";", "\\", "//", "city", "city=", "@", ":", "[", "]", " "),
  percent,
  control,
  oddText,
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.string({ unit: "binary-ascii", maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 3 }),
);
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(""));
/** Very long values: a piece repeated to some thousands or a few hundred thousand characters. */
const long = fc.tuple(piece, fc.integer({ min: 1_000, max: 100_000 }))
  .map(([part, size]) => (part || "a").repeat(Math.ceil(size / Math.max(1, part.length))));
const value = fc.oneof({ weight: 8, arbitrary: text }, { weight: 1, arbitrary: long });
const param = fc.tuple(
  fc.oneof(fc.constantFrom("city", "City", "CITY", "city ", "city[]", "units", "callback", ""), text),
  value,
);
const path = fc.oneof(
  fc.tuple(
    fc.constantFrom("/weather/cities", "/get_weather", "/weather/", "/healthz", "/", ""),
    fc.option(value, { nil: "" }),
  ).map(([route, rest]) => route + rest),
  value.map((rest) => `/${rest}`),
);
const query = fc.array(param, { maxLength: 6 }).map((params) =>
  params.length === 0 ? "" : "?" + params.map(([key, v]) => `${key}=${v}`).join("&")
);

const methods = fc.oneof(
  fc.constantFrom(
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "get",
    "head",
    "options",
    "Get",
  ),
  fc.constantFrom("PROPFIND", "QUERY", "M-SEARCH", "BREW", "PURGE", "LINK"),
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,16}$/),
).filter((method) => !["CONNECT", "TRACE", "TRACK"].includes(method.toUpperCase()));

const headerName = fc.oneof(
  fc.constantFrom(
    "accept",
    "accept-encoding",
    "accept-language",
    "if-none-match",
    "if-modified-since",
    "if-match",
  ),
  fc.constantFrom(
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "range",
    "host",
  ),
  fc.constantFrom(
    "content-type",
    "cookie",
    "authorization",
    "x-forwarded-for",
    "x-http-method-override",
    "expect",
  ),
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,30}$/),
);
/** Header values the Fetch API accepts: no NUL, CR or LF, Latin-1 only. */
const headerText = fc.string({
  unit: fc.oneof(fc.constant("\t"), fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c))),
  maxLength: 40,
});
const headerValue = fc.oneof(
  fc.constantFrom(
    "*",
    "*/*",
    "application/json",
    "text/html;q=0.9",
    '"abc"',
    'W/"x", *',
    "null",
    "bytes=0-10",
  ),
  fc.constantFrom(
    "http://evil.example",
    "GET",
    "imperial",
    "gzip, br",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "-1",
  ),
  headerText,
  fc.integer({ min: 1_000, max: 60_000 }).map((size) => "x".repeat(size)),
);
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });
const body = fc.option(
  fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.uint8Array({ maxLength: 200 })),
  {
    nil: undefined,
  },
);

/** The request, or undefined when the Fetch API itself refuses it (a forbidden name, say). */
function build(method: string, url: string, list: [string, string][], payload?: string | Uint8Array) {
  try {
    const canHaveBody = !["GET", "HEAD"].includes(method.toUpperCase());
    return new Request(url, {
      method,
      headers: list,
      body: canHaveBody ? payload as BodyInit | undefined : undefined,
    });
  } catch {
    return undefined;
  }
}

/** Checks one answer against what every answer must be. */
async function check(request: Request, response: Response): Promise<void> {
  const what = `${request.method} ${request.url.slice(0, 200)}`;
  assert.ok(response.status >= 200 && response.status < 500, `${what}: status ${response.status}`);
  const type = response.headers.get("content-type") ?? "";
  const bytes = new Uint8Array(await response.arrayBuffer());
  // Cached bodies go out precompressed when the request accepts it.
  const encoding = response.headers.get("content-encoding");
  assert.ok(encoding === null || encoding === "br" || encoding === "gzip", `${what}: coding ${encoding}`);
  const text = new TextDecoder().decode(
    encoding === "br" ? brotliDecompressSync(bytes) : encoding === "gzip" ? gunzipSync(bytes) : bytes,
  );
  if (text === "") {
    // Only answers that may have no body: to HEAD and OPTIONS, 204 and 304.
    assert.ok(
      ["HEAD", "OPTIONS"].includes(request.method) || [204, 304].includes(response.status),
      `${what}: empty ${response.status} body`,
    );
    return;
  }
  if (type.startsWith("text/html")) {
    // Only the pages answer HTML (the front page for a request that prefers it): a page or an error page.
    assert.ok(["/", "/city/{city}"].includes(findRoute(new URL(request.url).pathname)?.path ?? ""), what);
    if (response.status >= 400) assert.ok(text.includes(`<h1>${response.status} `), what);
    else assert.equal(response.status, 200, what);
    return;
  }
  const json = JSON.parse(text);
  if (response.status >= 400) {
    assert.match(type, /^application\/problem\+json/, what);
    const problem = ProblemSchema.parse(json);
    assert.equal(problem.status, response.status, what);
    assert.equal(problem.error, problem.detail, what);
  } else assert.match(type, /^application\/json/, what);
}

Deno.test("createHandler() answers any path and query without throwing, a 5xx or a non-JSON body", async () => {
  let built = 0;
  await fc.assert(
    fc.asyncProperty(path, query, async (route, search) => {
      const request = build("GET", `http://localhost${route}${search}`, []);
      if (request === undefined) return;
      built++;
      await check(request, await handler(request));
    }),
    { numRuns: 1500 },
  );
  assert.ok(built > 1000, `only ${built} of 1500 requests could be built`);
  assert.deepEqual(seen, []);
});

Deno.test("createHandler() answers any method, headers and body without throwing, a 5xx or a non-JSON body", async () => {
  let built = 0;
  await fc.assert(
    fc.asyncProperty(methods, path, query, headers, body, async (method, route, search, list, payload) => {
      const request = build(method, `http://localhost${route}${search}`, list, payload);
      if (request === undefined) return;
      built++;
      await check(request, await handler(request));
    }),
    { numRuns: 1000 },
  );
  assert.ok(built > 500, `only ${built} of 1000 requests could be built`);
  assert.deepEqual(seen, []);
});

Deno.test("createHandler() answers /weather/{city} exactly as /get_weather?city= for any city", async () => {
  // Not the names the URL parser or the router take for something else: "", ".", ".." and "cities".
  const city = fc.oneof(
    text,
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.constantFrom(...bundled.cities.map((c) => c.name)),
  )
    .filter((name) => name.trim() !== "" && ![".", "..", "cities"].includes(name) && name.isWellFormed());
  await fc.assert(
    fc.asyncProperty(city, async (name) => {
      const encoded = encodeURIComponent(name);
      const rest = await handler(new Request(`http://localhost/weather/${encoded}`));
      const query = await handler(new Request(`http://localhost/get_weather?city=${encoded}`));
      assert.equal(rest.status, query.status, name);
      assert.equal(await rest.text(), await query.text(), name);
    }),
    { numRuns: 1000 },
  );
});

Deno.test("withAccessLog() writes exactly one line for any request", async () => {
  const lines: string[] = [];
  const logged = withAccessLog(handler, (line) => lines.push(line));
  await fc.assert(
    fc.asyncProperty(methods, path, query, async (method, route, search) => {
      const request = build(method, `http://localhost${route}${search}`, []);
      if (request === undefined) return;
      lines.length = 0;
      await (await logged(request, undefined)).body?.cancel();
      assert.equal(lines.length, 1);
      assert.match(
        lines[0]!,
        /^\S+ \S+ \S+ \d{3} \d+\.\d\dms \S+$/,
        "no spaces, controls or breaks in the fields",
      );
    }),
    { numRuns: 500 },
  );
});
