/**
 * Folds a city name to its lookup key: accents stripped, case folded, white space trimmed and
 * collapsed, so that "SÃO  PAULO " and "sao paulo" meet.
 *
 * @example
 * ```ts
 * normalizeCityName(" São  Paulo "); // "sao paulo"
 * ```
 */
export function normalizeCityName(name: string): string {
  return name.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase().trim().replace(/\s+/g, " ");
}

/** Damerau–Levenshtein distance (optimal string alignment) between two strings, by UTF-16 unit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows are enough for the transposition case.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      row[j] = best;
    }
    [before, previous, row] = [previous, row, before];
  }
  return previous[b.length]!;
}

/** An index of city names for exact lookup by normalized key and "did you mean" suggestions. */
export class CityNameIndex {
  readonly #byKey = new Map<string, number>();
  /** Exact spellings first: most lookups use the name as listed and skip normalization. */
  readonly #byName = new Map<string, number>();
  readonly #keys: string[];
  readonly #names: readonly string[];

  /** Indexes `names`; a later duplicate key is ignored (the data loader rejects duplicates). */
  constructor(names: readonly string[]) {
    this.#names = names;
    this.#keys = names.map(normalizeCityName);
    this.#keys.forEach((key, i) => {
      if (!this.#byKey.has(key)) this.#byKey.set(key, i);
      if (!this.#byName.has(names[i]!)) this.#byName.set(names[i]!, i);
    });
  }

  /** Position of the city whose normalized name equals that of `name`, if any. */
  find(name: string): number | undefined {
    return this.#byName.get(name) ?? this.#byKey.get(normalizeCityName(name));
  }

  /**
   * Up to `limit` names close to `name` by edit distance, nearest first, ties in data order.
   * Names sharing a prefix with the query count too, so "San" suggests "Santiago".
   */
  suggest(name: string, limit = 3): string[] {
    const query = normalizeCityName(name);
    if (query.length === 0) return [];
    const threshold = Math.max(2, Math.floor(query.length / 3));
    const scored: { index: number; distance: number }[] = [];
    this.#keys.forEach((key, index) => {
      // A cheap length bound skips most keys before the quadratic distance.
      if (Math.abs(key.length - query.length) > threshold && !key.startsWith(query)) return;
      const distance = key.startsWith(query) && query.length >= 3 ? 1 : editDistance(query, key);
      if (distance <= threshold) scored.push({ index, distance });
    });
    scored.sort((x, y) => x.distance - y.distance || x.index - y.index);
    return scored.slice(0, limit).map(({ index }) => this.#names[index]!);
  }
}
