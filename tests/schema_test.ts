import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { schemaText } from "../scripts/schema.ts";
import { parseDataFile } from "../src/data_file.ts";
import { weatherFileJsonSchema } from "../src/schema.ts";
import { DATA_PATH, ROOT } from "./_helpers.ts";

const SCHEMA_PATH = new URL("data/weather.schema.json", ROOT);
const committed = await Deno.readTextFile(SCHEMA_PATH);
const dataText = await Deno.readTextFile(DATA_PATH);

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const compiled = ajv.compile(JSON.parse(committed));
/** Whether the committed JSON Schema accepts `file`, as an editor would check it. */
const validates = (file: unknown): boolean => compiled(file);
/** Whether the loader (zod and its own checks) accepts `file`. */
function loads(file: unknown): boolean {
  try {
    parseDataFile(JSON.stringify(file), "test.json");
    return true;
  } catch (error) {
    assert.ok(error instanceof TypeError, String(error));
    return false;
  }
}

const twoCities = () => ({ cities: structuredClone(JSON.parse(dataText).cities.slice(0, 2)) });

Deno.test("data/weather.schema.json is what scripts/schema.ts generates from the zod schema", () => {
  assert.equal(committed, schemaText(), 'data/weather.schema.json is out of date: run "deno task schema"');
  const schema = weatherFileJsonSchema();
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
});

Deno.test("data/weather.json names its JSON Schema first, and validates against it", () => {
  const file = JSON.parse(dataText);
  assert.deepEqual(Object.keys(file), ["$schema", "cities"]);
  assert.equal(file.$schema, "./weather.schema.json");
  assert.ok(validates(file), ajv.errorsText(compiled.errors));
});

Deno.test("the JSON Schema documents every city field with its limits", () => {
  const city = JSON.parse(committed).properties.cities.items;
  assert.deepEqual(city.required, ["name", "country", "latitude", "longitude", "timezone", "current"]);
  assert.deepEqual(
    Object.keys(city.properties),
    [
      "name",
      "country",
      "latitude",
      "longitude",
      "timezone",
      "elevation",
      "population",
      "admin1",
      "aliases",
      "current",
      "scenarios",
    ],
  );
  for (const [field, spec] of Object.entries(city.properties)) {
    assert.equal(typeof (spec as { description?: string }).description, "string", field);
  }
  assert.deepEqual([city.properties.elevation.minimum, city.properties.elevation.maximum], [-500, 9000]);
  assert.equal(city.properties.population.type, "integer");
  assert.equal(city.properties.aliases.items.maxLength, 100);
});

Deno.test("a file with a schema error is rejected by both the loader and the JSON Schema", () => {
  const breakages: ((file: ReturnType<typeof twoCities>) => void)[] = [
    (f) => f.cities[0].current.humidity = "wet",
    (f) => f.cities[0].current.humidity = 140,
    (f) => delete f.cities[1].current,
    (f) => f.cities[0].country = "jp",
    (f) => f.cities[0].current.weather_code = 42,
    (f) => f.cities[0].current.observed_at = "yesterday",
    (f) => f.cities[1].elevation = 9001,
    (f) => f.cities[1].population = -1,
    (f) => f.cities[1].population = 2.5,
    (f) => f.cities[1].admin1 = "",
    (f) => f.cities[1].aliases = "Hanseong",
    (f) => f.cities[1].aliases = ["x".repeat(101)],
    (f) => f.cities = [],
  ];
  assert.ok(loads(twoCities()) && validates(twoCities()));
  for (const [i, breakage] of breakages.entries()) {
    const file = twoCities();
    breakage(file);
    assert.equal(loads(file), false, `breakage ${i}: the loader accepts it`);
    assert.equal(validates(file), false, `breakage ${i}: the JSON Schema accepts it`);
  }
});

/** True when `value` holds a string that trimming changes, which zod trims and JSON Schema cannot. */
const untrimmed = (value: unknown): boolean =>
  typeof value === "string"
    ? value !== value.trim()
    : value !== null && typeof value === "object" && Object.values(value).some(untrimmed);

Deno.test("the loader and the JSON Schema agree on any value of the optional city fields", () => {
  const anyValue = fc.oneof(
    fc.jsonValue(),
    fc.integer({ min: -1000, max: 200_000_000 }),
    fc.double({ min: -1000, max: 10_000, noNaN: true }),
    fc.array(fc.oneof(fc.string({ maxLength: 110 }), fc.jsonValue()), { maxLength: 22 }),
  );
  const field = fc.constantFrom("elevation", "population", "admin1", "aliases");
  fc.assert(
    fc.property(field, anyValue, (name, value) => {
      fc.pre(!untrimmed(value));
      const file = twoCities();
      // Replace the field of the second city, whose aliases nothing else shares.
      file.cities[1][name] = value;
      const text = JSON.stringify(file);
      const parsed = JSON.parse(text); // as written to a file: -0 is 0, undefined is dropped
      assert.equal(loads(parsed), validates(parsed), `${name}: ${JSON.stringify(value)}`);
    }),
    { numRuns: 1000 },
  );
});

async function runSchema(...args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      "--allow-write",
      new URL("scripts/schema.ts", ROOT).pathname,
      ...args,
    ],
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("schema.ts writes the file named by --out, checks with --check and refuses unknown flags", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/schema.json`;
    assert.equal((await runSchema("--out", path, "--check")).code, 1);
    const wrote = await runSchema("--out", path);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.equal(await Deno.readTextFile(path), schemaText());
    assert.equal((await runSchema("--out", path, "--check")).code, 0);
    assert.equal((await runSchema("--check")).code, 0, "data/weather.schema.json is out of date");
    const bad = await runSchema("--bogus");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: .*bogus.*\nUsage: schema\.ts/);
    const help = await runSchema("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Writes the JSON Schema/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
