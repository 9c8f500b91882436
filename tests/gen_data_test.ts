import assert from "node:assert/strict";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { loadDataset } from "../src/dataset.ts";
import { ROOT, tempFile } from "./_helpers.ts";

Deno.test("generateWeatherFile() makes a file that loadDataset() accepts", async () => {
  await using file = await tempFile(formatWeatherFile(generateWeatherFile({ cities: 500, seed: 7 })));
  const dataset = await loadDataset(file.path);
  assert.equal(dataset.cities.length, 500);
  // Accented names are there to exercise the accent-insensitive lookup.
  const accented = dataset.cities.find((city) => city.name !== city.name.normalize("NFD"));
  assert.ok(accented, "no accented name");
  const folded = accented.name.normalize("NFD").replace(/\p{M}/gu, "").toUpperCase();
  assert.equal(dataset.index.find(folded), dataset.cities.indexOf(accented));
});

Deno.test("generateWeatherFile() is deterministic for a seed", () => {
  const text = (seed: number) => formatWeatherFile(generateWeatherFile({ cities: 50, seed }));
  assert.equal(text(3), text(3));
  assert.notEqual(text(3), text(4));
});

Deno.test("generateWeatherFile() rejects a count that is not a positive integer", () => {
  assert.throws(() => generateWeatherFile({ cities: 0 }), RangeError);
  assert.throws(() => generateWeatherFile({ cities: 1.5 }), RangeError);
});

Deno.test("generateWeatherFile() without extras gives the same bytes for a seed as it always has", async () => {
  // Benchmarks compare runs on these files: the default output stays fixed.
  const sha256 = async (text: string) =>
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))),
      (byte) => byte.toString(16).padStart(2, "0"),
    ).join("");
  const text = formatWeatherFile(generateWeatherFile({ cities: 200, seed: 3 }));
  assert.equal(await sha256(text), "d3dc85bedeb392c33290088b93b946d88d878a5fcb2f40afde2d3a9c65605703");
  assert.equal(formatWeatherFile(generateWeatherFile({ cities: 200, seed: 3, extras: 0 })), text);
  assert.doesNotMatch(text, /"(elevation|population|admin1|aliases)"/);
});

Deno.test("generateWeatherFile() gives a fraction of cities the extra fields, and loadDataset() finds their aliases", async () => {
  const plain = generateWeatherFile({ cities: 2000, seed: 4 });
  const extra = generateWeatherFile({ cities: 2000, seed: 4, extras: 0.25 });
  await using file = await tempFile(formatWeatherFile(extra));
  const dataset = await loadDataset(file.path);
  const carrying = dataset.cities.filter((city) => city.elevation !== undefined);
  assert.ok(carrying.length > 400 && carrying.length < 600, `${carrying.length} of 2000`);
  for (const city of carrying) {
    assert.ok(city.population !== undefined && city.admin1 !== undefined && city.aliases !== undefined);
  }
  const aliases = carrying.flatMap((city) => city.aliases!.map((alias) => [alias, city.name] as const));
  assert.ok(aliases.length > 300, `${aliases.length} aliases`);
  assert.ok(carrying.some((city) => city.aliases!.length === 2));
  for (const [alias, name] of aliases) {
    assert.equal(dataset.cities[dataset.index.find(alias.toUpperCase())!]!.name, name, alias);
  }
  // Every other field is that of the file without extras.
  extra.cities.forEach((city, i) => {
    const { elevation: _, population: __, admin1: ___, aliases: ____, ...rest } = city;
    assert.deepEqual(rest, plain.cities[i]);
  });
  const all = generateWeatherFile({ cities: 300, seed: 4, extras: 1 });
  assert.ok(all.cities.every((city) => city.admin1 !== undefined));
});

Deno.test("generateWeatherFile() rejects an extras fraction outside 0 to 1", () => {
  for (const extras of [-0.1, 1.5, NaN]) {
    assert.throws(() => generateWeatherFile({ cities: 5, extras }), RangeError, String(extras));
  }
});

Deno.test("gen_data.ts writes the file named by --out", async () => {
  await using file = await tempFile("");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--allow-write=${file.path}`,
      new URL("scripts/gen_data.ts", ROOT).pathname,
      "--cities",
      "20",
      "--seed",
      "9",
      "--extras",
      "0.5",
      "--out",
      file.path,
    ],
    stdin: "null",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const text = await Deno.readTextFile(file.path);
  assert.equal(text, formatWeatherFile(generateWeatherFile({ cities: 20, seed: 9, extras: 0.5 })));
});

Deno.test("gen_data.ts refuses an extras fraction outside 0 to 1 with its usage line", async () => {
  for (const value of ["2", "-0.5", "half"]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", new URL("scripts/gen_data.ts", ROOT).pathname, `--extras=${value}`],
      stdin: "null",
    }).output();
    assert.equal(output.code, 2, value);
    assert.match(
      new TextDecoder().decode(output.stderr),
      new RegExp(
        `^error: Invalid extras fraction "${value}": expected a number from 0 to 1\nUsage: gen_data\\.ts`,
      ),
    );
  }
});
