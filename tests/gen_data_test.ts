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
      "--out",
      file.path,
    ],
    stdin: "null",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const text = await Deno.readTextFile(file.path);
  assert.equal(text, formatWeatherFile(generateWeatherFile({ cities: 20, seed: 9 })));
});
