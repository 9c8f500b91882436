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

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const expected = issue.message.replace(/^Invalid input: /, "");
  const path = formatJsonPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return `${path}: unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return `${path}: ${expected}, found ${describeFound(valueAt(root, issue.path))}`;
}

/**
 * Parses and validates the text of a weather data file; `label` names it in errors.
 * Throws `SyntaxError` for text that is not JSON (with line and column) and `TypeError` for a
 * schema violation or a duplicate city (with the JSON path of the first problem).
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
  const seen = new Map<string, number>();
  result.data.cities.forEach((city, i) => {
    const key = normalizeCityName(city.name);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new TypeError(
        `Invalid data file "${label}": cities[${i}].name: duplicate city "${city.name}", ` +
          `same as cities[${first}].name "${result.data.cities[first]!.name}"`,
      );
    }
    seen.set(key, i);
  });
  return result.data;
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

function readError(label: string, error: unknown): Error {
  const prefix = `Cannot read data file "${label}"`;
  if (error instanceof Deno.errors.NotFound) return new Deno.errors.NotFound(`${prefix}: no such file`);
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    // A compiled executable's permissions are fixed when it is built (scripts/compile.ts): no flag
    // can widen them, so the hint names the one grant it has.
    const hint = Deno.build.standalone && error instanceof Deno.errors.NotCapable
      ? "this executable reads only files under the directory it is started from"
      : "grant it with --allow-read";
    return new Deno.errors.NotCapable(`${prefix}: permission denied (${hint})`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new Deno.errors.IsADirectory(`${prefix}: it is a directory`);
  }
  const reason = error instanceof Error ? error.message.replace(/ \(os error \d+\).*$/s, "") : String(error);
  return new Error(`${prefix}: ${reason}`, { cause: error });
}

/**
 * Reads and validates a weather data file from disk. Errors name the file: the read errors of
 * `Deno.readFile` with a clear message, and those of {@linkcode parseDataFile}.
 */
export async function readDataFile(path: string | URL): Promise<{ file: WeatherFile; bytes: Uint8Array }> {
  const label = path instanceof URL ? decodeURIComponent(path.pathname) : path;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw readError(label, error);
  }
  let text: string;
  try {
    text = fatalUtf8.decode(bytes);
  } catch {
    throw new SyntaxError(`Cannot parse "${label}" as JSON: the file is not UTF-8 text`);
  }
  return { file: parseDataFile(text, label), bytes };
}
