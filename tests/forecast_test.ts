import assert from "node:assert/strict";
import fc from "fast-check";
import { createHandler } from "../src/handler.ts";
import { forecastBody } from "../src/forecast.ts";
import { ForecastSchema } from "../src/schema.ts";
import { convertMeasure } from "../src/units.ts";
import { WMO_CODES } from "../src/wmo.ts";
import { bundled, DATA_PATH, datasetOf, getJson } from "./_helpers.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const frozen = (options: Parameters<typeof createHandler>[1] = {}) =>
  createHandler({ current: bundled }, { frozenClock: NOW, ...options });
const handler = frozen();
const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;
const file = JSON.parse(await Deno.readTextFile(DATA_PATH));

async function bytesOf(h: ReturnType<typeof createHandler>, path: string, init?: RequestInit) {
  const response = await h(new Request(new URL(path, "http://localhost"), init));
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

Deno.test("GET /weather/{city}/forecast answers the city's current, 48 hours and 7 days in the schema's shape", async () => {
  const { status, headers, body } = await getJson(handler, "/weather/Tokyo/forecast");
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
  ForecastSchema.strict().parse(body);
  assert.equal(body.name, "Tokyo");
  assert.equal(body.elevation, 40);
  assert.equal(body.utc_offset_seconds, 32400);
  assert.equal(body.hourly.length, 48);
  assert.equal(body.daily.length, 7);
  // 12:00 UTC is 21:00 in Tokyo: the hours start at the clock's local hour, the days at its date.
  assert.equal(body.current.time, "2026-11-23T21:00:00+09:00");
  assert.equal(body.hourly[0].time, "2026-11-23T21:00:00+09:00");
  assert.equal(body.hourly[47].time, "2026-11-25T20:00:00+09:00");
  assert.deepEqual(body.daily.map((d: { date: string }) => d.date), [
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-11-26",
    "2026-11-27",
    "2026-11-28",
    "2026-11-29",
  ]);
  for (const day of body.daily) {
    assert.match(day.sunrise, /^2026-11-\d\dT06:\d\d:\d\d\+09:00$/);
    assert.match(day.sunset, /^2026-11-\d\dT16:\d\d:\d\d\+09:00$/);
  }
  assert.deepEqual(
    [body.units.temperature, body.units.precipitation, body.units.snowfall, body.units.wind_speed],
    ["°C", "mm", "cm", "km/h"],
  );
});

Deno.test("a forecast's current conditions are the data file's current at the clock's slot, for every city", async () => {
  for (const c of bundled.cities) {
    const { body } = await getJson(handler, `/weather/${encodeURIComponent(c.name)}/forecast?hours=1&days=1`);
    const current = body.current;
    assert.equal(current.temperature, c.current.temperature, c.name);
    assert.equal(current.apparent_temperature, c.current.feels_like, c.name);
    assert.equal(current.relative_humidity, c.current.humidity, c.name);
    assert.equal(current.wind_speed, c.current.wind_speed, c.name);
    assert.equal(current.wind_direction, c.current.wind_direction % 360, c.name);
    assert.equal(current.pressure_msl, c.current.pressure, c.name);
    assert.equal(current.weather_code, c.current.weather_code, c.name);
    assert.equal(current.condition, WMO_CODES.get(c.current.weather_code), c.name);
    assert.ok(current.dew_point <= current.temperature, c.name);
    assert.ok(current.wind_gusts >= current.wind_speed, c.name);
  }
});

Deno.test("/get_forecast?city= answers what /weather/{city}/forecast does, byte for byte", async () => {
  for (
    const [query, path] of [
      ["city=tokyo", "/weather/Tokyo/forecast"],
      ["city=Bombay&days=3&hours=5&units=IMPERIAL", "/weather/Mumbai/forecast?days=3&hours=5&units=imperial"],
      ["city=S%C3%A3o%20Paulo&past_days=2&units=si", "/weather/sao%20paulo/forecast?past_days=2&units=si"],
    ]
  ) {
    const a = await bytesOf(handler, `/get_forecast?${query}`);
    const b = await bytesOf(handler, path!);
    assert.equal(a.response.status, 200, query);
    assert.deepEqual(a.bytes, b.bytes, query);
    assert.equal(a.response.headers.get("etag"), b.response.headers.get("etag"));
  }
});

Deno.test("the same data, seed and clock give the same bytes; another seed or slot other weather", async () => {
  const again = createHandler({ current: await datasetOf(file) }, { frozenClock: NOW });
  const path = "/weather/Berlin/forecast?days=16&hours=384";
  const a = await bytesOf(handler, path), b = await bytesOf(again, path);
  assert.deepEqual(a.bytes, b.bytes);
  const seeded = await bytesOf(frozen({ controls: { seed: 7 } }), path);
  assert.notDeepEqual(seeded.bytes, a.bytes);
  const seededAgain = await bytesOf(
    createHandler({ current: bundled }, { frozenClock: NOW, controls: { seed: 7 } }),
    path,
  );
  assert.deepEqual(seededAgain.bytes, seeded.bytes);
  // Within the clock's 15-minute slot the answer is the same; the next slot moves it on.
  const sameSlot = await bytesOf(
    createHandler({ current: bundled }, { frozenClock: NOW + 14 * 60_000 }),
    path,
  );
  assert.deepEqual(sameSlot.bytes, a.bytes);
  const next = await getJson(createHandler({ current: bundled }, { frozenClock: NOW + 15 * 60_000 }), path);
  assert.equal(next.body.current.time, "2026-11-23T13:15:00+01:00");
  const first = JSON.parse(new TextDecoder().decode(a.bytes));
  assert.equal(first.current.time, "2026-11-23T13:00:00+01:00");
  assert.equal(next.body.hourly[0].time, first.hourly[0].time);
});

Deno.test("without --now the forecast follows the handler's clock", async () => {
  let now = NOW;
  const real = createHandler({ current: bundled }, { now: () => now });
  const a = await getJson(real, "/weather/Tokyo/forecast?hours=1");
  now += 86_400_000;
  const b = await getJson(real, "/weather/Tokyo/forecast?hours=1");
  assert.equal(a.body.daily[0].date, "2026-11-23");
  assert.equal(b.body.daily[0].date, "2026-11-24");
  const health = await getJson(real, "/healthz");
  assert.deepEqual(health.body.model, { seed: 0, clock: "real", now: new Date(now).toISOString() });
  const pinned = await getJson(frozen({ controls: { seed: 42 } }), "/healthz");
  assert.deepEqual(pinned.body.model, { seed: 42, clock: "frozen", now: "2026-11-23T12:00:00.000Z" });
});

Deno.test("a forecast in imperial or SI units is the metric one converted, with its units block", async () => {
  const metric = (await getJson(handler, "/weather/Chicago/forecast?days=3&hours=6")).body;
  for (const units of ["imperial", "si"] as const) {
    const { body } = await getJson(handler, `/weather/Chicago/forecast?days=3&hours=6&units=${units}`);
    for (const [i, hour] of body.hourly.entries()) {
      for (
        const field of ["temperature", "dew_point", "precipitation", "snowfall", "visibility", "wind_gusts"]
      ) {
        const measure = field === "dew_point" ? "temperature" : field === "wind_gusts" ? "speed" : field;
        const kind = measure === "visibility" ? "distance" : measure;
        assert.equal(
          hour[field],
          convertMeasure(kind as never, metric.hourly[i][field], units),
          `${units} ${field}`,
        );
      }
      assert.equal(hour.pressure_msl, convertMeasure("pressure", metric.hourly[i].pressure_msl, units));
      assert.equal(hour.relative_humidity, metric.hourly[i].relative_humidity);
    }
    assert.equal(
      body.daily[1].temperature_max,
      convertMeasure("temperature", metric.daily[1].temperature_max, units),
    );
  }
  const imperial = (await getJson(handler, "/weather/Chicago/forecast?units=imperial")).body.units;
  assert.deepEqual(
    [
      imperial.temperature,
      imperial.precipitation,
      imperial.visibility,
      imperial.wind_speed,
      imperial.pressure_msl,
    ],
    ["°F", "inch", "mi", "mph", "inHg"],
  );
});

Deno.test("past_days adds that many days before the days and 24 hours each before the hours", async () => {
  const { body } = await getJson(handler, "/weather/Madrid/forecast?past_days=2&days=3&hours=4");
  assert.equal(body.hourly.length, 2 * 24 + 4);
  assert.equal(body.hourly[0].time, "2026-11-21T13:00:00+01:00");
  assert.equal(body.hourly[48].time, "2026-11-23T13:00:00+01:00");
  assert.deepEqual(body.daily.map((d: { date: string }) => d.date), [
    "2026-11-21",
    "2026-11-22",
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
  ]);
  const none = await getJson(handler, "/weather/Madrid/forecast?hours=0&days=1");
  assert.deepEqual(none.body.hourly, []);
  assert.equal(none.body.daily.length, 1);
});

Deno.test("every city answers the widest window at any clock, and days agree with their hours", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...bundled.cities),
      fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) }),
      (c, now) => {
        const body = forecastBody(c, 0, now, { days: 16, hours: 384, pastDays: 1, units: "metric" });
        assert.equal(body.hourly.length, 24 + 384);
        assert.equal(body.daily.length, 17);
        for (const day of body.daily) {
          const hours = body.hourly.filter((h) => h.time.startsWith(day.date));
          // Days that the hours cover whole have exactly their hours' extremes and sums.
          const whole = hours[0]?.time.startsWith(`${day.date}T00:00`) &&
            body.hourly.at(-1)!.time.slice(0, 10) > day.date;
          if (!whole) continue;
          assert.equal(day.temperature_max, Math.max(...hours.map((h) => h.temperature)), day.date);
          assert.equal(day.temperature_min, Math.min(...hours.map((h) => h.temperature)), day.date);
          assert.equal(day.precipitation_hours, hours.filter((h) => h.precipitation > 0).length, day.date);
          assert.equal(day.weather_code, Math.max(...hours.map((h) => h.weather_code)), day.date);
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("hours across a daylight-saving change carry each hour's own offset", async () => {
  // Berlin springs forward at 02:00 on 29 March 2026; Sydney falls back at 03:00 on 5 April 2026.
  const berlin = createHandler({ current: bundled }, { frozenClock: Date.parse("2026-03-28T22:30:00Z") });
  const b = (await getJson(berlin, "/weather/Berlin/forecast?hours=4&days=2")).body;
  assert.deepEqual(b.hourly.map((h: { time: string }) => h.time), [
    "2026-03-28T23:00:00+01:00",
    "2026-03-29T00:00:00+01:00",
    "2026-03-29T01:00:00+01:00",
    "2026-03-29T03:00:00+02:00",
  ]);
  const sydney = createHandler({ current: bundled }, { frozenClock: Date.parse("2026-04-04T14:00:00Z") });
  const s = (await getJson(sydney, "/weather/Sydney/forecast?hours=4&days=2")).body;
  assert.deepEqual(s.hourly.map((h: { time: string }) => h.time), [
    "2026-04-05T01:00:00+11:00",
    "2026-04-05T02:00:00+11:00",
    "2026-04-05T02:00:00+10:00",
    "2026-04-05T03:00:00+10:00",
  ]);
  assert.match(s.daily[0].sunrise, /^2026-04-05T06:\d\d:\d\d\+10:00$/);
});

Deno.test("a day without sunset or sunrise shows null, with the daylight it has", async () => {
  const { body } = await getJson(handler, "/weather/McMurdo%20Station/forecast?days=3");
  for (const day of body.daily) {
    assert.equal(day.sunrise, null);
    assert.equal(day.sunset, null);
    assert.equal(day.daylight_duration, 86400);
  }
  assert.ok(body.hourly.every((h: { is_day: boolean }) => h.is_day));
});

Deno.test("forecast routes reject bad windows with a 400 naming the allowed range", async () => {
  const cases: [string, string, string][] = [
    ["days=0", "bad_parameter", 'Invalid days "0": expected a whole number from 1 to 16'],
    ["days=17", "bad_parameter", 'Invalid days "17": expected a whole number from 1 to 16'],
    ["hours=385", "bad_parameter", 'Invalid hours "385": expected a whole number from 0 to 384'],
    ["hours=1.5", "bad_parameter", 'Invalid hours "1.5": expected a whole number from 0 to 384'],
    ["hours=-1", "bad_parameter", 'Invalid hours "-1": expected a whole number from 0 to 384'],
    ["past_days=93", "bad_parameter", 'Invalid past_days "93": expected a whole number from 0 to 92'],
    ["days=", "bad_parameter", 'Invalid days "": expected a whole number from 1 to 16'],
    ["days=%207", "bad_parameter", 'Invalid days " 7": expected a whole number from 1 to 16'],
    ["days=2&days=3", "bad_request", 'Give one "days" parameter, not several'],
    ["units=kelvin", "bad_units", 'Unknown units "kelvin": expected "metric", "imperial", "si"'],
  ];
  for (const [query, code, detail] of cases) {
    for (const path of [`/weather/Tokyo/forecast?${query}`, `/get_forecast?city=Tokyo&${query}`]) {
      const { status, headers, body } = await getJson(handler, path);
      assert.equal(status, 400, path);
      assert.equal(headers.get("content-type"), "application/problem+json; charset=utf-8");
      assert.equal(body.code, code, path);
      assert.equal(body.detail, detail, path);
    }
  }
  const { body } = await getJson(handler, "/weather/Tokyo/forecast?days=99");
  assert.deepEqual([body.parameter, body.allowed], ["days", { minimum: 1, maximum: 16 }]);
  // Parameters the route does not know are ignored, as on every route.
  assert.equal((await getJson(handler, "/weather/Tokyo/forecast?city=Paris&lang=de")).status, 200);
});

Deno.test("forecast routes answer unknown, missing and overlong cities as the weather routes do", async () => {
  const atlantis = await getJson(handler, "/weather/Tokio/forecast");
  assert.equal(atlantis.status, 404);
  assert.equal(atlantis.body.code, "city_not_found");
  assert.deepEqual(atlantis.body.suggestions, ["Tokyo"]);
  assert.equal((await getJson(handler, "/get_forecast")).body.code, "missing_city");
  assert.equal((await getJson(handler, "/get_forecast?city=%20")).body.code, "missing_city");
  assert.equal((await getJson(handler, `/weather/${"x".repeat(201)}/forecast`)).status, 414);
  assert.equal((await getJson(handler, "/weather/%E0%A4/forecast")).body.code, "bad_request");
  assert.equal((await getJson(handler, "/weather/Tokyo/forecast/")).status, 200);
  assert.equal((await getJson(handler, "/weather/Tokyo/forecast/x")).body.code, "not_found");
  assert.equal((await getJson(handler, "/weather//forecast")).body.code, "not_found");
  // "cities" is a city name here, which no city has.
  assert.equal((await getJson(handler, "/weather/cities/forecast")).body.code, "city_not_found");
});

Deno.test("forecast answers revalidate, compress, and carry CORS and the mock controls", async () => {
  const cors = frozen({ cors: { kind: "any" } });
  const first = await bytesOf(cors, "/weather/Tokyo/forecast", {
    headers: { origin: "https://app.example" },
  });
  const etag = first.response.headers.get("etag")!;
  assert.match(etag, /^"[0-9a-z]+"$/);
  assert.equal(first.response.headers.get("access-control-allow-origin"), "*");
  assert.equal(first.response.headers.get("cache-control"), "max-age=10");
  assert.equal(
    first.response.headers.get("last-modified"),
    new Date(Math.max(NOW, bundled.loadedAt.getTime())).toUTCString(),
  );
  const again = await bytesOf(cors, "/weather/Tokyo/forecast", { headers: { "if-none-match": etag } });
  assert.equal(again.response.status, 304);
  assert.equal(again.bytes.length, 0);
  const br = await bytesOf(cors, "/weather/Tokyo/forecast", { headers: { "accept-encoding": "br" } });
  assert.equal(br.response.headers.get("content-encoding"), "br");
  assert.ok(br.bytes.length < first.bytes.length / 4, `${br.bytes.length} of ${first.bytes.length}`);
  const head = await bytesOf(cors, "/weather/Tokyo/forecast", { method: "HEAD" });
  assert.equal(head.bytes.length, 0);
  assert.equal(head.response.headers.get("content-length"), String(first.bytes.length));
  const down = await getJson(handler, "/weather/Tokyo/forecast", { headers: { prefer: "code=503" } });
  assert.equal(down.status, 503);
  const failing = frozen({ controls: { failRate: 1, seed: 1 } });
  assert.equal((await getJson(failing, "/get_forecast?city=Tokyo")).status, 503);
});

Deno.test("forecasts follow a data reload", async () => {
  const source = { current: bundled };
  const h = createHandler(source, { frozenClock: NOW });
  assert.equal((await getJson(h, "/weather/Tokyo/forecast")).body.current.temperature, 14.2);
  const warmer = structuredClone(file);
  warmer.cities[0].current.temperature = 20.5;
  warmer.cities[0].current.feels_like = 20.5;
  source.current = await datasetOf(warmer);
  assert.equal((await getJson(h, "/weather/Tokyo/forecast")).body.current.temperature, 20.5);
});

Deno.test("a scenario in the data file shows in the forecast at its local times", async () => {
  const stormy = structuredClone(file);
  stormy.cities[0].scenarios = [{
    from: "+1d12h",
    to: "+1d18h",
    set: { weather_code: 95, precipitation: 6, precipitation_probability: 90 },
  }];
  const h = createHandler({ current: await datasetOf(stormy) }, { frozenClock: NOW });
  const { body } = await getJson(h, "/weather/Tokyo/forecast?hours=48");
  const tomorrow = body.hourly.filter((hour: { time: string }) => hour.time.startsWith("2026-11-24T"));
  for (const hour of tomorrow) {
    const inside = hour.time >= "2026-11-24T12" && hour.time < "2026-11-24T18";
    if (!inside) continue;
    assert.equal(hour.weather_code, 95, hour.time);
    assert.equal(hour.precipitation, 6, hour.time);
    assert.ok(hour.showers > 0, hour.time);
    assert.equal(hour.condition, "Thunderstorm", hour.time);
  }
  assert.equal(body.daily[1].weather_code, 95);
  // The file's current still anchors the clock's slot.
  assert.equal(body.current.temperature, city("Tokyo").current.temperature);
});
