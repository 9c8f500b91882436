import assert from "node:assert/strict";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { createDataset, MAX_CACHED_BODIES } from "../src/dataset.ts";
import { UNIT_SYSTEMS } from "../src/units.ts";
import { TUTORIAL_FIELDS } from "./_helpers.ts";

// Enough cities for more bodies than the cache keeps.
const CITIES = Math.ceil(MAX_CACHED_BODIES / UNIT_SYSTEMS.length) + 100;
const file = generateWeatherFile({ cities: CITIES, seed: 2 });
const data = await createDataset(file, new TextEncoder().encode(formatWeatherFile(file)), "big.json");

Deno.test("Dataset.cityWeather() builds a body once and then reuses it", () => {
  const body = data.cityWeather(7, "imperial");
  assert.equal(data.cityWeather(7, "imperial"), body);
  assert.notEqual(data.cityWeather(7, "si"), body);
  assert.equal(JSON.parse(new TextDecoder().decode(body.body)).name, file.cities[7]!.name);
});

Deno.test("Dataset.cityWeather() keeps a bounded number of bodies, and those in use", () => {
  const hot = data.cityWeather(0, "metric");
  const first = new Map<number, unknown>();
  for (let i = 1; i < CITIES; i++) {
    for (const units of UNIT_SYSTEMS) {
      const body = data.cityWeather(i, units);
      if (units === "metric") first.set(i, body);
    }
    assert.equal(data.cityWeather(0, "metric"), hot, `the body in use was dropped after city ${i}`);
  }
  // The oldest bodies were dropped: built again, they are new objects with the same bytes and tag.
  let rebuilt = 0;
  for (const [i, body] of first) {
    const again = data.cityWeather(i, "metric");
    if (again !== body) {
      rebuilt++;
      assert.deepEqual(again, body);
    }
  }
  assert.ok(rebuilt > 0, "no body was dropped");
});

Deno.test("createDataset() looks cities up by their aliases, and builds bodies without the extra fields", async () => {
  const [first, second] = file.cities;
  const small = {
    cities: [first!, { ...second!, elevation: 12, population: 3, admin1: "Nowhere", aliases: ["Elsewhere"] }],
  };
  const dataset = await createDataset(small, new Uint8Array(), "small.json");
  assert.equal(dataset.index.find("ELSEWHERE"), 1);
  assert.deepEqual(dataset.index.suggest("Elsewher"), [second!.name]);
  const body = JSON.parse(new TextDecoder().decode(dataset.cityWeather(1, "metric").body));
  assert.deepEqual(Object.keys(body), TUTORIAL_FIELDS);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(dataset.cityList.body)), {
    cities: [first!.name, second!.name],
  });
});
