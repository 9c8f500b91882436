import assert from "node:assert/strict";
import {
  currentConditions,
  dailySeries,
  hourlySeries,
  type ModelCity,
  type ModelInput,
} from "../src/model/forecast.ts";
import { ScenarioSchema, ScenariosSchema } from "../src/model/scenario.ts";
import { localDate } from "../src/model/time.ts";
import { HOURLY_VARIABLES } from "../src/model/variables.ts";
import { parseDataFile } from "../src/data_file.ts";
import { type City, WeatherFileSchema } from "../src/schema.ts";

const file = WeatherFileSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("../data/weather.json", import.meta.url))),
);
const HOUR = 3_600_000;
const NOW = Date.parse("2026-11-23T11:14:00Z");
const HOUR0 = Date.parse("2026-11-23T11:00:00Z");
const byName = (name: string): City => {
  const city = file.cities.find((c) => c.name === name);
  assert.ok(city, `no city "${name}" in the bundled data`);
  return city;
};

/** The model's hours of `input` from `from`, as a series scenario's JSON. */
function recorded(input: ModelInput, from: number, hours: number, step = 60) {
  const s = hourlySeries(input, from, hours);
  const series = Object.fromEntries(HOURLY_VARIABLES.map((name) => [name, Array.from(s[name])]));
  return { from: new Date(from).toISOString(), step_minutes: step, series };
}

/** Why the loader rejects a data file with `scenario` for Tokyo, as it tells the user. */
const messages = (scenario: unknown): string[] => {
  const cities = [{ ...byName("Tokyo"), scenarios: [scenario] }];
  assert.throws(() => parseDataFile(JSON.stringify({ cities }), "x.json"), TypeError);
  try {
    parseDataFile(JSON.stringify({ cities }), "x.json");
  } catch (error) {
    return [(error as Error).message];
  }
  return [];
};

Deno.test("ScenarioSchema reads a series scenario, hourly by default, with a ramp of 2 hours", () => {
  const s = ScenarioSchema.parse({ from: "2026-11-23T00:00:00Z", series: { temperature: [3, null, 4.5] } });
  assert.ok("series" in s);
  assert.equal(s.step_minutes, 60);
  assert.equal(s.ramp_hours, 2);
  assert.deepEqual(s.series.temperature, [3, null, 4.5]);
  ScenarioSchema.parse({ from: "+0h", step_minutes: 15, series: { weather_code: [95], is_day: [1] } });
});

Deno.test("ScenarioSchema rejects a series of unequal lengths, implausible values or off the quarter hour", () => {
  assert.match(
    messages({ from: "+0h", series: { temperature: [1, 2], cloud_cover: [3] } }).join(),
    /cities\[0\]\.scenarios\[0\]\.series: expected every variable to have as many values: got temperature 2, cloud_cover 1/,
  );
  assert.match(
    messages({ from: "+0h", series: { temperature: [1, 500] } }).join(),
    /scenarios\[0\]\.series\.temperature\[1\]: .*60, found 500/,
  );
  assert.match(messages({ from: "+0h", series: { weather_code: [4] } }).join(), /WMO weather code/);
  assert.match(messages({ from: "+0h", series: { is_day: [0.5] } }).join(), /0 \(night\) or 1 \(day\)/);
  assert.match(messages({ from: "+0h", series: {} }).join(), /at least one variable/);
  assert.match(messages({ from: "+7m", series: { temperature: [1] } }).join(), /quarter hour/);
  assert.match(
    messages({ from: "2026-11-23T00:10:00Z", series: { temperature: [1] } }).join(),
    /quarter hour/,
  );
  assert.match(messages({ from: "+0h", series: { temprature: [1] } }).join(), /temprature/);
  assert.match(
    messages({ from: "+0h", step_minutes: 30, series: { temperature: [1] } }).join(),
    /step_minutes/,
  );
});

Deno.test("hourlySeries() answers a series' points exactly, with every variable it gives", () => {
  const tokyo = byName("Tokyo");
  const source: ModelInput = { city: tokyo, seed: 7, now: NOW };
  const scenario = recorded(source, HOUR0 - 24 * HOUR, 72);
  const replay: ModelInput = {
    city: { ...tokyo, scenarios: ScenariosSchema.parse([scenario]) },
    seed: 99,
    now: NOW,
  };
  const a = hourlySeries(source, HOUR0 - 24 * HOUR, 72), b = hourlySeries(replay, HOUR0 - 24 * HOUR, 72);
  for (const name of HOURLY_VARIABLES) assert.deepEqual(b[name], a[name], name);
  // Another seed outside the series: its own weather.
  const after = hourlySeries(replay, HOUR0 + 60 * HOUR, 24).temperature;
  assert.notDeepEqual(after, hourlySeries(source, HOUR0 + 60 * HOUR, 24).temperature);
});

Deno.test("dailySeries() of a day inside a series is the aggregate of its recorded hours", () => {
  const madrid = byName("Madrid");
  const source: ModelInput = { city: madrid, seed: 3, now: NOW };
  const today = localDate(madrid.timezone, NOW);
  const start = Date.parse(`${today}T00:00:00+01:00`);
  const scenario = recorded(source, start - 24 * HOUR, 24 * 4);
  const replay: ModelInput = {
    city: { ...madrid, scenarios: ScenariosSchema.parse([scenario]) },
    seed: 4,
    now: NOW,
  };
  const a = dailySeries(source, today, 2), b = dailySeries(replay, today, 2);
  assert.deepEqual(b, a);
});

Deno.test("currentConditions() takes a quarter-hour point of a later series over the hourly one", () => {
  const city = byName("Paris");
  const source: ModelInput = { city, seed: 1, now: NOW };
  const slot = HOUR0;
  const now = currentConditions(source);
  const point = {
    from: new Date(slot).toISOString(),
    step_minutes: 15,
    series: Object.fromEntries(HOURLY_VARIABLES.map((name) => [name, [now[name]]])),
  };
  const hourly = recorded({ city, seed: 2, now: NOW }, HOUR0 - 3 * HOUR, 8);
  const replay: ModelInput = {
    city: { ...city, scenarios: ScenariosSchema.parse([hourly, point]) },
    seed: 2,
    now: NOW,
  };
  const got = currentConditions(replay);
  for (const name of HOURLY_VARIABLES) assert.equal(got[name], now[name], name);
});

Deno.test("Between a series' points the model interpolates; beyond them it fades back over the ramp", () => {
  const city: ModelCity = {
    ...byName("Stockholm"),
    scenarios: ScenariosSchema.parse([{
      from: new Date(HOUR0).toISOString(),
      ramp_hours: 4,
      series: {
        temperature: [10, 12],
        wind_direction: [350, 10],
        weather_code: [61, 3],
        cloud_cover: [null, 40],
      },
    }]),
  };
  const plain: ModelInput = { city: byName("Stockholm"), seed: 1, now: NOW };
  const input: ModelInput = { city, seed: 1, now: NOW };
  const quarter = hourlySeries(input, HOUR0 + 15 * 60_000, 1);
  assert.equal(quarter.temperature[0], 10.5);
  assert.equal(quarter.wind_direction[0], 355);
  assert.equal(quarter.weather_code[0], 61);
  // A null point is the model's own value, and so is everything between it and the next point.
  assert.equal(hourlySeries(input, HOUR0, 1).cloud_cover[0], hourlySeries(plain, HOUR0, 1).cloud_cover[0]);
  // Beyond the end: drawn towards 12 °C, less with each hour, the model's own after 4 hours.
  const model = hourlySeries(plain, HOUR0 + 2 * HOUR, 4).temperature;
  const faded = hourlySeries(input, HOUR0 + 2 * HOUR, 4).temperature;
  const pull = [0, 1, 2, 3].map((k) => Math.abs(faded[k]! - 12) - Math.abs(model[k]! - 12));
  assert.ok(
    pull[0]! < 0 && pull[0]! < pull[1]!,
    `expected the ramp to draw towards 12 °C: ${faded} vs ${model}`,
  );
  assert.deepEqual(
    hourlySeries(input, HOUR0 + 6 * HOUR, 3).temperature,
    hourlySeries(plain, HOUR0 + 6 * HOUR, 3).temperature,
  );
});
