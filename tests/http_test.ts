import assert from "node:assert/strict";
import fc from "fast-check";
import {
  allowedOrigin,
  contentTag,
  ifNoneMatch,
  jsonRepresentation,
  notModifiedSince,
  requestIdOf,
} from "../src/http.ts";

Deno.test("contentTag() is stable and tells different bodies apart", () => {
  assert.equal(contentTag('{"a":1}'), contentTag('{"a":1}'));
  assert.notEqual(contentTag('{"a":1}'), contentTag('{"a":2}'));
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => a === b || contentTag(a) !== contentTag(b)));
});

Deno.test("jsonRepresentation() encodes once and quotes its strong tag", () => {
  const rep = jsonRepresentation({ city: "Zürich" });
  assert.equal(new TextDecoder().decode(rep.body), '{"city":"Zürich"}');
  assert.match(rep.etag, /^"[0-9a-z]+"$/);
});

Deno.test("ifNoneMatch() compares weakly, in lists and with *", () => {
  assert.ok(ifNoneMatch('"abc"', '"abc"'));
  assert.ok(ifNoneMatch('W/"abc"', '"abc"'));
  assert.ok(ifNoneMatch('"x", W/"abc" ,"y"', '"abc"'));
  assert.ok(ifNoneMatch("*", '"abc"'));
  assert.ok(!ifNoneMatch('"abcd"', '"abc"'));
  assert.ok(!ifNoneMatch("abc", '"abc"'));
  assert.ok(!ifNoneMatch("", '"abc"'));
});

Deno.test("notModifiedSince() honours second precision and ignores bad dates", () => {
  const loaded = new Date("2026-11-23T12:00:00.750Z");
  assert.ok(notModifiedSince("Mon, 23 Nov 2026 12:00:00 GMT", loaded));
  assert.ok(notModifiedSince("Mon, 23 Nov 2026 13:00:00 GMT", loaded));
  assert.ok(!notModifiedSince("Mon, 23 Nov 2026 11:59:59 GMT", loaded));
  assert.ok(!notModifiedSince("yesterday", loaded));
});

Deno.test("requestIdOf() echoes a plain id and replaces an odd one", () => {
  const withId = (id: string) => requestIdOf(new Request("http://x/", { headers: { "x-request-id": id } }));
  assert.equal(withId("req-42.a:b"), "req-42.a:b");
  assert.match(withId("has space"), /^[0-9a-f-]{36}$/);
  assert.match(withId("x".repeat(129)), /^[0-9a-f-]{36}$/);
  assert.match(requestIdOf(new Request("http://x/")), /^[0-9a-f-]{36}$/);
  assert.notEqual(requestIdOf(new Request("http://x/")), requestIdOf(new Request("http://x/")));
});

Deno.test("allowedOrigin() follows the policy", () => {
  const list = { kind: "list", origins: new Set(["https://app.example"]) } as const;
  assert.equal(allowedOrigin({ kind: "off" }, "https://app.example"), undefined);
  assert.equal(allowedOrigin({ kind: "any" }, "https://app.example"), "*");
  assert.equal(allowedOrigin({ kind: "any" }, null), undefined);
  assert.equal(allowedOrigin(list, "https://app.example"), "https://app.example");
  assert.equal(allowedOrigin(list, "https://evil.example"), undefined);
});
