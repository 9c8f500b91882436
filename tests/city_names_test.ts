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

Deno.test("CityNameIndex.find() finds a city by any alias, folded like names", () => {
  const index = new CityNameIndex(["Mumbai", "Beijing", "Ciudad de México"], [
    ["Bombay", "मुंबई"],
    undefined,
    ["Mexico City", "CDMX"],
  ]);
  assert.equal(index.find("Bombay"), 0);
  assert.equal(index.find(" BOMBAY "), 0);
  assert.equal(index.find("मुंबई"), 0);
  assert.equal(index.find("méxico  city"), 2);
  assert.equal(index.find("cdmx"), 2);
  assert.equal(index.find("ciudad de mexico"), 2);
  assert.equal(index.find("Peking"), undefined);
});

Deno.test("CityNameIndex.find() prefers a name to another city's alias in an unchecked index", () => {
  const index = new CityNameIndex(["Springfield", "Shelbyville"], [undefined, ["springfield"]]);
  assert.equal(index.find("Springfield"), 0);
  assert.equal(index.find("SPRINGFIELD"), 0);
  // Aliases of positions past the names are ignored.
  assert.equal(new CityNameIndex(["A"], [[], ["B"]]).find("B"), undefined);
});

Deno.test("CityNameIndex.suggest() considers aliases and names the city by its name", () => {
  const index = new CityNameIndex(["Tokyo", "Mumbai", "Beijing", "New York"], [
    undefined,
    ["Bombay"],
    ["Peking"],
    ["New York City", "NYC"],
  ]);
  assert.deepEqual(index.suggest("Bombai"), ["Mumbai"]);
  assert.deepEqual(index.suggest("Pekin"), ["Beijing"]);
  // Near by its name and by an alias, a city is suggested once, at its nearest.
  assert.deepEqual(index.suggest("New Yor"), ["New York"]);
  assert.deepEqual(index.suggest("Tokio"), ["Tokyo"]);
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

Deno.test("CityNameIndex.suggest() takes a listed name's prefix of 3 or more units as distance 1", () => {
  const index = new CityNameIndex(["Santiago", "Sana", "San Juan de los Lagos", "Sanaa", "Osaka"]);
  // "Sana" is a prefix match (1) like the others, not an edit distance (1): data order decides.
  assert.deepEqual(index.suggest("San", 10), ["Santiago", "Sana", "San Juan de los Lagos", "Sanaa"]);
  assert.deepEqual(index.suggest("sañ juan"), ["San Juan de los Lagos"]);
  // Below 3 units a prefix is no hint: "Sa" is 2 edits from "Sana" and too far from the rest.
  assert.deepEqual(index.suggest("Sa"), ["Sana"]);
});

Deno.test("CityNameIndex.suggest() ranks a listed name as the query itself by the prefix rule", () => {
  const index = new CityNameIndex(["Lima", "Lime", "Li"]);
  // "lima" starts with "lima" (1), is 1 edit from "lime" and 2 from "li": data order, then distance.
  assert.deepEqual(index.suggest("Lima"), ["Lima", "Lime", "Li"]);
  // Under 3 units an exact match is distance 0.
  assert.deepEqual(index.suggest("LI"), ["Li", "Lima", "Lime"]);
});

Deno.test("CityNameIndex.suggest() honours the limit and an index of no names", () => {
  const index = new CityNameIndex(["Lima", "Lyma", "Lema", "Loma", "Lime"]);
  assert.deepEqual(index.suggest("Lxma", 0), []);
  assert.deepEqual(index.suggest("Lxma", 5), ["Lima", "Lyma", "Lema", "Loma", "Lime"]);
  assert.deepEqual(new CityNameIndex([]).suggest("Lima"), []);
});

/**
 * The straightforward scan `CityNameIndex.suggest()` must agree with: every city, at the distance of
 * the nearest of its name and aliases.
 */
function referenceSuggest(
  names: readonly string[],
  name: string,
  limit = 3,
  aliases: readonly (readonly string[] | undefined)[] = [],
): string[] {
  const query = normalizeCityName(name);
  if (query.length === 0) return [];
  const threshold = Math.max(2, Math.floor(query.length / 3));
  const scored: { index: number; distance: number }[] = [];
  names.forEach((listed, index) => {
    const distances = [listed, ...(aliases[index] ?? [])].map((spelling) => {
      const key = normalizeCityName(spelling);
      return key.startsWith(query) && query.length >= 3 ? 1 : editDistance(query, key);
    });
    const distance = Math.min(...distances);
    if (distance <= threshold) scored.push({ index, distance });
  });
  scored.sort((x, y) => x.distance - y.distance || x.index - y.index);
  return scored.slice(0, limit).map(({ index }) => names[index]!);
}

/**
 * The city `CityNameIndex.find()` must answer: the first with `name` as spelled (names before
 * aliases), else the first with its normalized form (names before aliases).
 */
function referenceFind(
  names: readonly string[],
  name: string,
  aliases: readonly (readonly string[] | undefined)[],
): number | undefined {
  const spellings = [
    ...names.map((spelling, city) => ({ spelling, city })),
    ...aliases.slice(0, names.length).flatMap((list, city) =>
      (list ?? []).map((spelling) => ({ spelling, city }))
    ),
  ];
  const key = normalizeCityName(name);
  return (spellings.find(({ spelling }) => spelling === name) ??
    spellings.find(({ spelling }) => normalizeCityName(spelling) === key))?.city;
}

// Few letters, so that names share prefixes and lie within a few edits of each other; accents,
// capitals and spaces, so that normalization matters; one letter of two UTF-16 units.
const letter = fc.constantFrom("a", "b", "c", "d", "A", "á", "é", "e", " ", "-", "\u{1D538}");
const cityName = fc.string({ unit: letter, maxLength: 14 });
/** Lists of names, some over two letters only so that many share a length and a long prefix. */
const cityNames = fc.oneof(
  fc.array(cityName, { minLength: 1, maxLength: 60 }),
  fc.array(fc.string({ unit: fc.constantFrom("a", "B", "á"), minLength: 3, maxLength: 9 }), {
    minLength: 1,
    maxLength: 120,
  }),
);

/** `name` with 0 to 4 random insertions, deletions, substitutions and swaps of neighbours. */
const edited = (name: string) =>
  fc.array(fc.tuple(fc.nat(3), fc.nat(), letter), { maxLength: 4 }).map((edits) => {
    let text = name;
    for (const [kind, at, unit] of edits) {
      const i = text.length === 0 ? 0 : at % text.length;
      if (kind === 0) text = text.slice(0, i) + unit + text.slice(i);
      else if (kind === 1) text = text.slice(0, i) + text.slice(i + 1);
      else if (kind === 2) text = text.slice(0, i) + unit + text.slice(i + 1);
      else text = text.slice(0, i) + text.slice(i + 1, i + 2) + text.slice(i, i + 1) + text.slice(i + 2);
    }
    return text;
  });

Deno.test("CityNameIndex.suggest() gives the same names in the same order as a scan of every name", () => {
  const setup = cityNames.chain((names) =>
    fc.record({
      names: fc.constant(names),
      limit: fc.integer({ min: -1, max: 8 }),
      queries: fc.array(
        fc.oneof(
          cityName,
          fc.constantFrom(...names).chain(edited),
          fc.constantFrom(...names).chain((name) => fc.nat(name.length).map((n) => name.slice(0, n))),
          fc.string({ unit: letter, maxLength: 3 }),
          fc.string({ unit: "binary", maxLength: 6 }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
    })
  );
  fc.assert(
    fc.property(setup, ({ names, limit, queries }) => {
      const index = new CityNameIndex(names);
      for (const query of queries) {
        assert.deepEqual(index.suggest(query, limit), referenceSuggest(names, query, limit), query);
        assert.deepEqual(index.suggest(query), referenceSuggest(names, query), query);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("CityNameIndex.suggest() and find() with aliases agree with a scan of every name and alias", () => {
  const setup = cityNames.chain((names) =>
    fc.record({
      names: fc.constant(names),
      // Some cities with no aliases, some with several, many near the names themselves.
      aliases: fc.array(
        fc.option(fc.array(fc.oneof(cityName, fc.constantFrom(...names).chain(edited)), { maxLength: 3 })),
        { maxLength: names.length },
      ).map((lists) => lists.map((list) => list ?? undefined)),
      limit: fc.integer({ min: -1, max: 8 }),
      queries: fc.array(
        fc.oneof(
          cityName,
          fc.constantFrom(...names).chain(edited),
          fc.string({ unit: letter, maxLength: 3 }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
    })
  );
  fc.assert(
    fc.property(setup, ({ names, aliases, limit, queries }) => {
      const index = new CityNameIndex(names, aliases);
      for (const query of queries) {
        assert.deepEqual(index.suggest(query, limit), referenceSuggest(names, query, limit, aliases), query);
        assert.equal(index.find(query), referenceFind(names, query, aliases), query);
      }
    }),
    { numRuns: 150 },
  );
});
