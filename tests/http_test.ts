import assert from "node:assert/strict";
import fc from "fast-check";
import { allowedOrigin } from "../src/cors.ts";
import {
  contentTag,
  ifNoneMatch,
  jsonRepresentation,
  notModifiedSince,
  preferredEncoding,
  requestIdOf,
} from "../src/http.ts";
import { createHandler } from "../src/handler.ts";
import { bundled } from "./_helpers.ts";

Deno.test("contentTag() is stable and tells different bodies apart", () => {
  assert.equal(contentTag('{"a":1}'), contentTag('{"a":1}'));
  assert.notEqual(contentTag('{"a":1}'), contentTag('{"a":2}'));
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => a === b || contentTag(a) !== contentTag(b)));
});

Deno.test("jsonRepresentation() encodes once and quotes its strong tag", () => {
  let serialized = 0;
  const value = { city: "Zürich", toJSON: () => (serialized++, { city: value.city }) };
  const rep = jsonRepresentation(value);
  assert.equal(serialized, 1);
  value.city = "Bern";
  // Reading the body and tag again neither serializes again nor sees the later change.
  assert.equal(new TextDecoder().decode(rep.body), '{"city":"Zürich"}');
  assert.equal(rep.body, rep.body);
  assert.equal(rep.etag, `"${contentTag('{"city":"Zürich"}')}"`);
  assert.equal(serialized, 1);
});

Deno.test("createHandler() sends every answer of a representation from its one encoding", async () => {
  let serialized = 0;
  const value = { toJSON: () => (serialized++, { cities: ["Tokyo"] }) };
  const representation = jsonRepresentation(value);
  const dataset = { ...bundled, cityList: representation };
  const handler = createHandler({ current: dataset });
  for (let i = 0; i < 3; i++) {
    const response = await handler(new Request("http://localhost/weather/cities"));
    assert.equal(await response.text(), '{"cities":["Tokyo"]}');
    assert.equal(response.headers.get("etag"), representation.etag);
  }
  assert.equal(serialized, 1);
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

Deno.test("preferredEncoding() picks br, then gzip, by q-value", () => {
  assert.equal(preferredEncoding("gzip, deflate, br"), "br");
  assert.equal(preferredEncoding("gzip, deflate, br;q=0.5"), "gzip");
  assert.equal(preferredEncoding("br;q=0, gzip"), "gzip");
  assert.equal(preferredEncoding("*"), "br");
  assert.equal(preferredEncoding("gzip;q=0, *;q=0.1"), "br");
  assert.equal(preferredEncoding("identity"), undefined);
  assert.equal(preferredEncoding("deflate"), undefined);
  assert.equal(preferredEncoding("br;q=0, gzip;q=0"), undefined);
  assert.equal(preferredEncoding("GZIP"), "gzip");
  assert.equal(preferredEncoding("gzip;q=bogus"), undefined);
  assert.equal(preferredEncoding(""), undefined);
  assert.equal(preferredEncoding(null), undefined);
});

Deno.test("preferredEncoding() answers each header on its own when headers alternate", () => {
  const cases: [string, string | undefined][] = [
    ["gzip, deflate, br", "br"],
    ["gzip", "gzip"],
    ["gzip, deflate, br", "br"],
    ["identity", undefined],
    ["br;q=0, gzip;q=0", undefined],
    ["gzip", "gzip"],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [header, expected] of cases) assert.equal(preferredEncoding(header), expected, header);
  }
});
