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

/** A key's position in the data and its distance from the query, as `suggest` ranks them. */
interface Scored {
  index: number;
  distance: number;
}

/**
 * The keys grouped by length and sorted within each group, to find the keys near a query without
 * computing the edit distance to each of them. A sorted group is walked as a trie: keys sharing a
 * prefix share the rows of the distance table for it, and a prefix from which no key of that length
 * can end within the threshold skips every key that starts with it. Grouping by length is what
 * makes that bound strong: a key's length tells how many edits its unread tail costs at least, so
 * a query is not compared with every key that merely shares a short prefix with it.
 * Memory over the keys themselves: 5 bytes a key, and 2 a UTF-16 unit of the keys.
 */
class NearKeyIndex {
  readonly #keys: readonly string[];
  /** Key positions ordered by key length, then key (by UTF-16 unit), then position. */
  readonly #order: Uint32Array;
  /** Keys of length `n` are at `#order[#starts[n]]` up to, not including, `#order[#starts[n + 1]]`. */
  readonly #starts: Uint32Array;
  /**
   * Units shared at the start by the key at `#order[at]` and the next, capped at 255 (a longer
   * shared prefix is merely computed again). Lets the walk reuse rows and skip a pruned prefix's
   * keys by reading bytes in sequence rather than comparing strings scattered on the heap.
   */
  readonly #shared: Uint8Array;
  /**
   * The keys' UTF-16 units, back to back in `#order`: the walk reads them in sequence rather than
   * from strings scattered on the heap, where each first read of a key would miss the cache. The
   * key at `at`, of length `n`, starts at `#unitStarts[n] + (at - #starts[n]) * n`.
   */
  readonly #units: Uint16Array;
  readonly #unitStarts: Uint32Array;

  constructor(keys: readonly string[]) {
    this.#keys = keys;
    const longest = keys.reduce((max, key) => Math.max(max, key.length), 0);
    // A counting sort by length, then a sort of each length's group.
    const starts = new Uint32Array(longest + 2);
    for (const key of keys) starts[key.length + 1]!++;
    for (let n = 1; n < starts.length; n++) starts[n]! += starts[n - 1]!;
    const order = new Uint32Array(keys.length);
    const next = starts.slice(0, -1);
    keys.forEach((key, i) => order[next[key.length]!++] = i);
    for (let n = 0; n <= longest; n++) {
      order.subarray(starts[n], starts[n + 1]).sort((a, b) => {
        const x = keys[a]!, y = keys[b]!;
        return x < y ? -1 : x > y ? 1 : a - b;
      });
    }
    const shared = new Uint8Array(keys.length);
    for (let at = 0; at + 1 < keys.length; at++) {
      const key = keys[order[at]!]!, following = keys[order[at + 1]!]!;
      let i = 0;
      while (i < 255 && i < key.length && key.charCodeAt(i) === following.charCodeAt(i)) i++;
      shared[at] = i;
    }
    const unitStarts = new Uint32Array(longest + 2);
    for (let n = 0; n <= longest; n++) unitStarts[n + 1] = unitStarts[n]! + (starts[n + 1]! - starts[n]!) * n;
    const units = new Uint16Array(unitStarts[longest + 1]!);
    let u = 0;
    for (const index of order) {
      const key = keys[index]!;
      for (let i = 0; i < key.length; i++) units[u++] = key.charCodeAt(i);
    }
    this.#order = order;
    this.#starts = starts;
    this.#shared = shared;
    this.#units = units;
    this.#unitStarts = unitStarts;
  }

  /**
   * Every key that `CityNameIndex.suggest` scores within `threshold` of `query`, unsorted: keys that
   * start with a query of 3 or more units at distance 1, others at their edit distance.
   */
  near(query: string, threshold: number): Scored[] {
    const found: Scored[] = [];
    const longest = this.#starts.length - 2;
    if (query.length >= 3) {
      for (let n = query.length; n <= longest; n++) {
        let at = this.#search(n, (key) => key >= query);
        const end = this.#search(n, (key) => key >= query && !key.startsWith(query));
        for (; at < end; at++) found.push({ index: this.#order[at]!, distance: 1 });
      }
    }
    // The edit distance is at least the difference in length: other lengths cannot be near.
    const shortest = Math.max(0, query.length - threshold);
    const last = Math.min(longest, query.length + threshold);
    if (shortest > last) return found;
    const codes = Uint16Array.from({ length: query.length }, (_, j) => query.charCodeAt(j));
    const rows = new Int32Array((last + 1) * (query.length + 1));
    for (let j = 0; j <= query.length; j++) rows[j] = j;
    for (let n = shortest; n <= last; n++) this.#walk(n, query, codes, threshold, rows, found);
    return found;
  }

  /** First position in the group of keys of length `n` where `test` holds (false, then true). */
  #search(n: number, test: (key: string) => boolean): number {
    let low = this.#starts[n]!, high = this.#starts[n + 1]!;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (test(this.#keys[this.#order[middle]!]!)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * Adds the keys of length `n` within `threshold` of `query` (also as UTF-16 `codes`) to `found`.
   * Row `i` of `rows` holds the distances (optimal string alignment, as `editDistance`) between the
   * first `i` units of a key and each prefix of the query; row 0 is filled by the caller.
   */
  #walk(
    n: number,
    query: string,
    codes: Uint16Array,
    threshold: number,
    rows: Int32Array,
    found: Scored[],
  ): void {
    const m = codes.length, width = m + 1;
    const start = this.#starts[n]!, end = this.#starts[n + 1]!;
    const units = this.#units, unitStart = this.#unitStarts[n]!;
    let depth = 0; // rows 1 to `depth` are those of the previous key's prefix
    for (let at = start; at < end;) {
      const first = unitStart + (at - start) * n; // of the key's units
      let i = at === start ? 0 : Math.min(depth, this.#shared[at - 1]!);
      let bound = 0;
      for (; i < n && bound <= threshold; i++) {
        const row = (i + 1) * width, above = i * width, twoAbove = above - width;
        const c = units[first + i]!, before = units[first + i - 1]!;
        // Any key with this prefix has `n - i - 1` units left to read and the query `m - j`: their
        // difference is the least the rest can add to cell `j`, so `bound` is a lower bound of the
        // distance of every such key. (A transposition that jumps over this row costs no less than
        // the cell it jumps over, which is at most the cell before it plus 1.)
        rows[row] = i + 1;
        const rest = n - i - 1 - m; // units left in the key less units left in the query at j = 0
        bound = i + 1 + Math.abs(rest);
        for (let j = 1; j <= m; j++) {
          const code = codes[j - 1]!;
          const substitute = rows[above + j - 1]! + (c === code ? 0 : 1);
          const edit = Math.min(rows[above + j]!, rows[row + j - 1]!) + 1;
          let best = substitute < edit ? substitute : edit;
          if (i > 0 && j > 1 && c === codes[j - 2] && before === code && rows[twoAbove + j - 2]! + 1 < best) {
            best = rows[twoAbove + j - 2]! + 1;
          }
          rows[row + j] = best;
          const least = best + Math.abs(rest + j);
          if (least < bound) bound = least;
        }
      }
      depth = i;
      if (bound > threshold) {
        // No key sharing the first `depth` units can come within the threshold: skip them all.
        while (at + 1 < end && this.#shared[at]! >= depth) at++;
        at++;
        continue;
      }
      const distance = rows[n * width + m]!;
      const index = this.#order[at]!;
      // Keys starting with the query were scored by the prefix rule already.
      if (distance <= threshold && !(m >= 3 && this.#keys[index]!.startsWith(query))) {
        found.push({ index, distance });
      }
      at++;
    }
  }
}

/**
 * An index of city names and aliases for exact lookup by normalized key and "did you mean"
 * suggestions; both answer with the city, found by whichever of its names.
 *
 * @example
 * ```ts
 * const index = new CityNameIndex(["Tokyo", "Mumbai"], [undefined, ["Bombay"]]);
 * index.find("BOMBAY"); // 1
 * index.suggest("Bombai"); // ["Mumbai"]
 * ```
 */
export class CityNameIndex {
  readonly #byKey = new Map<string, number>();
  /** Exact spellings first: most lookups use the name as listed and skip normalization. */
  readonly #byName = new Map<string, number>();
  /** The cities' name keys, then their alias keys. */
  readonly #keys: string[];
  /** The city of each alias key: that of `#keys[names.length + i]` is `#aliasCity[i]`. */
  readonly #aliasCity: Uint32Array;
  readonly #names: readonly string[];
  /** Built on the first miss: most data loads never need it, and it costs a sort of the keys. */
  #near: NearKeyIndex | undefined;

  /**
   * Indexes `names`, and `aliases[i]` as other names of the city `names[i]`. A later duplicate key
   * is ignored, names winning over aliases (the data loader rejects duplicates).
   */
  constructor(names: readonly string[], aliases: readonly (readonly string[] | undefined)[] = []) {
    this.#names = names;
    this.#keys = names.map(normalizeCityName);
    const spellings: string[] = names.slice();
    const aliasCity: number[] = [];
    aliases.forEach((list, city) => {
      if (city >= names.length || list === undefined) return;
      for (const alias of list) {
        spellings.push(alias);
        this.#keys.push(normalizeCityName(alias));
        aliasCity.push(city);
      }
    });
    this.#aliasCity = Uint32Array.from(aliasCity);
    this.#keys.forEach((key, i) => {
      const city = this.#cityOf(i);
      if (!this.#byKey.has(key)) this.#byKey.set(key, city);
      if (!this.#byName.has(spellings[i]!)) this.#byName.set(spellings[i]!, city);
    });
  }

  #cityOf(key: number): number {
    const names = this.#names.length;
    return key < names ? key : this.#aliasCity[key - names]!;
  }

  /** Position of the city with a name or alias whose normalized form equals that of `name`, if any. */
  find(name: string): number | undefined {
    return this.#byName.get(name) ?? this.#byKey.get(normalizeCityName(name));
  }

  /**
   * Up to `limit` names close to `name` by edit distance, nearest first, ties in data order.
   * Names sharing a prefix with the query count too, so "San" suggests "Santiago". Aliases count
   * as the city's names, and the city is suggested by its name: "Bombai" suggests "Mumbai".
   */
  suggest(name: string, limit = 3): string[] {
    const query = normalizeCityName(name);
    if (query.length === 0) return [];
    const threshold = Math.max(2, Math.floor(query.length / 3));
    this.#near ??= new NearKeyIndex(this.#keys);
    const scored = this.#near.near(query, threshold);
    for (const entry of scored) entry.index = this.#cityOf(entry.index);
    scored.sort((x, y) => x.distance - y.distance || x.index - y.index);
    // A city near by more than one of its names comes first at its nearest; drop its other places.
    const cities = this.#aliasCity.length === 0
      ? scored.map(({ index }) => index)
      : [...new Set(scored.map(({ index }) => index))];
    return cities.slice(0, limit).map((index) => this.#names[index]!);
  }
}
