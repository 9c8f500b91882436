// Micro-benchmarks of loading data: the bundled file, and a synthetic 100,000-city one taken
// apart step by step (`deno task bench`). Each group's baseline is the bare JSON.parse.
// Benchmark functions that wait are `async`: `deno bench` awaits only those.
import { CityNameIndex } from "../src/city_names.ts";
import { createDataset, loadDataset } from "../src/dataset.ts";
import { parseDataFile } from "../src/data_file.ts";
import { WeatherFileSchema } from "../src/schema.ts";
import { BIG_CITIES, DATA_PATH, syntheticText } from "./_fixtures.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });

{
  const group = "load bundled (58 cities)";
  const bytes = await Deno.readFile(DATA_PATH);
  const text = decoder.decode(bytes);
  const file = parseDataFile(text, "weather.json");
  Deno.bench({
    group,
    name: "Deno.readFile + JSON.parse",
    baseline: true,
    async fn() {
      JSON.parse(decoder.decode(await Deno.readFile(DATA_PATH)));
    },
  });
  Deno.bench({
    group,
    name: "loadDataset (all of it)",
    async fn() {
      await loadDataset(DATA_PATH);
    },
  });
  Deno.bench({
    group,
    name: "parseDataFile (JSON, schema, duplicates)",
    fn: () => void parseDataFile(text, "w"),
  });
  Deno.bench({
    group,
    name: "createDataset (hash, index, city list)",
    async fn() {
      await createDataset(file, bytes, "w");
    },
  });
}

{
  const k = `${BIG_CITIES / 1000}k`;
  const group = `load ${k} cities`;
  const bytes = new TextEncoder().encode(syntheticText(BIG_CITIES));
  const raw = JSON.parse(decoder.decode(bytes));
  const file = parseDataFile(decoder.decode(bytes), "big.json");
  const names = file.cities.map((city) => city.name);
  // Up to seconds per iteration: a few are enough to see where the time goes (plus one warmup).
  const slow = { group, n: 2, warmup: 0 };
  Deno.bench({
    ...slow,
    name: `UTF-8 decode + JSON.parse (${(bytes.length / 1e6).toFixed(0)} MB)`,
    baseline: true,
    fn: () => void JSON.parse(decoder.decode(bytes)),
  });
  Deno.bench({
    ...slow,
    name: "WeatherFileSchema.safeParse (zod)",
    fn: () => void WeatherFileSchema.safeParse(raw),
  });
  Deno.bench({
    ...slow,
    name: "new CityNameIndex (normalize names)",
    fn: () => void new CityNameIndex(names),
  });
  Deno.bench({
    ...slow,
    name: "createDataset (hash, index, city list)",
    async fn() {
      await createDataset(file, bytes, "big.json");
    },
  });
  Deno.bench({
    ...slow,
    name: "loadDataset less the file read",
    async fn() {
      await createDataset(parseDataFile(decoder.decode(bytes), "big.json"), bytes, "big.json");
    },
  });
}
