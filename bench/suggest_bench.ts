// Micro-benchmarks of "did you mean" suggestions on a miss, on the bundled 58 cities and on the
// synthetic 100,000 (`deno bench --allow-read=data bench/suggest_bench.ts`). Each query is checked
// once to have suggestions, so that no case measures an early exit.
import { CityNameIndex } from "../src/city_names.ts";
import { BIG_CITIES, bigDataset, bundled } from "./_fixtures.ts";

const big = await bigDataset();
const names = big.cities.map((city) => city.name);
const k = `${BIG_CITIES / 1000}k`;
const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
// A listed name with two neighbouring letters swapped and one dropped: a typical typo.
const typo = (name: string) => name.slice(0, 2) + name[3] + name[2] + name.slice(5);

/** Registers `index.suggest(query)` in `group`, after checking that it suggests something. */
function benchSuggest(group: string, what: string, index: CityNameIndex, query: string, baseline = false) {
  const found = index.suggest(query);
  if (found.length === 0) throw new Error(`${group}: ${what}: expected suggestions for "${query}"`);
  Deno.bench({ group, name: `${what}: "${query}"`, baseline, fn: () => void index.suggest(query) });
}

benchSuggest("suggest on a miss, 58 cities", "typo", bundled.index, "Tokio", true);
benchSuggest("suggest on a miss, 58 cities", "prefix", bundled.index, "San");

const group = `suggest on a miss, ${k} cities`;
benchSuggest(group, "typo", big.index, "Tokio", true);
benchSuggest(group, "typo of a listed name", big.index, typo(names[BIG_CITIES / 2]!));
benchSuggest(group, "prefix", big.index, "San");
benchSuggest(group, "two letters", big.index, "ka");
benchSuggest(group, "typo of the longest name", big.index, typo(longest));
// Among the slowest: a shared first word keeps many names near, and a 13-unit query allows 4 edits.
benchSuggest(
  group,
  "typo of a two-word name",
  big.index,
  typo(names.find((name) => name.startsWith("Saint-"))!),
);

Deno.bench({
  group: `first miss, ${k} cities`,
  name: "new CityNameIndex",
  baseline: true,
  n: 5,
  warmup: 1,
  fn: () => void new CityNameIndex(names),
});
Deno.bench({
  group: `first miss, ${k} cities`,
  name: "new CityNameIndex + first suggest",
  n: 5,
  warmup: 1,
  fn: () => void new CityNameIndex(names).suggest("Tokio"),
});
