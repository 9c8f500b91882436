import assert from "node:assert/strict";
import { compassPoint, formatCityList, formatForecast, formatHealth, formatWeather } from "../src/format.ts";
import type { Forecast } from "../src/weather_client.ts";
import { bundled, bundledHandler, getJson } from "./_helpers.ts";

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
    upstream: null,
  }, plain);
  assert.equal(text, "ok  3 cities  version abc  loaded 2026-01-01T00:00:00.000Z from weather.json");
});

Deno.test("formatHealth() adds a line for the upstream, with its last error", () => {
  const text = formatHealth({
    status: "ok",
    cities: 3,
    version: "abc",
    loaded_at: "2026-01-01T00:00:00.000Z",
    source: "weather.json",
    last_reload_error: null,
    controls: { delay_ms: null, fail_rate: null, seed: null, rate_limit: null },
    upstream: {
      url: "http://127.0.0.1:5001",
      state: "open",
      last_error: "HTTP 503",
      last_error_at: "2026-01-01T00:00:00.000Z",
      last_success_at: null,
      calls: 7,
      failures: 5,
      consecutive_failures: 5,
      in_flight: 0,
      paused_until: null,
      cache: { entries: 2, max_entries: 1000, hits: 3, misses: 1, hit_rate: 0.75 },
    },
  }, plain);
  assert.equal(
    text.split("\n")[1],
    "  upstream: http://127.0.0.1:5001 open, 7 calls, 75 % cache hits; last error: HTTP 503",
  );
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
    upstream: null,
  }, plain);
  assert.equal(
    text,
    "ok  3 cities  version abc  loaded 2026-01-01T00:00:00.000Z from weather.json\n" +
      "  mock controls: delay 10-20 ms, fail-rate 0.5, rate-limit 5/min\n" +
      '  last reload failed: Cannot read data file "weather.json": no such file',
  );
});

/** The forecast body the real handler answers for `path` with its clock frozen at `now`. */
async function forecastAt(now: string, path: string): Promise<Forecast> {
  const { status, body } = await getJson(bundledHandler({ frozenClock: Date.parse(now) }), path);
  assert.equal(status, 200, path);
  return body;
}

const tokyoForecast = await forecastAt("2026-11-23T12:00:00Z", "/weather/Tokyo/forecast?days=3&hours=0");

Deno.test("formatForecast() heads the table with the current conditions at local time", () => {
  const { current } = tokyoForecast;
  const [header] = formatForecast(tokyoForecast, plain).split("\n");
  assert.equal(header, `Tokyo, JP  Mon 23 Nov 21:00  ${current.condition}  ${current.temperature} °C`);
});

Deno.test("formatForecast() shows a row per day with its values and units from the body", () => {
  const lines = formatForecast(tokyoForecast, plain).split("\n");
  assert.equal(lines.length, 1 + 3, "a header and three days, no hours asked for");
  const labels = ["Mon 23 Nov", "Tue 24 Nov", "Wed 25 Nov"];
  for (const [d, day] of tokyoForecast.daily.entries()) {
    const row = lines[1 + d]!;
    assert.ok(row.startsWith(`${labels[d]}  ${day.condition} `), row);
    // Tokyo's temperatures have one decimal; the table writes 15 as 15.0 to line the column up.
    assert.ok(
      row.includes(`  ${day.temperature_min.toFixed(1)}/${day.temperature_max.toFixed(1)} °C  `),
      row,
    );
    assert.match(
      row,
      new RegExp(` ${day.precipitation_sum.toFixed(1)} mm +${day.precipitation_probability_max}%  `),
    );
    assert.ok(row.includes(` km/h ${compassPoint(day.wind_direction_dominant)}`), row);
    // The HH:MM written in the body, the city's clock, whatever this machine's zone.
    assert.ok(row.endsWith(`  ${day.sunrise!.slice(11, 16)} ${day.sunset!.slice(11, 16)}`), row);
  }
  assert.equal(tokyoForecast.daily[0]!.sunrise!.slice(11, 16), "06:24");
  assert.ok(lines[1]!.endsWith("  06:24 16:30"), lines[1]);
});

Deno.test("formatForecast() aligns the day rows' columns", () => {
  const rows = formatForecast(tokyoForecast, plain).split("\n").slice(1);
  for (const mark of [" °C", " mm", "%", " km/h"]) {
    const at = rows.map((row) => row.indexOf(mark));
    assert.ok(at.every((i) => i > 0 && i === at[0]), `${JSON.stringify(mark)} at ${at}`);
  }
});

Deno.test("formatForecast() says polar day or polar night when the sun neither rises nor sets", async () => {
  const december = await forecastAt(
    "2026-12-15T00:00:00Z",
    "/weather/McMurdo%20Station/forecast?days=2&hours=0",
  );
  assert.deepEqual(december.daily.map((day) => [day.sunrise, day.sunset, day.daylight_duration]), [
    [null, null, 86400],
    [null, null, 86400],
  ]);
  const rows = formatForecast(december, plain).split("\n").slice(1);
  assert.equal(rows.length, 2);
  assert.ok(rows.every((row) => row.endsWith("  — polar day")), rows.join("\n"));
  const june = await forecastAt("2026-06-15T00:00:00Z", "/weather/McMurdo%20Station/forecast?days=1&hours=0");
  assert.ok(formatForecast(june, plain).endsWith("  — polar night"));
});

Deno.test("formatForecast() marks a sunrise or sunset missing on an ordinary day with a dash", () => {
  const day = { ...tokyoForecast.daily[0]!, sunset: null };
  const text = formatForecast({ ...tokyoForecast, daily: [day] }, plain);
  assert.ok(text.endsWith(`  ${day.sunrise!.slice(11, 16)} —`), text);
});

Deno.test("formatForecast() adds a row per hour when the body has hours", async () => {
  const body = await forecastAt("2026-11-23T12:00:00Z", "/weather/Tokyo/forecast?days=1&hours=3");
  const lines = formatForecast(body, plain).split("\n");
  assert.equal(lines.length, 1 + 1 + 1 + 3, "header, a day, a blank line, three hours");
  assert.equal(lines[2], "");
  const times = ["Mon 21:00", "Mon 22:00", "Mon 23:00"];
  for (const [h, hour] of body.hourly.entries()) {
    const row = lines[3 + h]!;
    assert.ok(row.startsWith(`${times[h]}  ${hour.condition} `), row);
    assert.ok(row.includes(`  ${hour.temperature.toFixed(1)} °C  `), row);
    assert.ok(row.includes(` mm ${hour.precipitation_probability}%`), row);
    assert.ok(row.endsWith(` km/h ${compassPoint(hour.wind_direction)}`), row);
  }
});

Deno.test("formatForecast() fits 80 columns for every city in every unit system", async () => {
  const handler = bundledHandler({ frozenClock: Date.parse("2026-11-23T12:00:00Z") });
  for (const city of bundled.cities) {
    for (const units of ["metric", "imperial", "si"]) {
      const path = `/weather/${encodeURIComponent(city.name)}/forecast?days=16&hours=24&units=${units}`;
      const { body } = await getJson(handler, path);
      for (const line of formatForecast(body, plain).split("\n")) {
        assert.ok(line.length <= 80, `${city.name} ${units}: ${line}`);
      }
    }
  }
});

Deno.test("formatForecast() colors only when asked", () => {
  assert.ok(!formatForecast(tokyoForecast, plain).includes("\x1b["));
  const colored = formatForecast(tokyoForecast, { color: true });
  assert.ok(colored.startsWith("\x1b[1mTokyo\x1b[0m, JP"), colored);
  assert.ok(colored.includes(`\x1b[36m${tokyoForecast.daily[1]!.condition}\x1b[0m`), colored);
  // Colour codes do not count towards the columns: without them the text is the plain one.
  const stripped = ["\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[36m"].reduce(
    (text, code) => text.replaceAll(code, ""),
    colored,
  );
  assert.equal(stripped, formatForecast(tokyoForecast, plain));
});
