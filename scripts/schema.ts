// Writes data/weather.schema.json, the JSON Schema of the data file, from the zod schema in
// src/schema.ts; with --check, only tells whether the committed file is what it would write.
//
//   deno task schema
//   deno run --allow-read=data scripts/schema.ts --check
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../src/atomic_file.ts";
import { weatherFileJsonSchema } from "../src/schema.ts";

const USAGE = "Usage: schema.ts [--out PATH] [--check] [--help]";
const HELP = `Writes the JSON Schema (draft 2020-12) of the weather data file, generated from the zod
schema in src/schema.ts, which data/weather.json names in its "$schema" field.

${USAGE}

  --out PATH   file to write (default: data/weather.schema.json)
  --check      write nothing; exit 1 when the file differs from what would be written`;

/** Where the schema is committed, beside the data file that refers to it. */
export const SCHEMA_PATH = new URL("../data/weather.schema.json", import.meta.url);

/** The text of the data file's JSON Schema: two-space indented, with a final newline. */
export function schemaText(): string {
  return JSON.stringify(weatherFileJsonSchema(), null, 2) + "\n";
}

async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { out: { type: "string" }, check: { type: "boolean" }, help: { type: "boolean" } },
    }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(HELP), 0;
  const path = values.out ?? SCHEMA_PATH;
  const label = path instanceof URL ? "data/weather.schema.json" : path;
  const text = schemaText();
  if (values.check) {
    const current = await Deno.readTextFile(path).catch(() => undefined);
    if (current === text) return console.error(`${label} is up to date`), 0;
    console.error(`${label} is out of date: run "deno task schema"`);
    return 1;
  }
  await writeFileAtomic(path, text);
  console.error(`Wrote ${label}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
