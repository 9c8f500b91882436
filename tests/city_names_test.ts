import assert from "node:assert/strict";
import fc from "fast-check";
import { CityNameIndex, editDistance, normalizeCityName } from "../src/city_names.ts";

Deno.test("normalizeCityName() folds case, accents and white space", () => {
  assert.equal(normalizeCityName(" São  Paulo "), "sao paulo");
  assert.equal(normalizeCityName("SÃO PAULO"), "sao paulo");
  assert.equal(normalizeCityName("Zu\u0308rich"), "zurich");
  assert.equal(normalizeCityName("Reykjavík\t"), "reykjavik");
  assert.equal(normalizeCityName("Ciudad\nde   México"), "ciudad de mexico");
});

Deno.test("normalizeCityName() is idempotent", () => {
  fc.assert(fc.property(fc.string({ unit: "grapheme" }), (name) => {
    const once = normalizeCityName(name);
    assert.equal(normalizeCityName(once), once);
  }));
});

Deno.test("editDistance() counts insertions, deletions, substitutions and transpositions", () => {
  assert.equal(editDistance("tokio", "tokyo"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("paris", "paris"), 0);
  assert.equal(editDistance("lodnon", "london"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

Deno.test("editDistance() is a symmetric bound by the longer length", () => {
  fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
    const d = editDistance(a, b);
    assert.equal(d, editDistance(b, a));
    assert.ok(d <= Math.max(a.length, b.length));
    assert.equal(d === 0, a === b);
  }));
});

Deno.test("CityNameIndex.find() matches on the normalized name only", () => {
  const index = new CityNameIndex(["Tokyo", "São Paulo", "Zürich"]);
  assert.equal(index.find("sao paulo"), 1);
  assert.equal(index.find(" ZÜRICH "), 2);
  assert.equal(index.find("Tokyo City"), undefined);
});

Deno.test("CityNameIndex.suggest() offers the nearest names, at most three", () => {
  const index = new CityNameIndex(["Tokyo", "Kyoto", "Paris", "Parma", "Perth", "Porto", "Lima"]);
  assert.deepEqual(index.suggest("Tokio"), ["Tokyo"]);
  assert.deepEqual(index.suggest("Pari"), ["Paris", "Parma"]);
  const many = new CityNameIndex(["Lima", "Lyma", "Lema", "Loma", "Lime"]);
  assert.deepEqual(many.suggest("Lxma"), ["Lima", "Lyma", "Lema"]);
  assert.deepEqual(index.suggest("Xyzzyx"), []);
  assert.deepEqual(index.suggest("   "), []);
});
