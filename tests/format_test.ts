import assert from "node:assert/strict";
import { compassPoint, formatCityList, formatHealth, formatWeather } from "../src/format.ts";
import { bundledHandler, getJson } from "./_helpers.ts";

const plain = { color: false };
const tokyo = (await getJson(bundledHandler(), "/weather/Tokyo")).body;

Deno.test("compassPoint() names the 16 points and wraps around", () => {
  assert.equal(compassPoint(0), "N");
  assert.equal(compassPoint(359), "N");
  assert.equal(compassPoint(360), "N");
  assert.equal(compassPoint(90), "E");
  assert.equal(compassPoint(202.5), "SSW");
  assert.equal(compassPoint(-45), "NW");
});

Deno.test("formatCityList() aligns names in columns under a count", () => {
  const text = formatCityList(["Tokyo", "São Paulo", "Lima"], plain, 30);
  assert.equal(text, "3 cities\n  Tokyo      São Paulo\n  Lima");
  assert.equal(formatCityList([], plain), "0 cities");
});

Deno.test("formatWeather() shows every field with its unit", () => {
  const text = formatWeather(tokyo, plain);
  const { current } = tokyo;
  assert.ok(text.startsWith("Tokyo, JP  35.68°N 139.65°E  Asia/Tokyo\n"), text);
  assert.ok(text.includes(`  Condition    ${current.condition} (WMO ${current.weather_code})`));
  assert.ok(text.includes(`  Temperature  ${current.temperature} °C, feels like ${current.feels_like} °C`));
  assert.ok(text.includes(`  Humidity     ${current.humidity}%`));
  assert.ok(
    text.includes(`  Wind         ${current.wind_speed} km/h from ${compassPoint(current.wind_direction)}`),
  );
  assert.ok(text.includes(`  Pressure     ${current.pressure} hPa`));
  assert.match(text, / {2}Observed {5}\d{4}-\d\d-\d\d \d\d:\d\d \+09:00$/);
  assert.ok(!text.includes("\x1b["));
});

Deno.test("formatWeather() colors only when asked", () => {
  assert.ok(formatWeather(tokyo, { color: true }).includes("\x1b[1mTokyo\x1b[0m"));
});

Deno.test("formatWeather() lists a foreign body field by field", () => {
  assert.equal(
    formatWeather({ city: "Tokyo", temperature: 22 }, plain),
    "  city         Tokyo\n  temperature  22",
  );
  assert.equal(formatWeather("sunny", plain), '"sunny"');
});

Deno.test("formatHealth() fits on one line", () => {
  const text = formatHealth({
    status: "ok",
    cities: 3,
    version: "abc",
    loaded_at: "2026-01-01T00:00:00.000Z",
    source: "weather.json",
    controls: { delay_ms: null, fail_rate: null, seed: null, rate_limit: null },
    last_reload_error: null,
  }, plain);
  assert.equal(text, "ok  3 cities  version abc  loaded 2026-01-01T00:00:00.000Z from weather.json");
});

Deno.test("formatHealth() adds a line for a failed reload", () => {
  const text = formatHealth({
    status: "ok",
    cities: 3,
    version: "abc",
    loaded_at: "2026-01-01T00:00:00.000Z",
    source: "weather.json",
    last_reload_error: 'Cannot read data file "weather.json": no such file',
    controls: { delay_ms: [10, 20], fail_rate: 0.5, seed: null, rate_limit: { limit: 5, window_s: 60 } },
  }, plain);
  assert.equal(
    text,
    "ok  3 cities  version abc  loaded 2026-01-01T00:00:00.000Z from weather.json\n" +
      "  mock controls: delay 10-20 ms, fail-rate 0.5, rate-limit 5/min\n" +
      '  last reload failed: Cannot read data file "weather.json": no such file',
  );
});
