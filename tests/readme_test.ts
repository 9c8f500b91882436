// Checks the examples of the README and the docs pages against the real handler, so that an
// example answer cannot drift from what the server says. The conventions, in docs/testing.md:
//
// - An example is a `$ ` line in a ```sh or ```console block: `$ curl ...` or
//   `$ deno task client weather CITY...` or `forecast CITY`. The lines after it, up to the next `$ ` line or the end
//   of the block, are what the command prints. Any other `$ ` line is an error.
// - curl options understood: -s, -S, -i, -I, -X METHOD, -H 'Name: value', --compressed, -D -,
//   -o /dev/null, -x http://127.0.0.1:5000 (the server as a proxy); pipes: `| head -N`, `| head -n N`, `| grep [-i] [-E] PATTERN`. A trailing
//   `# comment` is ignored. URLs are on http://127.0.0.1:5000, the server's default address.
// - The output is compared line by line with what curl prints: the status line, the headers (in
//   any order), a blank line, the body. A body line that starts with a space continues the one
//   before, so long JSON can wrap.
// - JSON bodies are compared as values. `...` elides: in an array, any number of items; in an
//   object, any other members. Otherwise members are those shown, in the order shown.
// - Values that differ on every run are matched by their form only: `loaded_at` in JSON, and the
//   `x-request-id`, `date` and `last-modified` headers.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { z } from "zod";
import { CLIENT_USAGE, parseClientArgs, SERVER_USAGE } from "../src/cli_args.ts";
import { loadDataset } from "../src/dataset.ts";
import { formatForecast, formatWeather } from "../src/format.ts";
import { createHandler } from "../src/handler.ts";
import { displayPath, ROUTES } from "../src/routes.ts";
import { ERROR_STATUSES, PROBLEM_STATUS } from "../src/problem.ts";
import { CitySchema } from "../src/schema.ts";
import { WeatherClient } from "../src/weather_client.ts";
import { WMO_CODES } from "../src/wmo.ts";

const ROOT = new URL("../", import.meta.url);
/** The documents whose examples are checked; every one must exist. */
const DOCUMENTS = [
  "README.md",
  "docs/forecast.md",
  "docs/open-meteo.md",
  "docs/openweathermap.md",
  "docs/operations.md",
  "docs/decisions.md",
  "docs/testing.md",
];
const BASE = "http://127.0.0.1:5000";
/** What curl 7.88 and later send for `--compressed`. */
const CURL_ACCEPT_ENCODING = "deflate, gzip, br, zstd";
const README_MAX_LINES = 400;

/** The moment the examples show: `deno task serve --now 2026-11-23T12:00:00Z`, as the README says. */
const NOW = Date.parse("2026-11-23T12:00:00Z");
const handler = createHandler({ current: await loadDataset(new URL("data/weather.json", ROOT)) }, {
  frozenClock: NOW,
});

// ---------------------------------------------------------------------------------------------
// Finding the examples

interface Example {
  document: string;
  line: number;
  command: string;
  output: string[];
}

interface CodeBlock {
  language: string;
  /** Line number of the block's first line of code, from 1. */
  start: number;
  lines: string[];
}

function codeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: CodeBlock | undefined;
  text.split("\n").forEach((line, i) => {
    const fence = /^\s*```(\S*)/.exec(line);
    if (open === undefined && fence) open = { language: fence[1]!, start: i + 2, lines: [] };
    else if (open !== undefined && fence) blocks.push(open), open = undefined;
    else open?.lines.push(line);
  });
  return blocks;
}

function examplesOf(document: string, text: string): Example[] {
  const examples: Example[] = [];
  for (const block of codeBlocks(text)) {
    if (block.language !== "sh" && block.language !== "console") continue;
    let current: Example | undefined;
    block.lines.forEach((line, i) => {
      if (line.startsWith("$ ")) {
        current = { document, line: block.start + i, command: line.slice(2), output: [] };
        examples.push(current);
      } else current?.output.push(line);
    });
  }
  for (const example of examples) {
    while (example.output.at(-1)?.trim() === "") example.output.pop();
  }
  return examples;
}

const documents = await Promise.all(
  DOCUMENTS.map(async (name) => ({ name, text: await Deno.readTextFile(new URL(name, ROOT)) })),
);
const examples = documents.flatMap(({ name, text }) => examplesOf(name, text));

// ---------------------------------------------------------------------------------------------
// Running a command line

/** Splits a command line into words as a POSIX shell would, with unquoted `|` as its own word. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new SyntaxError(`Unterminated quote in ${JSON.stringify(line)}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length) i++;
        text += line[i];
      }
      if (i >= line.length) throw new SyntaxError(`Unterminated quote in ${JSON.stringify(line)}`);
      word = (word ?? "") + text;
    } else if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word), word = undefined;
    } else if (c === "#" && word === undefined) break;
    else if (c === "|" && word === undefined) words.push("|");
    else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

type OutputLine = { kind: "status" | "header" | "blank" | "body"; text: string };

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  304: "Not Modified",
  ...Object.fromEntries(Object.entries(ERROR_STATUSES).map(([status, { title }]) => [status, title])),
};

/** What `curl ARGS` prints when the server is this handler. */
async function curl(args: string[]): Promise<OutputLine[]> {
  let url: string | undefined;
  let method: string | undefined;
  let include = false;
  let showBody = true;
  let compressed = false;
  let proxy: string | undefined;
  const headers = new Headers();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = () => {
      const value = args[++i];
      if (value === undefined) throw new SyntaxError(`curl option ${arg} needs a value`);
      return value;
    };
    if (arg === "-X") method = next();
    else if (arg === "-x") proxy = next();
    else if (arg === "-H") {
      const header = next();
      const colon = header.indexOf(":");
      headers.append(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
    } else if (arg === "--compressed") compressed = true;
    else if (arg === "-D") {
      if (next() !== "-") throw new SyntaxError("Only -D - is understood");
      include = true;
    } else if (arg === "-o") {
      if (next() !== "/dev/null") throw new SyntaxError("Only -o /dev/null is understood");
      showBody = false;
    } else if (/^-[sSiI]+$/.test(arg)) {
      if (arg.includes("i")) include = true;
      if (arg.includes("I")) include = true, showBody = false, method = "HEAD";
    } else if (arg.startsWith("-")) throw new SyntaxError(`curl option ${arg} is not understood`);
    else if (url === undefined) url = arg;
    else throw new SyntaxError(`A second URL ${JSON.stringify(arg)}`);
  }
  // Through `-x`, the server is the proxy: it gets the absolute URL, with the URL's host as Host.
  if (proxy !== undefined && proxy !== BASE) {
    throw new SyntaxError(`Expected the proxy ${BASE}, got ${proxy}`);
  }
  if (url === undefined || (proxy === undefined && !url.startsWith(`${BASE}/`))) {
    throw new SyntaxError(`Expected a URL on ${BASE}, got ${JSON.stringify(url)}`);
  }
  if (proxy !== undefined) headers.set("host", new URL(url).host);
  if (compressed) headers.set("accept-encoding", CURL_ACCEPT_ENCODING);

  const response = await handler(new Request(url, { method: method ?? "GET", headers }));
  let bytes = new Uint8Array(await response.arrayBuffer());
  const lines: OutputLine[] = [];
  if (include) {
    lines.push({ kind: "status", text: `HTTP/1.1 ${response.status} ${REASONS[response.status]}` });
    const sent = new Headers(response.headers);
    // What Deno.serve adds on the wire.
    sent.set("date", new Date().toUTCString());
    const bodyless = method === "HEAD" || response.status === 204 || response.status === 304;
    if (!bodyless && !sent.has("content-length")) sent.set("content-length", String(bytes.length));
    for (const [name, value] of sent) lines.push({ kind: "header", text: `${name}: ${value}` });
    lines.push({ kind: "blank", text: "" });
  }
  const encoding = response.headers.get("content-encoding");
  if (compressed && encoding === "br") bytes = new Uint8Array(brotliDecompressSync(bytes));
  if (compressed && encoding === "gzip") bytes = new Uint8Array(gunzipSync(bytes));
  if (showBody && bytes.length > 0) {
    for (const text of new TextDecoder().decode(bytes).split("\n")) lines.push({ kind: "body", text });
  }
  return lines;
}

/** Applies `| head ...` and `| grep ...` stages to the output. */
function pipe(lines: OutputLine[], stage: string[]): OutputLine[] {
  const [command, ...args] = stage;
  if (command === "head") {
    const text = args.join(" ");
    const match = /^(?:-n\s*|-)(\d+)$/.exec(text);
    if (!match) throw new SyntaxError(`head ${text} is not understood`);
    return lines.slice(0, Number(match[1]));
  }
  if (command === "grep") {
    let flags = "";
    let pattern: string | undefined;
    for (const arg of args) {
      if (/^-[iE]+$/.test(arg)) flags += arg.includes("i") ? "i" : "";
      else if (pattern === undefined) pattern = arg;
      else throw new SyntaxError(`grep ${args.join(" ")} is not understood`);
    }
    const regex = new RegExp(pattern ?? "", flags);
    return lines.filter((line) => regex.test(line.text));
  }
  throw new SyntaxError(`Pipe to ${JSON.stringify(command)} is not understood`);
}

async function run(command: string): Promise<OutputLine[]> {
  const stages: string[][] = [[]];
  for (const word of shellWords(command)) {
    if (word === "|") stages.push([]);
    else stages.at(-1)!.push(word);
  }
  const [first, ...rest] = stages;
  let lines: OutputLine[];
  if (first![0] === "curl") lines = await curl(first!.slice(1));
  else if (first!.slice(0, 3).join(" ") === "deno task client") lines = await client(first!.slice(3));
  else throw new SyntaxError(`Only curl and deno task client examples can be checked: ${command}`);
  for (const stage of rest) lines = pipe(lines, stage);
  return lines;
}

/**
 * What `deno task client weather CITY...` or `deno task client forecast CITY` prints (without
 * colours): the client's own flag parsing, library and formatting, over the handler.
 */
async function client(args: string[]): Promise<OutputLine[]> {
  const command = parseClientArgs(args);
  const lib = new WeatherClient({
    baseUrl: BASE,
    retries: 0,
    fetch: (request) => Promise.resolve(handler(request)),
  });
  const style = { color: false };
  let text: string;
  if (command.kind === "weather") {
    const { units } = command.options;
    const bodies = [];
    for (const city of command.cities) bodies.push(await lib.weatherData(city, { units }));
    text = bodies.map((body) => formatWeather(body, style)).join("\n\n");
  } else if (command.kind === "forecast") {
    const { city, days, hours, options: { units } } = command;
    text = formatForecast(await lib.forecast(city, { days, hours, units }), style);
  } else throw new SyntaxError(`Only "weather" and "forecast" client examples can be checked`);
  return text.split("\n").map((text) => ({ kind: "body", text }));
}

// ---------------------------------------------------------------------------------------------
// Comparing the output

const ELLIPSIS = Symbol("...");
type Pattern =
  | { kind: "value"; value: string | number | boolean | null }
  | { kind: "array"; items: (Pattern | typeof ELLIPSIS)[] }
  | { kind: "object"; members: [string, Pattern][]; open: boolean };

/** Parses JSON in which `...` may stand for array items or object members. */
function parsePattern(text: string): Pattern {
  let i = 0;
  const fail = (why: string): never => {
    throw new SyntaxError(`${why} at offset ${i} of ${text}`);
  };
  const space = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const ellipsis = () => {
    space();
    if (!text.startsWith("...", i)) return false;
    i += 3;
    return true;
  };
  const string = (): string => {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
    if (!match) return fail("Expected a string");
    i += match[0].length;
    return JSON.parse(match[0]);
  };
  const list = <T>(close: string, item: () => T | typeof ELLIPSIS): (T | typeof ELLIPSIS)[] => {
    const items: (T | typeof ELLIPSIS)[] = [];
    i++;
    space();
    if (text[i] === close) return i++, items;
    for (;;) {
      items.push(ellipsis() ? ELLIPSIS : item());
      space();
      if (text[i] === close) return i++, items;
      if (text[i] !== ",") fail(`Expected "," or "${close}"`);
      i++;
    }
  };
  const value = (): Pattern => {
    space();
    if (text[i] === "[") return { kind: "array", items: list("]", value) };
    if (text[i] === "{") {
      const entries = list("}", (): [string, Pattern] => {
        space();
        const key = string();
        space();
        if (text[i++] !== ":") fail('Expected ":"');
        return [key, value()];
      });
      const members = entries.filter((entry) => entry !== ELLIPSIS);
      return { kind: "object", members, open: members.length < entries.length };
    }
    if (text[i] === '"') return { kind: "value", value: string() };
    const match = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!match) return fail("Expected a JSON value");
    i += match[0].length;
    return { kind: "value", value: JSON.parse(match[0]) };
  };
  const pattern = value();
  space();
  if (i < text.length) fail("Unexpected text after the JSON value");
  return pattern;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
/** JSON members whose values change on every run, with the form both must have. */
const PER_RUN_MEMBERS: Record<string, RegExp> = { loaded_at: ISO_TIME };

const HTTP_DATE = /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/;
/** Headers whose values change on every run, with the form both must have. */
const PER_RUN_HEADERS: Record<string, RegExp> = {
  "x-request-id": /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  date: HTTP_DATE,
  "last-modified": HTTP_DATE,
};

/** Why `actual` does not match `pattern`, or undefined when it does. */
function mismatch(pattern: Pattern, actual: unknown, path: string): string | undefined {
  const shown = (value: unknown) => JSON.stringify(value);
  switch (pattern.kind) {
    case "value": {
      const form = PER_RUN_MEMBERS[path.slice(path.lastIndexOf(".") + 1)];
      if (form !== undefined && typeof pattern.value === "string" && typeof actual === "string") {
        if (!form.test(pattern.value)) {
          return `${path}: the example's ${shown(pattern.value)} is not of the form`;
        }
        return form.test(actual) ? undefined : `${path}: ${shown(actual)} is not of the form ${form}`;
      }
      return Object.is(pattern.value, actual)
        ? undefined
        : `${path}: shown ${shown(pattern.value)}, got ${shown(actual)}`;
    }
    case "array": {
      if (!Array.isArray(actual)) return `${path}: shown an array, got ${shown(actual)}`;
      const from = (p: number, a: number): string | undefined => {
        if (p === pattern.items.length) {
          return a === actual.length ? undefined : `${path}: ${actual.length - a} more items than shown`;
        }
        const item = pattern.items[p]!;
        if (item === ELLIPSIS) {
          let why: string | undefined;
          for (let skip = a; skip <= actual.length; skip++) {
            why = from(p + 1, skip);
            if (why === undefined) return undefined;
          }
          return why;
        }
        if (a === actual.length) return `${path}: fewer items than shown`;
        return mismatch(item, actual[a], `${path}[${a}]`) ?? from(p + 1, a + 1);
      };
      return from(0, 0);
    }
    case "object": {
      if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
        return `${path}: shown an object, got ${shown(actual)}`;
      }
      const shownKeys = pattern.members.map(([key]) => key);
      const extra = pattern.open ? [] : Object.keys(actual).filter((key) => !shownKeys.includes(key));
      if (extra.length > 0) return `${path}: members not shown: ${extra.join(", ")} (elide them with ...)`;
      const order = Object.keys(actual).filter((key) => shownKeys.includes(key));
      const missing = shownKeys.filter((key) => !order.includes(key));
      if (missing.length > 0) return `${path}: no member ${missing.join(", ")}`;
      if (order.join() !== shownKeys.join()) return `${path}: members in the order ${order.join(", ")}`;
      for (const [key, value] of pattern.members) {
        const why = mismatch(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
        if (why !== undefined) return why;
      }
      return undefined;
    }
  }
}

/** Shown JSON body lines as one: a line that starts with a space continues the one before. */
function unwrap(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith(" ") && out.length > 0) out[out.length - 1] += line.trimStart();
    else out.push(line);
  }
  return out;
}

function headerMatches(shown: string, actual: string): boolean {
  const split = (line: string) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
  };
  const [name, value] = split(shown);
  const [actualName, actualValue] = split(actual);
  if (name !== actualName) return false;
  const form = PER_RUN_HEADERS[name];
  return form ? form.test(value) && form.test(actualValue) : value === actualValue;
}

/** Why the printed lines differ from those the example shows, or undefined. */
function compare(shown: string[], actual: OutputLine[]): string | undefined {
  const leading = actual.findIndex((line) => line.kind === "blank" || line.kind === "body");
  const headCount = leading === -1 ? actual.length : leading;
  const head = actual.slice(0, headCount);
  const full = actual.map((line) => line.text).join("\n");
  const differ = (why: string) => `${why}\n--- shown\n${shown.join("\n")}\n--- printed\n${full}`;
  if (shown.length < headCount) return differ("fewer lines shown than printed");
  // Status line and headers: the status first, headers in any order.
  const remaining = [...head];
  for (const line of shown.slice(0, headCount)) {
    const at = remaining.findIndex((candidate) =>
      candidate.kind === "status" ? candidate.text === line : headerMatches(line, candidate.text)
    );
    if (at === -1 || (remaining[at]!.kind === "status" && at !== 0)) return differ(`not printed: ${line}`);
    remaining.splice(at, 1);
  }
  // Then a blank line and the body, or the body alone.
  const rest = actual.slice(headCount);
  const shownRest = shown.slice(headCount);
  const printedBody = rest.filter((line) => line.kind === "body").map((line) => line.text);
  const shownBody = shownRest.slice(rest[0]?.kind === "blank" ? 1 : 0);
  if (rest[0]?.kind === "blank" && shownRest.length > 0 && shownRest[0] !== "") {
    return differ("a blank line is printed before the body");
  }
  const shownJson = unwrap(shownBody);
  if (printedBody.length === 1 && shownJson.length === 1 && /^[[{]/.test(printedBody[0]!)) {
    let pattern: Pattern;
    try {
      pattern = parsePattern(shownJson[0]!);
    } catch (error) {
      return differ(`the shown body is not JSON with ... elisions: ${(error as Error).message}`);
    }
    const why = mismatch(pattern, JSON.parse(printedBody[0]!), "$");
    return why === undefined ? undefined : differ(why);
  }
  if (shownBody.join("\n") !== printedBody.join("\n")) return differ("the body differs");
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The tests

const names = new Set<string>();
for (const example of examples) {
  const title = example.document.replace(/\.md$/, "").replace(/^README$/, "README");
  let name = `${title} example "${example.command.replace(/\s+#.*$/, "").replaceAll(BASE, "...")}" ${
    example.command.startsWith("curl") ? "answers" : "prints"
  } as shown`;
  if (names.has(name)) name += ` (line ${example.line})`;
  names.add(name);
  Deno.test(name, async () => {
    const where = `${example.document}:${example.line}`;
    assert.ok(example.output.length > 0, `${where}: the example shows no output`);
    const why = compare(example.output, await run(example.command));
    if (why !== undefined) assert.fail(`${where}: ${why}`);
  });
}

Deno.test("README, or the docs page its section points to, shows checked examples of every route", () => {
  // What each example asks for: its URL's path and query, also when the server is its proxy.
  const targets = examples.flatMap((example) =>
    [...example.command.matchAll(/https?:\/\/[^\s']+/g)].map(([url]) => url).filter((url) => url !== BASE)
      .map((url) => {
        const { pathname, search } = new URL(url);
        return decodeURIComponent(pathname) + search;
      })
  );
  for (const path of ROUTES.map((route) => displayPath(route).split("{")[0]!)) {
    assert.ok(targets.some((target) => target.startsWith(path)), `no example requests ${path}`);
  }
});

Deno.test("README names the clock its examples were produced with", () => {
  const readme = documents.find(({ name }) => name === "README.md")!.text;
  assert.ok(readme.includes(`deno task serve --now ${new Date(NOW).toISOString().replace(".000", "")}`));
});

Deno.test("README quotes every curl URL the shell would otherwise expand", () => {
  for (const { name, text } of documents) {
    for (const block of codeBlocks(text)) {
      if (block.language !== "sh" && block.language !== "console") continue;
      block.lines.forEach((line, i) => {
        for (const match of line.matchAll(/https?:\/\/\S+/g)) {
          const quoted = line[match.index - 1] === "'" || line[match.index - 1] === '"';
          assert.ok(
            quoted || !/[?&*[\]{}]/.test(match[0]),
            `${name}:${block.start + i}: quote ${match[0]}, as zsh and bash expand ? & * [ ] { }`,
          );
        }
      });
    }
  }
});

Deno.test(`README stays within ${README_MAX_LINES} lines`, () => {
  const readme = documents.find(({ name }) => name === "README.md")!.text;
  const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines: move detail to docs/`);
});

Deno.test("README documents every flag of the server and the client", () => {
  const readme = documents.find(({ name }) => name === "README.md")!.text;
  for (
    const flag of new Set([...SERVER_USAGE.matchAll(/--[a-z-]+/g), ...CLIENT_USAGE.matchAll(/--[a-z-]+/g)])
  ) {
    assert.ok(readme.includes(`\`${flag[0]}`), `README.md does not document ${flag[0]}`);
  }
});

Deno.test("README lists every error code with its status, as src/problem.ts does", () => {
  const readme = documents.find(({ name }) => name === "README.md")!.text;
  const rows = [...readme.matchAll(/^\| (\d{3}) +\| `([a-z_]+)` +\|/gm)].map((
    [, status, code],
  ) => [code, Number(status)]);
  assert.deepEqual(Object.fromEntries(rows), PROBLEM_STATUS);
  assert.equal(rows.length, Object.keys(PROBLEM_STATUS).length);
});

Deno.test("README data format gives every field's limits as src/schema.ts sets them", () => {
  const readme = documents.find(({ name }) => name === "README.md")!.text;
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `([a-z_0-9]+)` +\|(.*)\|$/gm)) rows.set(match[1]!, match[2]!);
  type Field = { minimum?: number; maximum?: number; minLength?: number; maxLength?: number };
  const city = z.toJSONSchema(CitySchema, { unrepresentable: "any" }) as {
    properties: Record<string, Field & { properties?: Record<string, Field> }>;
  };
  const fields = { ...city.properties, ...city.properties.current!.properties };
  delete fields.current;
  for (const [name, field] of Object.entries(fields)) {
    const row = rows.get(name);
    assert.ok(row !== undefined, `no row for ${name}`);
    if (field.minimum !== undefined) {
      assert.ok(
        row.includes(`${field.minimum} to ${field.maximum}`),
        `${name}: ${field.minimum} to ${field.maximum}`,
      );
    }
    if (field.minLength !== undefined && field.maxLength !== undefined) {
      assert.ok(
        row.includes(`${field.minLength} to ${field.maxLength} characters`),
        `${name}: ${field.minLength} to ${field.maxLength} characters`,
      );
    }
  }
  const codes = /`weather_code` is one of ([\d,\sand]+)/.exec(readme)?.[1]?.match(/\d+/g)?.map(Number);
  assert.deepEqual(codes, [...WMO_CODES.keys()], "the list of weather codes");
});
