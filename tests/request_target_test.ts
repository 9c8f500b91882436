import assert from "node:assert/strict";
import fc from "fast-check";
import { requestTarget, searchValues } from "../src/request_target.ts";

/** What the URL standard says, through the built-in parser: the reference the fast path must equal. */
function viaUrl(url: string): { pathname: string; search: string } | "invalid" {
  try {
    const { pathname, search } = new URL(url);
    return { pathname, search };
  } catch {
    return "invalid";
  }
}

function viaTarget(url: string): { pathname: string; search: string } | "invalid" {
  try {
    return { ...requestTarget(url) };
  } catch (error) {
    assert.ok(error instanceof TypeError, `expected a TypeError for ${url}, got ${error}`);
    return "invalid";
  }
}

// Pieces that exercise every rule of path and query parsing: dot segments in both spellings,
// characters the parser percent-encodes, bad and good escapes, separators, non-ASCII.
const piece = fc.oneof(
  fc.constantFrom(
    "/",
    ".",
    "..",
    "%2e",
    "%2E",
    ".%2e",
    "?",
    "#",
    "&",
    "=",
    "+",
    "%",
    "%zz",
    "%41",
    "%C3%A4",
    "%FF",
    "'",
    '"',
    "<",
    ">",
    "`",
    "{",
    "}",
    "^",
    "|",
    "\\",
    " ",
    "\t",
    "\n",
    "ä",
    "東京",
    "city",
    "units",
    "weather",
    "Tokyo",
  ),
  fc.string({ maxLength: 3 }),
);
const target = fc.array(piece, { maxLength: 12 }).map((parts) => `/${parts.join("")}`);
const origin = fc.constantFrom(
  "http://127.0.0.1:5000",
  "http://localhost",
  "http://[::1]:8080",
  "https://Example.COM",
  "http://user@host",
  "http://a b",
  "http://1.2.3.999",
  "http://h:99999",
  "http://x?",
  "http://x#",
  "http://x\\y",
  "http:/",
  "http://lo\tcal",
  "HTTP://h",
);

Deno.test("requestTarget() gives the pathname and search new URL() gives", () => {
  fc.assert(
    fc.property(origin, target, (origin, target) => {
      const url = origin + target;
      assert.deepEqual(viaTarget(url), viaUrl(url), url);
    }),
    { numRuns: 5000 },
  );
});

Deno.test("requestTarget() slices plain URLs and resolves dot segments", () => {
  assert.deepEqual(requestTarget("http://127.0.0.1:5000/get_weather?city=Tokyo"), {
    pathname: "/get_weather",
    search: "?city=Tokyo",
  });
  assert.deepEqual(requestTarget("http://h/weather/x/../cities"), {
    pathname: "/weather/cities",
    search: "",
  });
  assert.deepEqual(requestTarget("http://h/weather/%2e%2e/get_weather?"), {
    pathname: "/get_weather",
    search: "",
  });
  assert.deepEqual(requestTarget("http://h/a<b"), { pathname: "/a%3Cb", search: "" });
  assert.throws(() => requestTarget("http://a b/weather/cities"), TypeError);
});

Deno.test("searchValues() decodes as URLSearchParams.getAll() does", () => {
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 12 }),
      fc.constantFrom("city", "units", "ä", "", "a b"),
      (parts, name) => {
        const search = `?${parts.join("")}`;
        assert.deepEqual(searchValues(search, name), new URLSearchParams(search).getAll(name), search);
      },
    ),
    { numRuns: 5000 },
  );
});

Deno.test("searchValues() finds every value, decoded", () => {
  assert.deepEqual(searchValues("?city=S%C3%A3o+Paulo&units=si&city=", "city"), ["São Paulo", ""]);
  assert.deepEqual(searchValues("?city=%FF", "city"), ["\uFFFD"]);
  assert.deepEqual(searchValues("?city=%zz", "city"), ["%zz"]);
  assert.deepEqual(searchValues("", "city"), []);
  assert.deepEqual(searchValues("?units=si", "city"), []);
});
