import assert from "node:assert/strict";
import fc from "fast-check";
import { parseAccept, preferredMediaType, qualityOf } from "../src/negotiate.ts";

const OFFERED = ["application/json", "text/html"];
const CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp," +
  "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
const FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

Deno.test("preferredMediaType() gives browsers HTML", () => {
  for (const accept of [CHROME, FIREFOX, SAFARI, "text/html", "TEXT/HTML", "text/*"]) {
    assert.equal(preferredMediaType(accept, OFFERED), "text/html", accept);
  }
});

Deno.test("preferredMediaType() gives API clients JSON, and the first offer when anything goes", () => {
  for (
    const accept of [
      null,
      "",
      "  ",
      "*/*",
      "application/json",
      "application/*",
      "application/json, */*;q=0.5",
    ]
  ) {
    assert.equal(preferredMediaType(accept, OFFERED), "application/json", String(accept));
  }
});

Deno.test("preferredMediaType() honors q-values", () => {
  assert.equal(preferredMediaType("text/html;q=0.5, application/json", OFFERED), "application/json");
  assert.equal(preferredMediaType("application/json;q=0.5, text/html", OFFERED), "text/html");
  assert.equal(preferredMediaType("text/html;q=0.9, application/json;q=0.9", OFFERED), "application/json");
  assert.equal(preferredMediaType("*/*;q=0.1, text/html;q=0.2", OFFERED), "text/html");
  // The most specific range decides: text/html is refused even though */* accepts it.
  assert.equal(preferredMediaType("text/html;q=0, */*", OFFERED), "application/json");
  assert.equal(preferredMediaType("application/json;q=0, */*", OFFERED), "text/html");
  assert.equal(preferredMediaType("text/*;q=0.3, text/html;q=0.8, */*;q=0.5", OFFERED), "text/html");
});

Deno.test("preferredMediaType() returns undefined when nothing offered is acceptable", () => {
  assert.equal(preferredMediaType("image/png", OFFERED), undefined);
  assert.equal(preferredMediaType("text/html;q=0, application/json;q=0", OFFERED), undefined);
  assert.equal(preferredMediaType("*/*;q=0", OFFERED), undefined);
});

Deno.test("parseAccept() reads ranges and q, skipping malformed ones", () => {
  assert.deepEqual(parseAccept(' Text/HTML ; level=1 ; Q=0.5 ; ext="x", application/json'), [
    { type: "text", subtype: "html", q: 0.5 },
    { type: "application", subtype: "json", q: 1 },
  ]);
  assert.deepEqual(
    parseAccept("text, */html, a/b/c, text/html;q=2, text/html;q=abc, text/html;q=0.1234"),
    [],
  );
  assert.deepEqual(parseAccept("text/html;q=0.250"), [{ type: "text", subtype: "html", q: 0.25 }]);
  assert.equal(qualityOf(parseAccept("text/*;q=0.4"), "text/html"), 0.4);
  assert.equal(qualityOf(parseAccept("image/*"), "text/html"), 0);
});

Deno.test("preferredMediaType() never throws and answers only what was offered", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (accept) => {
    const chosen = preferredMediaType(accept, OFFERED);
    assert.ok(chosen === undefined || OFFERED.includes(chosen));
  }));
});
