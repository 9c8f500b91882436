import assert from "node:assert/strict";
import fc from "fast-check";
import {
  currentConditions,
  dailySeries,
  hourlySeries,
  type ModelCity,
  type ModelInput,
  modelRange,
} from "../src/model/forecast.ts";
import {
  DAILY_VARIABLES,
  HOURLY_DECIMALS,
  HOURLY_VARIABLES,
  type HourlySeries,
  OPEN_METEO_DAILY,
  OPEN_METEO_HOURLY,
} from "../src/model/variables.ts";
import { resolveScenarioTime, ScenarioSchema, ScenariosSchema } from "../src/model/scenario.ts";
import { sunDay } from "../src/model/sun.ts";
import {
  addDays,
  formatDay,
  localDate,
  localDayNumber,
  localMidnight,
  utcOffsetSeconds,
} from "../src/model/time.ts";
import { type City, WeatherFileSchema } from "../src/schema.ts";
import { WMO_CODES } from "../src/wmo.ts";

const file = WeatherFileSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("../data/weather.json", import.meta.url))),
);
const HOUR = 3_600_000, DAY = 86_400_000;
const NOW = Date.parse("2026-11-23T11:14:00Z");
const byName = (name: string): City => file.cities.find((c) => c.name === name)!;

// Published formulas, written out here on their own to check the model against.
const magnusRh = (t: number, td: number) =>
  100 * Math.exp(17.625 * td / (243.04 + td) - 17.625 * t / (243.04 + t));
const steadman = (t: number, rh: number, kmh: number) =>
  t + 0.33 * (rh / 100 * 6.105 * Math.exp(17.27 * t / (237.7 + t))) - 0.7 * kmh / 3.6 - 4;
const barometric = (msl: number, h: number, t: number) =>
  msl * Math.pow(1 - 0.0065 * h / (t + 273.15 + 0.0065 * h), 5.255);

/** The whole window the model answers for: 92 days back to 16 days ahead, on whole hours. */
/** The model's current conditions beside the data file's, field for field, for one comparison. */
function anchored(c: ReturnType<typeof currentConditions>, f: City["current"]) {
  return {
    model: [
      c.temperature,
      c.apparent_temperature,
      c.relative_humidity,
      c.wind_speed,
      c.wind_direction,
      c.pressure_msl,
      c.weather_code,
    ],
    file: [
      f.temperature,
      f.feels_like,
      f.humidity,
      f.wind_speed,
      f.wind_direction % 360,
      f.pressure,
      f.weather_code,
    ],
  };
}

function fullSeries(input: ModelInput): HourlySeries {
  const range = modelRange(input);
  const first = Math.ceil(range.start / HOUR) * HOUR;
  return hourlySeries(input, first, Math.floor((range.end - 1 - first) / HOUR) + 1);
}

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "Australia/Sydney",
  "America/Santiago",
  "Asia/Kathmandu",
  "America/New_York",
];

/** A city anywhere, with a current observation consistent with its weather code. */
const arbitraryCity: fc.Arbitrary<ModelCity> = fc.record({
  latitude: fc.double({ min: -85, max: 85, noNaN: true }),
  longitude: fc.double({ min: -180, max: 180, noNaN: true }),
  timezone: fc.constantFrom(...ZONES),
  elevation: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
  code: fc.constantFrom(...WMO_CODES.keys()),
  t: fc.integer({ min: 0, max: 1000 }),
  humidity: fc.integer({ min: 5, max: 100 }),
  wind: fc.integer({ min: 0, max: 600 }),
  direction: fc.integer({ min: 0, max: 359 }),
  pressure: fc.integer({ min: 9600, max: 10450 }),
}).map((r) => {
  const snowy = r.code >= 71 && r.code <= 86 && r.code !== 80 && r.code !== 81 && r.code !== 82;
  const freezing = [56, 57, 66, 67, 48].includes(r.code);
  const liquid = !snowy && !freezing && r.code >= 51;
  // Temperatures in tenths, in the range the code allows.
  const t = snowy
    ? -30 + r.t * 0.03
    : freezing
    ? -1.5 + r.t * 0.0015
    : liquid
    ? 1 + r.t * 0.03
    : -20 + r.t * 0.05;
  const temperature = Math.round(t * 10) / 10 || 0;
  const humidity = r.code >= 45 ? Math.max(r.humidity, 85) : r.humidity;
  return {
    name: `Place ${r.latitude.toFixed(3)} ${r.longitude.toFixed(3)}`,
    latitude: r.latitude,
    longitude: r.longitude,
    timezone: r.timezone,
    elevation: r.elevation,
    current: {
      temperature,
      feels_like: Math.round((temperature - 2) * 10) / 10 || 0,
      humidity,
      wind_speed: r.wind / 10,
      wind_direction: r.direction,
      pressure: r.pressure / 10,
      condition: WMO_CODES.get(r.code)!,
      weather_code: r.code as City["current"]["weather_code"],
      observed_at: "2026-11-23T12:00:00+00:00",
    },
  };
});
const arbitraryNow = fc.integer({ min: Date.UTC(2021, 0, 1), max: Date.UTC(2031, 0, 1) });
const arbitrarySeed = fc.integer({ min: 0, max: 0xffffffff });

const inputs: ModelInput[] = file.cities.map((city, i) => ({ city, seed: 1000 + i, now: NOW }));

/** Fails with `message()`, built only then: the checks below run on a million hours. */
function ok(condition: boolean, message: () => string): void {
  if (!condition) assert.fail(message());
}

function eq(actual: unknown, expected: unknown, message: () => string): void {
  if (actual !== expected) assert.fail(`${message()}: ${actual} is not ${expected}`);
}

/** Every rule an hour must keep, checked on hour `i`; `now` is the clock (epoch ms). */
function checkHour(s: HourlySeries, i: number, elevation: number, now: number, where: string): void {
  const at = () => `${where} at ${new Date(s.time[i]! * 1000).toISOString()}`;
  const t = s.temperature[i]!, td = s.dew_point[i]!, rh = s.relative_humidity[i]!;
  const code = s.weather_code[i]!, p = s.precipitation[i]!, wind = s.wind_speed[i]!;
  ok(WMO_CODES.has(code), () => `${at()}: unknown code ${code}`);
  ok(td <= t, () => `${at()}: dew point ${td} above temperature ${t}`);
  ok(Math.abs(rh - magnusRh(t, td)) <= 2, () => `${at()}: humidity ${rh} against Magnus ${magnusRh(t, td)}`);
  if (Math.abs(s.time[i]! * 1000 - now) >= 12 * HOUR) {
    const at2 = steadman(t, rh, wind);
    ok(
      Math.abs(s.apparent_temperature[i]! - at2) <= 0.3,
      () => `${at()}: apparent ${s.apparent_temperature[i]} vs ${at2}`,
    );
  }
  ok(Math.abs(s.surface_pressure[i]! - barometric(s.pressure_msl[i]!, elevation, t)) <= 0.15, at);
  ok(s.wind_gusts[i]! >= wind, () => `${at()}: gusts below wind`);
  ok(wind >= 0 && s.wind_direction[i]! >= 0 && s.wind_direction[i]! < 360, at);
  ok(s.cloud_cover[i]! >= 0 && s.cloud_cover[i]! <= 100 && rh >= 0 && rh <= 100, at);
  // The weather code agrees with the rest of the hour.
  if (code <= 3) eq(p, 0, () => `${at()}: code ${code} with precipitation ${p}`);
  if (code === 0) ok(s.cloud_cover[i]! < 20, () => `${at()}: clear sky under ${s.cloud_cover[i]}% cloud`);
  if (code === 3) ok(s.cloud_cover[i]! >= 80, () => `${at()}: overcast under ${s.cloud_cover[i]}% cloud`);
  if (code === 45 || code === 48) {
    ok(s.visibility[i]! < 1000, () => `${at()}: fog with visibility ${s.visibility[i]}`);
  }
  if (code >= 51 && code <= 67) ok(s.rain[i]! > 0, () => `${at()}: code ${code} without rain`);
  if ((code >= 71 && code <= 77) || code === 85 || code === 86) {
    ok(s.snowfall[i]! > 0 && t <= 2, () => `${at()}: code ${code}, snowfall ${s.snowfall[i]} at ${t} °C`);
  }
  if (code >= 80 && code <= 82) ok(s.showers[i]! > 0, () => `${at()}: code ${code} without showers`);
  if (code >= 95) ok(s.showers[i]! > 0, () => `${at()}: thunderstorm without showers`);
  if (p > 0) {
    ok(code >= 51, () => `${at()}: precipitation ${p} under code ${code}`);
    ok(s.precipitation_probability[i]! > 0, () => `${at()}: precipitation at probability 0`);
    ok(s.visibility[i]! <= 15000, () => `${at()}: visibility ${s.visibility[i]} in precipitation`);
  }
  const parts = s.rain[i]! + s.showers[i]! + s.snowfall[i]! / 0.7;
  ok(Math.abs(parts - p) <= 0.11, () => `${at()}: rain+showers+snow ${parts} vs precipitation ${p}`);
  if (t <= -2) eq(s.rain[i]! + s.showers[i]!, 0, () => `${at()}: rain at ${t} °C`);
  if (s.is_day[i] === 0) {
    ok(s.uv_index[i] === 0 && s.sunshine_duration[i] === 0, () => `${at()}: UV at night`);
  }
  ok(s.sunshine_duration[i]! >= 0 && s.sunshine_duration[i]! <= 3600, at);
  if (i > 0) {
    ok(Math.abs(t - s.temperature[i - 1]!) <= 6, () => `${at()}: jump ${s.temperature[i - 1]} → ${t}`);
  }
}

function checkSeries(input: ModelInput, s: HourlySeries, where: string): void {
  const now = typeof input.now === "number" ? input.now : input.now.getTime();
  for (let i = 0; i < s.length; i++) checkHour(s, i, input.city.elevation ?? 0, now, where);
}

Deno.test("OPEN_METEO_HOURLY and OPEN_METEO_DAILY name every variable, one to one", () => {
  assert.deepEqual(Object.keys(OPEN_METEO_HOURLY).sort(), [...HOURLY_VARIABLES].sort());
  assert.equal(new Set(Object.values(OPEN_METEO_HOURLY)).size, HOURLY_VARIABLES.length);
  assert.equal(OPEN_METEO_HOURLY.temperature, "temperature_2m");
  assert.deepEqual(Object.keys(OPEN_METEO_DAILY).sort(), [...DAILY_VARIABLES, "sunrise", "sunset"].sort());
  assert.equal(new Set(Object.values(OPEN_METEO_DAILY)).size, DAILY_VARIABLES.length + 2);
});

Deno.test("hourlySeries() publishes each variable at its HOURLY_DECIMALS precision", () => {
  const s = fullSeries(inputs.find((x) => x.city.name === "Stockholm")!);
  for (const name of HOURLY_VARIABLES) {
    const scale = 10 ** HOURLY_DECIMALS[name];
    for (const x of s[name]) assert.equal(Math.round(x * scale) / scale, x, `${name} ${x}`);
    assert.ok(s[name].some((x) => x !== 0), `${name} is never anything but 0`);
  }
});

Deno.test("currentConditions() at the clock is the data file's current for every bundled city", () => {
  fc.assert(
    fc.property(arbitrarySeed, fc.integer({ min: -10 * DAY, max: 10 * DAY }), (seed, shift) => {
      for (const city of file.cities) {
        const { model, file } = anchored(currentConditions({ city, seed, now: NOW + shift }), city.current);
        assert.deepEqual(model, file, city.name);
      }
    }),
    { numRuns: 5 },
  );
});

Deno.test("currentConditions() at the clock is the city's current anywhere, and blends away from it smoothly", () => {
  fc.assert(
    fc.property(arbitraryCity, arbitrarySeed, arbitraryNow, (city, seed, now) => {
      const input = { city, seed, now };
      const f = city.current;
      const { model, file } = anchored(currentConditions(input), f);
      assert.deepEqual(model, file);
      const slot = Math.floor(now / 900_000) * 900_000;
      for (const dt of [-2, -1, 1, 2]) {
        const near = currentConditions(input, slot + dt * 900_000);
        assert.ok(Math.abs(near.temperature - f.temperature) <= 1, `${dt * 15} min: ${near.temperature}`);
        assert.ok(Math.abs(near.pressure_msl - f.pressure) <= 1);
      }
    }),
    { numRuns: 60 },
  );
});

Deno.test("the file's difference from the model fades with distance from the clock, never growing", () => {
  const base = byName("Paris");
  const warmer = { ...base, current: { ...base.current, temperature: base.current.temperature + 10 } };
  const slot = Math.floor(NOW / 900_000) * 900_000;
  let previous = Infinity;
  for (const hours of [0, 1, 3, 6, 12, 24, 48, 96, 30 * 24, 90 * 24]) {
    for (const sign of hours === 0 ? [1] : [-1, 1]) {
      if (sign > 0 && hours > 15 * 24) continue;
      const at = slot + sign * hours * HOUR;
      const diff = currentConditions({ city: warmer, seed: 4, now: NOW }, at).temperature -
        currentConditions({ city: base, seed: 4, now: NOW }, at).temperature;
      if (hours === 0) assert.ok(Math.abs(diff - 10) < 0.11, `${diff} at the clock`);
      assert.ok(diff <= previous + 0.11 && diff >= 0, `${diff} at ${sign * hours} h`);
      if (sign < 0 || hours === 0) previous = diff;
    }
  }
  assert.ok(previous < 8, "less of it stays a season away");
});

Deno.test("currentConditions() rounds an instant down to its 15-minute slot, on the hourly series at whole hours", () => {
  const input = inputs[0]!;
  const hour = Math.floor(NOW / HOUR) * HOUR + 3 * HOUR;
  const at = currentConditions(input, hour + 14 * 60_000);
  assert.equal(at.time, hour / 1000);
  assert.equal(at.interval, 900);
  const h = hourlySeries(input, hour, 1);
  for (const name of HOURLY_VARIABLES) assert.equal(at[name], h[name][0], name);
});

Deno.test("hourlySeries() keeps every consistency rule in every hour of every bundled city", () => {
  for (const input of inputs) checkSeries(input, fullSeries(input), input.city.name);
});

Deno.test("hourlySeries() keeps every consistency rule anywhere, at any clock and seed", () => {
  fc.assert(
    fc.property(arbitraryCity, arbitrarySeed, arbitraryNow, (city, seed, now) => {
      const input = { city, seed, now };
      checkSeries(input, fullSeries(input), city.name);
      // Sunshine fits in daylight, polar days and nights included.
      const days = dailySeries(input, localDate(city.timezone, now), 8);
      for (let d = 0; d < days.length; d++) {
        assert.ok(
          days.sunshine_duration[d]! <= days.daylight_duration[d]!,
          `${city.name} on ${days.date[d]}`,
        );
      }
    }),
    { numRuns: 25 },
  );
});

Deno.test("hourlySeries() gives an instant the same values whatever the window", () => {
  const input = inputs[5]!;
  const range = modelRange(input);
  const first = Math.ceil(range.start / HOUR);
  const total = Math.floor((range.end - 1) / HOUR) - first + 1;
  const whole = hourlySeries(input, first * HOUR, total);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: total - 1 }), fc.integer({ min: 1, max: 400 }), (start, length) => {
      const n = Math.min(length, total - start);
      const part = hourlySeries(input, (first + start) * HOUR, n);
      for (const name of HOURLY_VARIABLES) {
        assert.deepEqual(part[name], whole[name].subarray(start, start + n), name);
      }
    }),
    { numRuns: 40 },
  );
});

Deno.test("hourlySeries() is the same in a fresh model, without Math.random or Date.now", () => {
  const city = byName("Tokyo");
  const first = hourlySeries({ city, seed: 42, now: NOW }, Math.floor(NOW / HOUR) * HOUR, 48);
  const random = Math.random, clock = Date.now;
  Math.random = () => {
    throw new Error("Math.random called");
  };
  Date.now = () => {
    throw new Error("Date.now called");
  };
  try {
    const again = hourlySeries(
      { city: structuredClone(city), seed: 42, now: new Date(NOW) },
      Math.floor(NOW / HOUR) * HOUR,
      48,
    );
    for (const name of HOURLY_VARIABLES) assert.deepEqual(again[name], first[name], name);
  } finally {
    Math.random = random;
    Date.now = clock;
  }
  const other = hourlySeries({ city, seed: 43, now: NOW }, Math.floor(NOW / HOUR) * HOUR + 24 * HOUR, 24);
  const same = hourlySeries({ city, seed: 42, now: NOW }, Math.floor(NOW / HOUR) * HOUR + 24 * HOUR, 24);
  assert.notDeepEqual(other.temperature, same.temperature, "another seed, other weather");
});

Deno.test("hourlySeries() depends on the clock only through its 15-minute slot", () => {
  const city = byName("Lisbon");
  const slot = Math.floor(NOW / 900_000) * 900_000;
  const from = Math.floor(NOW / HOUR) * HOUR - 24 * HOUR;
  const a = hourlySeries({ city, seed: 8, now: slot }, from, 72);
  const b = hourlySeries({ city, seed: 8, now: slot + 899_999 }, from, 72);
  for (const name of HOURLY_VARIABLES) assert.deepEqual(a[name], b[name], name);
});

Deno.test("hourlySeries() and dailySeries() answer from 92 days back to 16 days ahead, a day or two to spare, and throw RangeError beyond", () => {
  const input = inputs[0]!;
  const zone = input.city.timezone;
  const today = localDayNumber(zone, NOW);
  const range = modelRange(input);
  assert.equal(range.start, localMidnight(zone, today - 95));
  assert.equal(
    range.end,
    Math.max(localMidnight(zone, today + 18), Math.floor(NOW / HOUR) * HOUR + 384 * HOUR),
  );
  assert.equal(dailySeries(input, localDate(zone, range.start), 113).length, 113);
  assert.throws(() => dailySeries(input, localDate(zone, range.start), 114), RangeError);
  assert.throws(() => hourlySeries(input, range.start - HOUR, 2), RangeError);
  assert.throws(() => hourlySeries(input, range.end, 1), RangeError);
  assert.throws(() => hourlySeries(input, NOW, 1), RangeError, "not on the hour");
  assert.throws(() => hourlySeries({ ...input, seed: -1 }, range.start, 1), RangeError);
  assert.throws(() => dailySeries(input, "2026-13-01", 1), SyntaxError);
  assert.throws(() => currentConditions({ ...input, now: new Date(NaN) }), TypeError);
  assert.throws(() => currentConditions(input, range.end), RangeError);
});

Deno.test("hourlySeries() gives local days of 23 and 25 hours their offsets across daylight-saving changes", () => {
  const cases = [
    {
      city: byName("Berlin"),
      now: Date.parse("2027-03-20T12:00:00Z"),
      date: "2027-03-28",
      hours: 23,
      before: 3600,
      after: 7200,
    },
    {
      city: byName("Sydney"),
      now: Date.parse("2027-03-30T12:00:00Z"),
      date: "2027-04-04",
      hours: 25,
      before: 39600,
      after: 36000,
    },
  ];
  for (const c of cases) {
    const input = { city: c.city, seed: 3, now: c.now };
    const day = dailySeries(input, c.date, 1);
    assert.equal(day.hours[0], c.hours);
    const start = localMidnight(c.city.timezone, c.date);
    assert.equal(day.time[0], start / 1000);
    const h = hourlySeries(input, start, c.hours);
    const locals = [...h.time].map((t, i) =>
      new Date((t + h.utc_offset_seconds[i]!) * 1000).toISOString().slice(0, 13)
    );
    assert.ok(locals.every((l) => l.startsWith(c.date)), locals.join());
    assert.equal(h.utc_offset_seconds[0], c.before);
    assert.equal(h.utc_offset_seconds[c.hours - 1], c.after);
    assert.equal(
      new Set(locals).size,
      c.hours - (c.hours === 25 ? 1 : 0),
      "one local hour repeats in autumn",
    );
    checkSeries(input, h, c.city.name);
  }
});

Deno.test("dailySeries() counts a local day's hours from its midnight, in zones of :45 and :30 offsets too", () => {
  const kathmandu = { city: byName("Kathmandu"), seed: 2, now: NOW };
  const day = dailySeries(kathmandu, "2026-11-25", 1);
  const start = localMidnight("Asia/Kathmandu", "2026-11-25");
  assert.equal(start, Date.parse("2026-11-24T18:15:00Z"));
  assert.equal(day.hours[0], 24);
  const h = hourlySeries(kathmandu, start, 24);
  const minutes = [...h.time].map((t, i) => ((t + h.utc_offset_seconds[i]!) / 60) % 60);
  assert.ok(minutes.every((x) => x === 0), "on the local hour");
  assert.equal(day.temperature_max[0], Math.max(...h.temperature));
  // Lord Howe Island turns its clock back half an hour on 4 April 2027: a day of 24.5 hours.
  const lordHowe = {
    city: {
      ...byName("Sydney"),
      name: "Lord Howe Island",
      latitude: -31.55,
      longitude: 159.08,
      timezone: "Australia/Lord_Howe",
    },
    seed: 2,
    now: Date.parse("2027-04-01T00:00:00Z"),
  };
  const days = dailySeries(lordHowe, "2027-04-03", 3);
  assert.deepEqual([...days.hours], [24, 25, 24]);
  for (let d = 0; d < 3; d++) {
    const start = days.time[d]! * 1000;
    const hours = hourlySeries(lordHowe, start, days.hours[d]!);
    assert.equal(days.temperature_min[d], Math.min(...hours.temperature));
    assert.equal(days.precipitation_hours[d], [...hours.precipitation].filter((p) => p > 0).length);
  }
  checkSeries(lordHowe, fullSeries(lordHowe), "Lord Howe Island");
});

Deno.test("dailySeries() values are the aggregates of their local day's hours", () => {
  fc.assert(
    fc.property(fc.constantFrom(...inputs), fc.integer({ min: -92, max: 12 }), (input, offset) => {
      const zone = input.city.timezone;
      const first = formatDay(localDayNumber(zone, NOW) + offset);
      const days = dailySeries(input, first, 4);
      for (let d = 0; d < 4; d++) {
        const start = localMidnight(zone, days.date[d]!),
          end = localMidnight(zone, localDayNumber(zone, start) + 1);
        // The local day's hours, from its midnight.
        const h = hourlySeries(input, start, Math.ceil((end - start) / HOUR));
        const col = (name: (typeof HOURLY_VARIABLES)[number]) => [...h[name]];
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
        assert.equal(days.hours[d], h.length);
        assert.equal(days.temperature_max[d], Math.max(...col("temperature")));
        assert.equal(days.temperature_min[d], Math.min(...col("temperature")));
        assert.equal(days.apparent_temperature_max[d], Math.max(...col("apparent_temperature")));
        assert.equal(days.apparent_temperature_min[d], Math.min(...col("apparent_temperature")));
        assert.equal(days.weather_code[d], Math.max(...col("weather_code")));
        assert.equal(days.uv_index_max[d], Math.max(...col("uv_index")));
        assert.ok(near(days.precipitation_sum[d]!, sum(col("precipitation"))));
        assert.ok(near(days.rain_sum[d]!, sum(col("rain"))));
        assert.ok(near(days.showers_sum[d]!, sum(col("showers"))));
        assert.ok(near(days.snowfall_sum[d]!, sum(col("snowfall"))));
        assert.equal(days.precipitation_hours[d], col("precipitation").filter((p) => p > 0).length);
        assert.equal(days.precipitation_probability_max[d], Math.max(...col("precipitation_probability")));
        assert.equal(days.wind_speed_max[d], Math.max(...col("wind_speed")));
        assert.equal(days.wind_gusts_max[d], Math.max(...col("wind_gusts")));
        assert.equal(days.sunshine_duration[d], sum(col("sunshine_duration")));
        assert.ok(days.sunshine_duration[d]! <= days.daylight_duration[d]!, "sunshine within daylight");
        // Dominant direction: the speed-weighted vector mean, within a degree.
        const u = sum(
          col("wind_direction").map((dir, i) => h.wind_speed[i]! * Math.sin(dir * Math.PI / 180)),
        );
        const v = sum(
          col("wind_direction").map((dir, i) => h.wind_speed[i]! * Math.cos(dir * Math.PI / 180)),
        );
        const mean = ((Math.atan2(u, v) * 180 / Math.PI) + 360) % 360;
        const diff = Math.abs(((days.wind_direction_dominant[d]! - mean) % 360 + 540) % 360 - 180);
        assert.ok(diff <= 1, `dominant ${days.wind_direction_dominant[d]} vs ${mean}`);
        const sun = sunDay(input.city, localDayNumber(zone, start));
        assert.equal(days.sunrise[d], sun.sunrise === null ? null : Math.round(sun.sunrise / 1000));
        assert.equal(days.sunset[d], sun.sunset === null ? null : Math.round(sun.sunset / 1000));
        assert.equal(days.daylight_duration[d], sun.daylight);
      }
    }),
    { numRuns: 40 },
  );
});

Deno.test("dailySeries() gives McMurdo Station polar day in December and polar night in June", () => {
  const input = { city: byName("McMurdo Station"), seed: 9, now: NOW };
  const days = dailySeries(input, "2026-12-01", 7);
  for (let d = 0; d < 7; d++) {
    assert.equal(days.sunrise[d], null);
    assert.equal(days.sunset[d], null);
    assert.equal(days.daylight_duration[d], 86400);
  }
  const h = hourlySeries(input, days.time[0]! * 1000, 7 * 24);
  assert.ok([...h.is_day].every((x) => x === 1), "the sun never sets");
  assert.ok(Math.max(...h.uv_index) > 0, "the sun circles low, but shines");
  // In June, polar night: no sunrise, no daylight, no UV.
  const june = { city: byName("McMurdo Station"), seed: 9, now: Date.parse("2027-06-10T00:00:00Z") };
  const night = dailySeries(june, "2027-06-12", 7);
  assert.deepEqual([...night.daylight_duration], [0, 0, 0, 0, 0, 0, 0]);
  assert.ok(night.sunrise.every((x) => x === null) && night.sunset.every((x) => x === null));
  const dark = hourlySeries(june, night.time[0]! * 1000, 7 * 24);
  assert.ok([...dark.is_day].every((x) => x === 0) && [...dark.uv_index].every((x) => x === 0));
  assert.deepEqual([...night.sunshine_duration], [0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("is_day follows sunrise and sunset, and UV is 0 at night and highest near solar noon", () => {
  for (const input of inputs) {
    const zone = input.city.timezone;
    const days = dailySeries(input, localDate(zone, NOW - 5 * DAY), 12);
    for (let d = 0; d < days.length; d++) {
      const start = days.time[d]! * 1000;
      const h = hourlySeries(input, start, days.hours[d]!);
      const rise = days.sunrise[d] ?? null, set = days.sunset[d] ?? null;
      for (let i = 0; i < h.length; i++) {
        const t = h.time[i]!;
        if (rise !== null && set !== null && rise < set) {
          if (Math.abs(t - rise) < 120 || Math.abs(t - set) < 120) continue;
          assert.equal(
            h.is_day[i],
            t >= rise && t < set ? 1 : 0,
            `${input.city.name} ${new Date(t * 1000).toISOString()}`,
          );
        } else if (rise === null && set === null) {
          assert.equal(h.is_day[i], days.daylight_duration[d]! > 0 ? 1 : 0);
        }
      }
      // Solar noon by longitude within 20 min (equation of time); the peak UV hour within 1.5 h of it
      // on days whose cloud hardly changes.
      const cloud = [...h.cloud_cover];
      if (Math.max(...cloud) - Math.min(...cloud) > 10 || h.precipitation.some((p) => p > 0)) continue;
      const uv = [...h.uv_index];
      const peak = uv.indexOf(Math.max(...uv));
      if (uv[peak] === 0) continue;
      const solar = ((h.time[peak]! / 3600 + input.city.longitude / 15) % 24 + 24) % 24;
      assert.ok(
        Math.abs(solar - 12) <= 1.5 + 1 / 3,
        `${input.city.name}: UV peak at solar ${solar.toFixed(2)} h`,
      );
    }
  }
});

Deno.test("the UV index is lower under cloud than in clear sky at the same sun", () => {
  let pairs = 0;
  for (const input of inputs) {
    const s = fullSeries(input);
    // Pair hours a day apart (nearly the same sun) whose cloud differs a lot.
    for (let i = 0; i + 24 < s.length; i++) {
      const j = i + 24;
      if (s.uv_index[i]! < 1 || s.uv_index[j]! < 1) continue;
      if (s.cloud_cover[i]! < 20 && s.cloud_cover[j]! > 80 && s.precipitation[j] === 0) {
        assert.ok(
          s.uv_index[j]! < s.uv_index[i]!,
          `${input.city.name}: ${s.uv_index[j]} under cloud vs ${s.uv_index[i]}`,
        );
        pairs++;
      }
    }
  }
  assert.ok(pairs > 10, `only ${pairs} pairs`);
});

/** Local days `from` to `to` days from the clock's (negative: past), with their hours and sun. */
function daysOf(input: ModelInput, from: number, to: number, withSun: boolean) {
  const zone = input.city.timezone;
  const today = localDayNumber(zone, typeof input.now === "number" ? input.now : input.now.getTime());
  const first = Math.ceil(localMidnight(zone, today + from) / HOUR) * HOUR;
  const hourly = hourlySeries(
    input,
    first,
    Math.ceil(localMidnight(zone, today + to + 1) / HOUR) - first / HOUR,
  );
  const result = [];
  let i = 0;
  for (let day = today + from; day <= today + to; day++) {
    const end = localMidnight(zone, day + 1) / 1000;
    const temps: number[] = [], times: number[] = [];
    let cloud = 0, rain = 0;
    for (; i < hourly.length && hourly.time[i]! < end; i++) {
      temps.push(hourly.temperature[i]!);
      times.push(hourly.time[i]!);
      cloud += hourly.cloud_cover[i]!;
      rain += hourly.precipitation[i]!;
    }
    const sun = withSun ? sunDay(input.city, day) : undefined;
    result.push({
      temps,
      times,
      meanCloud: cloud / temps.length,
      rain,
      sunrise: sun === undefined || sun.sunrise === null ? null : sun.sunrise / 1000,
      daylight: sun?.daylight ?? 0,
      max: Math.max(...temps),
      min: Math.min(...temps),
      mean: temps.reduce((a, b) => a + b, 0) / temps.length,
    });
  }
  return result;
}

Deno.test("the diurnal cycle: minimum near sunrise, maximum in the afternoon, smaller under cloud and rain", () => {
  let days = 0, minNearSunrise = 0, maxInAfternoon = 0;
  const clearRanges: number[] = [], cloudyRanges: number[] = [];
  const cities = [...inputs.filter((x) => Math.abs(x.city.latitude) < 60)];
  fc.sample(fc.tuple(arbitraryCity, arbitrarySeed, arbitraryNow), { numRuns: 6, seed: 11 }).forEach(
    ([city, seed, now]) => {
      if (Math.abs(city.latitude) < 60) cities.push({ city, seed, now });
    },
  );
  for (const input of cities) {
    for (const day of daysOf(input, -20, 8, true)) {
      if (day.sunrise === null || day.daylight < 6 * 3600) continue;
      days++;
      const iMin = day.temps.indexOf(day.min), iMax = day.temps.indexOf(day.max);
      if (Math.abs(day.times[iMin]! - day.sunrise) <= 3 * 3600) minNearSunrise++;
      const solar = ((day.times[iMax]! / 3600 + input.city.longitude / 15) % 24 + 24) % 24;
      if (solar >= 11.5 && solar <= 18.5) maxInAfternoon++;
      if (day.meanCloud < 30 && day.rain === 0) clearRanges.push(day.max - day.min);
      if (day.meanCloud > 70 || day.rain > 1) cloudyRanges.push(day.max - day.min);
    }
  }
  assert.ok(minNearSunrise / days > 0.6, `minimum near sunrise on ${minNearSunrise} of ${days} days`);
  assert.ok(maxInAfternoon / days > 0.6, `maximum in the afternoon on ${maxInAfternoon} of ${days} days`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(clearRanges.length > 50 && cloudyRanges.length > 50);
  assert.ok(
    mean(clearRanges) > mean(cloudyRanges) + 1.5,
    `range ${mean(clearRanges).toFixed(1)} °C clear vs ${mean(cloudyRanges).toFixed(1)} °C cloudy`,
  );
});

Deno.test("weather changes over days like weather: smooth spells, neither white noise nor one day repeated", () => {
  let autocorrelation = 0, wetAfterWet = 0, wetDays = 0, wet = 0, pairs = 0, n = 0;
  for (const input of inputs) {
    const days = daysOf(input, -92, 15, false);
    // Daily means less their 15-day running mean (the season), then their day-to-day correlation.
    const means = days.map((d) => d.mean);
    const anomalies = means.map((_, i) => {
      const window = means.slice(Math.max(0, i - 7), i + 8);
      return means[i]! - window.reduce((a, b) => a + b, 0) / window.length;
    });
    let num = 0, den = 0;
    for (let i = 0; i < anomalies.length; i++) {
      den += anomalies[i]! ** 2;
      if (i > 0) num += anomalies[i]! * anomalies[i - 1]!;
    }
    autocorrelation += num / den;
    n++;
    const changes = means.slice(1).map((m, i) => Math.abs(m - means[i]!));
    assert.ok(
      changes.reduce((a, b) => a + b, 0) / changes.length > 0.2,
      `${input.city.name}: every day alike`,
    );
    const repeated = days.slice(1).filter((d, i) => d.temps.join() === days[i]!.temps.join()).length;
    assert.equal(repeated, 0, `${input.city.name}: a day repeated`);
    for (let i = 1; i < days.length; i++) {
      const today = days[i]!.rain >= 1, yesterday = days[i - 1]!.rain >= 1;
      if (today) wet++;
      if (yesterday) {
        wetDays++;
        if (today) wetAfterWet++;
      }
      pairs++;
    }
  }
  assert.ok(
    autocorrelation / n > 0.3,
    `day-to-day correlation of anomalies ${(autocorrelation / n).toFixed(2)}`,
  );
  assert.ok(wet / pairs > 0.05, `wet days ${wet} of ${pairs}`);
  assert.ok(
    wetAfterWet / wetDays > 1.5 * (wet / pairs),
    `wet spells: ${wetAfterWet}/${wetDays} vs ${wet}/${pairs}`,
  );
});

Deno.test("snow, not rain, falls well below freezing, and rain in the warm", () => {
  let snowHours = 0, rainHours = 0;
  for (const name of ["Moscow", "Stockholm", "Anchorage", "McMurdo Station", "Singapore", "London"]) {
    const input = inputs.find((x) => x.city.name === name)!;
    const s = fullSeries(input);
    for (let i = 0; i < s.length; i++) {
      if (s.precipitation[i]! === 0) continue;
      if (s.temperature[i]! < -2) {
        assert.equal(s.rain[i]! + s.showers[i]!, 0);
        snowHours++;
      }
      if (s.temperature[i]! > 3) {
        assert.equal(s.snowfall[i], 0, `${name}: snow at ${s.temperature[i]} °C`);
        rainHours++;
      }
    }
  }
  assert.ok(snowHours > 20 && rainHours > 20, `${snowHours} snowy and ${rainHours} rainy hours`);
});

Deno.test("visibility is lower in fog, rain and snow than in dry air", () => {
  const dry: number[] = [], wet: number[] = [], fog: number[] = [];
  for (const input of inputs) {
    const s = fullSeries(input);
    for (let i = 0; i < s.length; i++) {
      const code = s.weather_code[i]!;
      if (code === 45 || code === 48) fog.push(s.visibility[i]!);
      else if (s.precipitation[i]! > 0) wet.push(s.visibility[i]!);
      else if (code <= 3) dry.push(s.visibility[i]!);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(fog.length > 0 && wet.length > 0 && dry.length > 0, `${fog.length} fog, ${wet.length} wet`);
  assert.ok(Math.max(...fog) < 1000 && mean(fog) < mean(wet) && mean(wet) < mean(dry));
});

/** The city with its scenarios parsed, and the hours of the model's whole window for it. */
function withScenarios(name: string, scenarios: unknown[], seed = 5, now = NOW) {
  const city: ModelCity = { ...byName(name), scenarios: ScenariosSchema.parse(scenarios) };
  const input = { city, seed, now };
  const plain = { city: byName(name), seed, now };
  return { input, plain, series: fullSeries(input), base: fullSeries(plain) };
}

function windowOf(input: ModelInput, from: string, to: string): [number, number] {
  const zone = input.city.timezone, now = input.now as number;
  const today = localDayNumber(zone, now);
  const dayStart = (n: number) => localMidnight(zone, today + n);
  return [resolveScenarioTime(from, now, dayStart) / 1000, resolveScenarioTime(to, now, dayStart) / 1000];
}

Deno.test("a scenario of thunderstorms tomorrow afternoon is honoured exactly, and the rest of the timeline kept", () => {
  const { input, series, base } = withScenarios("Tokyo", [
    { from: "+1d12h", to: "+1d18h", set: { weather_code: 95, precipitation: 4 } },
  ]);
  const [start, end] = windowOf(input, "+1d12h", "+1d18h");
  let inside = 0;
  for (let i = 0; i < series.length; i++) {
    const t = series.time[i]!;
    if (t >= start && t < end) {
      inside++;
      assert.equal(series.weather_code[i], 95);
      assert.equal(series.precipitation[i], 4);
      assert.equal(series.showers[i], 4);
      assert.ok(series.precipitation_probability[i]! > 0 && series.cloud_cover[i]! >= 70);
    } else if (t < start - 12 * 3600 || t >= end + 12 * 3600) {
      for (const name of HOURLY_VARIABLES) assert.equal(series[name][i], base[name][i], name);
    }
  }
  assert.equal(inside, 6);
  checkSeries(input, series, "Tokyo with thunderstorms");
});

Deno.test("a heat wave of three days has exactly its daily maximum and minimum, and blends in smoothly", () => {
  for (const name of ["Madrid", "Kathmandu"]) {
    const { input, series } = withScenarios(name, [
      { from: "+7d", to: "+10d", set: { temperature_max: 41, temperature_min: 26 } },
    ]);
    const today = localDayNumber(input.city.timezone, NOW);
    const days = dailySeries(input, formatDay(today + 6), 5);
    assert.deepEqual([...days.temperature_max.subarray(1, 4)], [41, 41, 41], name);
    assert.deepEqual([...days.temperature_min.subarray(1, 4)], [26, 26, 26], name);
    assert.ok(
      days.temperature_max[0]! < 41 && days.temperature_max[4]! < 41,
      "the days around are not the heat wave",
    );
    checkSeries(input, series, `${name} in a heat wave`);
  }
});

Deno.test("a large temperature step ramps in and out without an hour-to-hour jump over 6 °C", () => {
  for (const ramp of [0, 2]) {
    const { input, series } = withScenarios("Singapore", [
      { from: "+2d", to: "+2d6h", ramp_hours: ramp, set: { temperature: -20 } },
      { from: "+4d", to: "+4d6h", ramp_hours: ramp, set: { weather_code: 71 } },
    ]);
    const [start, end] = windowOf(input, "+2d", "+2d6h");
    const [snowStart, snowEnd] = windowOf(input, "+4d", "+4d6h");
    for (let i = 0; i < series.length; i++) {
      const t = series.time[i]!;
      if (t >= start && t < end) assert.equal(series.temperature[i], -20);
      if (t >= snowStart && t < snowEnd) {
        assert.equal(series.weather_code[i], 71);
        assert.ok(series.snowfall[i]! > 0 && series.temperature[i]! <= 1.5);
      }
    }
    checkSeries(input, series, "Singapore in a cold snap");
  }
});

Deno.test("scenarios at absolute times set wind, gusts, pressure and a dry spell exactly", () => {
  const { input, series } = withScenarios("London", [
    {
      from: "2026-11-25T15:00:00+00:00",
      to: "2026-11-25T18:00:00+00:00",
      set: { wind_speed: 80, wind_gusts: 120 },
    },
    {
      from: "2026-11-26T00:00:00Z",
      to: "2026-11-27T00:00:00Z",
      set: { precipitation_probability: 0, pressure_msl: 1040 },
    },
  ]);
  for (let i = 0; i < series.length; i++) {
    const t = series.time[i]! * 1000;
    if (t >= Date.parse("2026-11-25T15:00:00Z") && t < Date.parse("2026-11-25T18:00:00Z")) {
      assert.deepEqual([series.wind_speed[i], series.wind_gusts[i]], [80, 120]);
    }
    if (t >= Date.parse("2026-11-26T00:00:00Z") && t < Date.parse("2026-11-27T00:00:00Z")) {
      assert.deepEqual(
        [series.precipitation[i], series.precipitation_probability[i], series.pressure_msl[i]],
        [0, 0, 1040],
      );
    }
  }
  checkSeries(input, series, "London with a gale");
});

Deno.test("random scenarios are honoured inside their windows and keep every consistency rule", () => {
  const value = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const arbitraryScenario = fc.record({
    day: fc.integer({ min: -90, max: 14 }),
    hour: fc.integer({ min: 0, max: 23 }),
    length: fc.integer({ min: 1, max: 30 }),
    ramp_hours: fc.constantFrom(0, 1, 2, 6),
    set: fc.record({
      temperature: value(fc.integer({ min: -40, max: 45 })),
      relative_humidity: value(fc.integer({ min: 5, max: 100 })),
      cloud_cover: value(fc.integer({ min: 0, max: 100 })),
      precipitation: value(fc.integer({ min: 0, max: 30 }).map((x) => x / 2)),
      weather_code: value(fc.constantFrom(...WMO_CODES.keys())),
      pressure_msl: value(fc.integer({ min: 960, max: 1050 })),
      wind_speed: value(fc.integer({ min: 0, max: 120 })),
      wind_direction: value(fc.integer({ min: 0, max: 359 })),
    }),
  }).map((r) => ({
    from: `${r.day < 0 ? "-" : "+"}${Math.abs(r.day)}d${r.hour}h`,
    to: `${r.day < 0 ? "-" : "+"}${Math.abs(r.day)}d${r.hour + r.length}h`,
    ramp_hours: r.ramp_hours,
    set: Object.fromEntries(Object.entries(r.set).filter(([, v]) => v !== undefined)),
  })).filter((s) => ScenarioSchema.safeParse(s).success);
  fc.assert(
    fc.property(fc.constantFrom(...file.cities), arbitraryScenario, arbitrarySeed, (city, scenario, seed) => {
      const input = { city: { ...city, scenarios: [ScenarioSchema.parse(scenario)] }, seed, now: NOW };
      const [start, end] = windowOf(input, scenario.from, scenario.to);
      const range = modelRange(input);
      const first = Math.ceil(Math.max(range.start, (start - 3 * 86400) * 1000) / HOUR) * HOUR;
      const last = Math.min(range.end - 1, (end + 3 * 86400) * 1000);
      const s = hourlySeries(input, first, Math.floor((last - first) / HOUR) + 1);
      checkSeries(input, s, `${city.name} with ${JSON.stringify(scenario)}`);
      const set = scenario.set as Record<string, number>;
      for (let i = 0; i < s.length; i++) {
        if (s.time[i]! < start || s.time[i]! >= end) continue;
        for (
          const key of [
            "temperature",
            "cloud_cover",
            "precipitation",
            "weather_code",
            "pressure_msl",
            "wind_speed",
          ]
        ) {
          if (set[key] !== undefined) assert.equal(s[key as "temperature"][i], set[key], key);
        }
        if (set.wind_direction !== undefined) assert.equal(s.wind_direction[i], set.wind_direction);
        if (set.relative_humidity !== undefined && set.relative_humidity < 99) {
          assert.ok(Math.abs(s.relative_humidity[i]! - set.relative_humidity) <= 1.5, "humidity");
        }
      }
    }),
    { numRuns: 60 },
  );
});

Deno.test("dailySeries() in another zone aggregates that zone's days, from the same hours", () => {
  for (const input of inputs.slice(0, 6)) {
    for (const zone of ["+00:00", "+05:00", "-10:00", "Asia/Tokyo"]) {
      const first = localDate(zone, NOW);
      const days = dailySeries(input, first, 3, zone);
      for (let d = 0; d < 3; d++) {
        const start = localMidnight(zone, days.date[d]!);
        const end = localMidnight(zone, addDays(days.date[d]!, 1));
        const hours = hourlySeries(input, start, Math.round((end - start) / HOUR));
        assert.equal(days.time[d], start / 1000);
        assert.equal(days.temperature_max[d], Math.max(...hours.temperature), `${zone} ${days.date[d]}`);
        assert.equal(days.temperature_min[d], Math.min(...hours.temperature), `${zone} ${days.date[d]}`);
        assert.equal(days.utc_offset_seconds[d], utcOffsetSeconds(zone, start));
      }
    }
  }
});
