import type { z } from "zod";
import { normalizeCityName } from "./city_names.ts";
import { type WeatherFile, WeatherFileSchema } from "./schema.ts";

/** Formats a JSON path such as `["cities", 3, "current"]` as `cities[3].current`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) {
      out += out === "" ? part : `.${part}`;
    } else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === "" ? "(root)" : out;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

class JsonSyntaxProblem {
  constructor(readonly offset: number, readonly reason: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * Finds where and why `text` is not JSON. V8's own messages sometimes omit the position, so the
 * error path re-scans the text with this small RFC 8259 recognizer.
 */
function locateJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonSyntaxProblem(i, i >= text.length ? "unexpected end of input" : reason);
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === "\\") {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) fail("bad escape in string");
        i = ESCAPE.lastIndex;
      } else if (c < " ") fail("bad control character in string");
      else i++;
    }
    fail("unterminated string");
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      skipSpace();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          skipSpace();
          if (text[i] !== '"') fail("expected a double-quoted property name");
          string();
          skipSpace();
          if (text[i] !== ":") fail("expected ':' after property name");
          i++;
        }
        value();
        skipSpace();
        if (text[i] === ",") i++;
        else if (text[i] === close) return void i++;
        else fail(`expected ',' or '${close}'`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) {
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail("unexpected text after the JSON value");
  } catch (problem) {
    if (problem instanceof JsonSyntaxProblem) return problem;
    throw problem;
  }
  return undefined;
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const problem = locateJsonSyntaxError(text) ??
      new JsonSyntaxProblem(0, error instanceof Error ? error.message : String(error));
    const { line, column } = lineAndColumn(text, problem.offset);
    throw new SyntaxError(
      `Cannot parse "${label}" as JSON: ${problem.reason} at line ${line}, column ${column}`,
    );
  }
}

/** The value at JSON path `path` of `root`, or undefined where the path leads nowhere. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A value as an error message quotes it: its JSON, cut to `max` characters, or "nothing". */
export function describeFound(value: unknown, max = 60): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * The issue to tell of a value that matched no alternative: the first of the alternative it came
 * closest to, with the fewest issues and then the deepest (a series scenario's bad value, not the
 * window scenario's missing "to").
 */
function unionIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  let best: readonly z.core.$ZodIssue[] | undefined;
  for (const branch of issue.errors) {
    if (branch[0] === undefined) continue;
    if (
      best === undefined || branch.length < best.length ||
      branch.length === best.length && branch[0].path.length > best[0]!.path.length
    ) best = branch;
  }
  const first = best?.[0];
  return first === undefined ? issue : unionIssue({ ...first, path: [...issue.path, ...first.path] });
}

function describeIssue(union: z.core.$ZodIssue, root: unknown): string {
  const issue = unionIssue(union);
  const expected = issue.message.replace(/^Invalid input: /, "");
  const path = formatJsonPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return `${path}: unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return `${path}: ${expected}, found ${describeFound(valueAt(root, issue.path))}`;
}

/** The alias where a lookup key was first met. */
interface AliasAt {
  readonly city: number;
  /** Position in the city's `aliases`. */
  readonly alias: number;
}

/**
 * Throws for two lookup keys (names and aliases, folded as lookups fold them) that are the same:
 * each must name one city once, so that a lookup has one answer.
 */
function checkDuplicates(
  cities: readonly { readonly name: string; readonly aliases?: readonly string[] }[],
  label: string,
): void {
  // A name is stored as its city's position alone: most cities have no aliases, and a 100,000-city
  // file would otherwise allocate an object for each.
  const seen = new Map<string, number | AliasAt>();
  const where = (first: number | AliasAt) =>
    typeof first === "number"
      ? `cities[${first}].name "${cities[first]!.name}"`
      : `cities[${first.city}].aliases[${first.alias}] "${cities[first.city]!.aliases![first.alias]}"`;
  const fail = (path: string, problem: string): never => {
    throw new TypeError(`Invalid data file "${label}": ${path}: ${problem}`);
  };
  cities.forEach((city, i) => {
    const key = normalizeCityName(city.name);
    const first = seen.get(key);
    if (first !== undefined) {
      fail(`cities[${i}].name`, `duplicate city "${city.name}", same as ${where(first)}`);
    }
    seen.set(key, i);
    city.aliases?.forEach((alias, j) => {
      const key = normalizeCityName(alias);
      const first = seen.get(key);
      if (first === undefined) return void seen.set(key, { city: i, alias: j });
      let problem = "names another city";
      if ((typeof first === "number" ? first : first.city) === i) {
        problem = typeof first === "number" ? "is the city's own name" : "is listed twice";
      }
      fail(`cities[${i}].aliases[${j}]`, `alias "${alias}" ${problem}, same as ${where(first)}`);
    });
  });
}

/**
 * Parses and validates the text of a weather data file; `label` names it in errors.
 * Throws `SyntaxError` for text that is not JSON (with line and column) and `TypeError` for a
 * schema violation, a duplicate city or an alias that is another name (with the JSON path of the
 * first problem).
 *
 * @example
 * ```ts
 * const file = parseDataFile(await Deno.readTextFile("data/weather.json"), "data/weather.json");
 * ```
 */
export function parseDataFile(text: string, label: string): WeatherFile {
  const raw = parseJson(text.replace(/^\uFEFF/, ""), label);
  const result = WeatherFileSchema.safeParse(raw);
  if (!result.success) {
    const [first, ...rest] = result.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
    throw new TypeError(`Invalid data file "${label}": ${describeIssue(first!, raw)}${more}`);
  }
  checkDuplicates(result.data.cities, label);
  return result.data;
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d, QUOTE = 0x22, BACKSLASH = 0x5c;
const COMMA = 0x2c, COLON = 0x3a, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** About 500 cities: a batch of text and objects that stays in V8's young generation. */
const BATCH_BYTES = 256 * 1024;

/** Thrown inside {@linkcode parseCityByCity} when the file is not of the usual valid shape. */
class NotTheUsualShape {}

const fileShellSchema = WeatherFileSchema.omit({ cities: true });
const citySchema = WeatherFileSchema.shape.cities.element;

/**
 * The fast path of {@linkcode parseDataBytes}: finds each element of the `cities` array in the
 * bytes, and decodes, parses and validates it on its own, so that neither the whole text (twice
 * the bytes, as UTF-16) nor the whole untyped object graph beside zod's copy is ever alive.
 * A root of `{"$schema": "...", "cities": [{...}, ...]}` in any order, with any white space, is
 * the usual shape; anything else, and any problem at all, throws {@linkcode NotTheUsualShape}.
 */
function parseCityByCity(bytes: Uint8Array): WeatherFile {
  const fail = (): never => {
    throw new NotTheUsualShape();
  };
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const skipSpace = () => {
    for (let c = bytes[i]; c === SPACE || c === LF || c === CR || c === TAB; c = bytes[++i]);
  };
  const expect = (c: number) => {
    if (bytes[i] !== c) fail();
    i++;
    skipSpace();
  };
  /** Moves past the string starting at `i`; its contents are checked by JSON.parse later. */
  const skipString = () => {
    for (i++; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === QUOTE) return void i++;
      if (c === BACKSLASH) i++;
    }
    fail();
  };
  /** Parses the JSON text of `bytes[start, end)`, between `before` and `after`. */
  const parse = (start: number, end = i, before = "", after = ""): unknown => {
    try {
      return JSON.parse(before + fatalUtf8.decode(bytes.subarray(start, end)) + after);
    } catch {
      return fail();
    }
  };
  /** Moves past the object starting at `i`, counting brackets outside strings. */
  const skipObject = () => {
    let depth = 0;
    while (i < bytes.length) {
      const c = bytes[i];
      if (c === QUOTE) skipString();
      else {
        i++;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return;
      }
    }
    fail();
  };

  const shell: Record<string, unknown> = {};
  let cities: WeatherFile["cities"] | undefined;
  skipSpace();
  expect(OPEN_BRACE);
  for (;;) {
    if (bytes[i] !== QUOTE) fail();
    const keyStart = i;
    skipString();
    const key = parse(keyStart);
    skipSpace();
    expect(COLON);
    if (key === "cities" && cities === undefined) {
      cities = [];
      expect(OPEN_BRACKET);
      const parsed = cities;
      // Decoding and parsing a batch of cities at once costs less than one call per city.
      const addBatch = (start: number, end: number) => {
        for (const raw of parse(start, end, "[", "]") as unknown[]) {
          const city = citySchema.safeParse(raw);
          if (!city.success) fail();
          parsed.push(city.data!);
        }
      };
      let batchStart = i;
      for (;;) {
        if (bytes[i] !== OPEN_BRACE) fail();
        skipObject();
        const end = i;
        skipSpace();
        const more = bytes[i] === COMMA;
        const full = end - batchStart >= BATCH_BYTES;
        if (!more || full) addBatch(batchStart, end);
        if (!more) break;
        expect(COMMA);
        if (full) batchStart = i;
      }
      expect(CLOSE_BRACKET);
    } else if (key === "$schema" && !("$schema" in shell) && bytes[i] === QUOTE) {
      const start = i;
      skipString();
      shell.$schema = parse(start);
      skipSpace();
    } else fail();
    if (bytes[i] !== COMMA) break;
    expect(COMMA);
  }
  expect(CLOSE_BRACE);
  if (i !== bytes.length || cities === undefined) fail();
  const checked = fileShellSchema.safeParse(shell);
  if (!checked.success) fail();
  return { ...checked.data, cities: cities! };
}

/**
 * Parses and validates the UTF-8 bytes of a weather data file, city by city: for a 100,000-city
 * file this holds a fraction of the memory {@linkcode parseDataFile} needs. Results and errors
 * are exactly those of `parseDataFile` on the decoded text, which is what any file that is not
 * valid and of the usual shape is handed to; it also throws `SyntaxError` for bytes that are not
 * UTF-8.
 *
 * @example
 * ```ts
 * const file = parseDataBytes(await Deno.readFile("data/weather.json"), "data/weather.json");
 * ```
 */
export function parseDataBytes(bytes: Uint8Array, label: string): WeatherFile {
  let file: WeatherFile;
  try {
    file = parseCityByCity(bytes);
  } catch (error) {
    if (!(error instanceof NotTheUsualShape)) throw error;
    let text: string;
    try {
      text = fatalUtf8.decode(bytes);
    } catch {
      throw new SyntaxError(`Cannot parse "${label}" as JSON: the file is not UTF-8 text`);
    }
    return parseDataFile(text, label);
  }
  checkDuplicates(file.cities, label);
  return file;
}

function readError(label: string, error: unknown): Error {
  const prefix = `Cannot read data file "${label}"`;
  if (error instanceof Deno.errors.NotFound) return new Deno.errors.NotFound(`${prefix}: no such file`);
  if (error instanceof Deno.errors.NotCapable) {
    return new Deno.errors.NotCapable(`${prefix}: permission denied (grant it with --allow-read)`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Deno.errors.PermissionDenied(`${prefix}: the file system denies reading it`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new Deno.errors.IsADirectory(`${prefix}: it is a directory`);
  }
  const reason = error instanceof Error ? error.message.replace(/ \(os error \d+\).*$/s, "") : String(error);
  return new Error(`${prefix}: ${reason}`, { cause: error });
}

/**
 * Reads a whole file into one buffer of its size: `Deno.readFile` grows a buffer as it reads and
 * copies it, a transient twice the file's size (and several times slower for a 50 MB file).
 */
async function readWhole(path: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  using file = await Deno.open(path);
  // One byte more than the size, to see the end of a file that grew since stat.
  const buffer = new Uint8Array((await file.stat()).size + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = await file.read(buffer.subarray(length));
    if (read === null) return buffer.subarray(0, length);
    length += read;
  }
  return await Deno.readFile(path);
}

/**
 * Reads and validates a weather data file from disk. Errors name the file: the read errors of
 * `Deno.readFile` with a clear message, and those of {@linkcode parseDataBytes}.
 */
export async function readDataFile(
  path: string | URL,
): Promise<{ file: WeatherFile; bytes: Uint8Array<ArrayBuffer> }> {
  const label = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readWhole(path);
  } catch (error) {
    throw readError(label, error);
  }
  return { file: parseDataBytes(bytes, label), bytes };
}
