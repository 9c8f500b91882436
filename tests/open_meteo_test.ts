// Open-Meteo's /v1/forecast: the JSON as Open-Meteo writes it, its errors, and the official SDK
// (npm `openmeteo`, unmodified) decoding our FlatBuffers from a real socket.
import assert from "node:assert/strict";
import fc from "fast-check";
import { fetchWeatherApi } from "openmeteo";
import { createHandler } from "../src/handler.ts";
import { bundled, DATA_PATH, datasetOf, getJson } from "./_helpers.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const handler = createHandler({ current: bundled }, { frozenClock: NOW });
const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;

async function text(path: string, init?: RequestInit, h = handler) {
  const response = await h(new Request(new URL(path, "http://localhost"), init));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const at = (name: string) => `latitude=${city(name).latitude}&longitude=${city(name).longitude}`;
const CURRENT =
  "temperature_2m,relative_humidity_2m,apparent_temperature,wind_speed_10m,wind_direction_10m,weather_code";
const HOURLY =
  "temperature_2m,precipitation,precipitation_probability,weather_code,wind_speed_10m,visibility";
const DAILY = "weather_code,temperature_2m_max,temperature_2m_min,sunrise,sunset,precipitation_sum";

Deno.test("/v1/forecast writes Open-Meteo's JSON: its keys in its order, local times, per-unit decimals", async () => {
  const { status, headers, text: body } = await text(
    `/v1/forecast?${at("Berlin")}&current=${CURRENT}&hourly=${HOURLY}&daily=${DAILY}&timezone=auto`,
  );
  assert.equal(status, 200);
  assert.equal(headers.get("content-type"), "application/json; charset=utf-8");
  const json = JSON.parse(body);
  assert.deepEqual(Object.keys(json), [
    "latitude",
    "longitude",
    "generationtime_ms",
    "utc_offset_seconds",
    "timezone",
    "timezone_abbreviation",
    "elevation",
    "current_units",
    "current",
    "hourly_units",
    "hourly",
    "daily_units",
    "daily",
  ]);
  // Berlin's coordinates snap to the 0.02° grid Open-Meteo uses there, printed as float32.
  assert.match(
    body,
    /^\{"latitude":52\.52,"longitude":13\.4\d*,"generationtime_ms":0\.\d+,"utc_offset_seconds":3600,"timezone":"Europe\/Berlin","timezone_abbreviation":"GMT\+1","elevation":34\.0,/,
  );
  assert.deepEqual(json.current_units, {
    time: "iso8601",
    interval: "seconds",
    temperature_2m: "°C",
    relative_humidity_2m: "%",
    apparent_temperature: "°C",
    wind_speed_10m: "km/h",
    wind_direction_10m: "°",
    weather_code: "wmo code",
  });
  assert.equal(json.current.time, "2026-11-23T13:00");
  assert.equal(json.current.interval, 900);
  assert.equal(json.hourly.time.length, 7 * 24);
  assert.equal(json.hourly.time[0], "2026-11-23T00:00");
  assert.equal(json.hourly.time[1], "2026-11-23T01:00");
  assert.deepEqual(json.daily.time.slice(0, 2), ["2026-11-23", "2026-11-24"]);
  assert.match(json.daily.sunrise[0], /^2026-11-23T07:\d\d$/);
  assert.deepEqual(json.daily_units.sunrise, "iso8601");
  // Decimals follow the unit: mm to 2, °C and km/h to 1, % to 0.
  assert.match(body, /"precipitation":\[\d+\.\d\d,/);
  assert.match(body, /"temperature_2m":\[-?\d+\.\d,/);
  assert.match(body, /"precipitation_probability":\[\d+,/);
});

Deno.test("/v1/forecast at a data city's coordinates answers its weather, as the project's own routes do", async () => {
  for (const c of bundled.cities) {
    const om = JSON.parse(
      (await text(
        `/v1/forecast?latitude=${c.latitude}&longitude=${c.longitude}&current=temperature_2m,relative_humidity_2m,wind_speed_10m,wind_direction_10m,weather_code&timezone=auto`,
      )).text,
    );
    const ours =
      (await getJson(handler, `/weather/${encodeURIComponent(c.name)}/forecast?hours=0&days=1`)).body;
    assert.equal(om.current.temperature_2m, ours.current.temperature, c.name);
    assert.equal(om.current.relative_humidity_2m, ours.current.relative_humidity, c.name);
    assert.equal(om.current.wind_speed_10m, ours.current.wind_speed, c.name);
    assert.equal(om.current.wind_direction_10m, ours.current.wind_direction, c.name);
    assert.equal(om.current.weather_code, c.current.weather_code, c.name);
    assert.equal(om.timezone, c.timezone, c.name);
  }
});

Deno.test("/v1/forecast converts units as Open-Meteo does, with its unit names", async () => {
  const base = `/v1/forecast?${
    at("Chicago")
  }&hourly=temperature_2m,wind_speed_10m,precipitation,snowfall,visibility&forecast_days=1`;
  const metric = JSON.parse((await text(base)).text);
  const cases: [string, Record<string, string>, (name: string, v: number) => number][] = [
    [
      "&temperature_unit=fahrenheit",
      { temperature_2m: "°F" },
      (n, v) => n === "temperature_2m" ? v * 9 / 5 + 32 : v,
    ],
    [
      "&wind_speed_unit=mph",
      { wind_speed_10m: "mp/h" },
      (n, v) => n === "wind_speed_10m" ? v / 3.6 * 2.237 : v,
    ],
    [
      "&windspeed_unit=kn",
      { wind_speed_10m: "kn" },
      (n, v) => n === "wind_speed_10m" ? v / 3.6 * 1.94384 : v,
    ],
    ["&wind_speed_unit=ms", { wind_speed_10m: "m/s" }, (n, v) => n === "wind_speed_10m" ? v / 3.6 : v],
    [
      "&precipitation_unit=inch",
      { precipitation: "inch", snowfall: "inch", visibility: "ft" },
      (n, v) =>
        n === "precipitation"
          ? v / 25.4
          : n === "snowfall"
          ? v / 2.54
          : n === "visibility"
          ? v * 3.280839895
          : v,
    ],
  ];
  for (const [query, units, expected] of cases) {
    const json = JSON.parse((await text(base + query)).text);
    for (const [name, unit] of Object.entries(units)) assert.equal(json.hourly_units[name], unit, query);
    for (const name of ["temperature_2m", "wind_speed_10m", "precipitation", "snowfall", "visibility"]) {
      const decimals = {
        "°C": 1,
        "°F": 1,
        "km/h": 1,
        "mp/h": 1,
        kn: 1,
        "m/s": 2,
        mm: 2,
        cm: 2,
        inch: 3,
        ft: 3,
        m: 2,
      }[
        json.hourly_units[name] as string
      ]!;
      json.hourly[name].forEach((value: number, i: number) => {
        const want = expected(name, metric.hourly[name][i]);
        assert.ok(
          Math.abs(value - want) <= 0.5 * 10 ** -decimals + 1e-9,
          `${query} ${name}[${i}]: ${value} vs ${want}`,
        );
      });
    }
  }
});

Deno.test("/v1/forecast without a timezone answers in GMT, with unixtime on request", async () => {
  const json = JSON.parse(
    (await text(
      `/v1/forecast?${
        at("Tokyo")
      }&daily=temperature_2m_max&hourly=temperature_2m&forecast_days=2&timeformat=unixtime`,
    )).text,
  );
  assert.equal(json.timezone, "GMT");
  assert.equal(json.timezone_abbreviation, "GMT");
  assert.equal(json.utc_offset_seconds, 0);
  assert.equal(json.hourly_units.time, "unixtime");
  assert.equal(json.hourly.time[0], Date.UTC(2026, 10, 23) / 1000);
  assert.deepEqual(json.daily.time, [Date.UTC(2026, 10, 23) / 1000, Date.UTC(2026, 10, 24) / 1000]);
});

Deno.test("/v1/forecast answers several locations as an array, each after the first with its location_id", async () => {
  const json = JSON.parse(
    (await text(
      `/v1/forecast?latitude=35.6762,48.8566,10.5&longitude=139.6503,2.3522,-30&current=temperature_2m`,
    )).text,
  );
  assert.ok(Array.isArray(json));
  assert.equal(json.length, 3);
  assert.equal("location_id" in json[0], false);
  assert.deepEqual([json[1].location_id, json[2].location_id], [1, 2]);
  assert.equal(json[0].current.temperature_2m, city("Tokyo").current.temperature);
  // Repeated keys and an encoded comma are lists too.
  const repeated = JSON.parse(
    (await text(
      `/v1/forecast?latitude=35.6762&latitude=48.8566&longitude=139.6503%2C2.3522&current=temperature_2m`,
    )).text,
  );
  assert.deepEqual(
    repeated.map((l: { current: unknown }) => l.current),
    json.slice(0, 2).map((l: { current: unknown }) => l.current),
  );
});

Deno.test("/v1/forecast rejects bad parameters with Open-Meteo's status, shape and words", async () => {
  const cases: [string, string][] = [
    ["latitude=91&longitude=0", "Latitude must be in range of -90 to 90°. Given: 91.0."],
    ["latitude=0&longitude=-181.5", "Longitude must be in range of -180 to 180°. Given: -181.5."],
    [
      "latitude=1,2&longitude=3",
      "Parameter 'latitude' and 'longitude' must have the same number of elements",
    ],
    [
      "latitude=abc&longitude=3",
      "Data corrupted at path ''. Cannot initialize Float from invalid String value abc.",
    ],
    [
      "latitude=1&longitude=2&hourly=temperature_2m,not_a_variable",
      "Data corrupted at path ''. Cannot initialize SurfacePressureAndHeightVariable<VariableAndPreviousDay, VariableOrSpread<ForecastPressureVariable>, ForecastHeightVariable> from invalid String value not_a_variable.",
    ],
    [
      "latitude=1&longitude=2&hourly=temperature_2m%2Cnot_a_variable",
      "Data corrupted at path ''. Cannot initialize SurfacePressureAndHeightVariable<VariableAndPreviousDay, VariableOrSpread<ForecastPressureVariable>, ForecastHeightVariable> from invalid String value temperature_2m,not_a_variable.",
    ],
    [
      "latitude=1&longitude=2&daily=rain_total",
      "Data corrupted at path ''. Cannot initialize ForecastVariableDaily from invalid String value rain_total.",
    ],
    [
      "latitude=1&longitude=2&models=nope",
      "Data corrupted at path ''. Cannot initialize MultiDomains from invalid String value nope.",
    ],
    [
      "latitude=1&longitude=2&temperature_unit=kelvin",
      "Data corrupted at path 'temperature_unit'. Cannot initialize TemperatureUnit from invalid String value kelvin.",
    ],
    ["latitude=1&longitude=2&forecast_days=17", "Forecast days is invalid. Allowed range 0 to 16. Given 16."],
    ["latitude=1&longitude=2&past_days=94", "Past days is invalid. Allowed range 0 to 93. Given 94."],
    [
      "latitude=1&longitude=2&forecast_days=x",
      "Value was not of type 'Int' at path 'forecast_days'. Data found at 'forecast_days' was not Int.",
    ],
    ["latitude=1&longitude=2&timezone=Mars/Olympus", "Invalid timezone"],
    [
      "latitude=1&longitude=2&start_date=2026-11-24&end_date=2026-11-25&forecast_days=3",
      "Parameter 'forecast_days' is mutually exclusive with 'start_date' and 'end_date'",
    ],
    [
      "latitude=1&longitude=2&start_date=2026-11-2&end_date=2026-11-25",
      "Invalid date format. Make sure to use 'YYYY-MM-DD'",
    ],
    [
      "latitude=1&longitude=2&start_date=2026-11-25&end_date=2026-11-24",
      "End-date must be larger or equals than start-date",
    ],
    [
      "latitude=1&longitude=2&start_date=2026-01-01&end_date=2026-01-02",
      "Parameter 'start_date' is out of allowed range from 2026-08-22 to 2026-12-08",
    ],
  ];
  for (const [query, reason] of cases) {
    const { status, headers, text: body } = await text(`/v1/forecast?${query}`);
    assert.equal(status, 400, query);
    assert.equal(headers.get("content-type"), "application/json; charset=utf-8", query);
    assert.deepEqual(JSON.parse(body), { error: true, reason }, query);
  }
  const soil = JSON.parse(
    (await text("/v1/forecast?latitude=1&longitude=2&hourly=soil_temperature_0cm")).text,
  );
  assert.match(soil.reason, /^Variable 'soil_temperature_0cm' is not available on this local server/);
  const model = JSON.parse((await text("/v1/forecast?latitude=1&longitude=2&models=gfs_seamless")).text);
  assert.match(model.reason, /^Model 'gfs_seamless' is not available on this local server/);
});

Deno.test("/v1/forecast answers the mock controls in Open-Meteo's shape and statuses", async () => {
  for (
    const [code, reason] of [
      [429, "Minutely API request limit exceeded. Please try again in one minute."],
      [503, "The service is overloaded"],
      [404, "Not Found"],
    ] as const
  ) {
    const { status, text: body } = await text(`/v1/forecast?${at("Tokyo")}`, {
      headers: { prefer: `code=${code}` },
    });
    assert.equal(status, code);
    assert.deepEqual(JSON.parse(body), { error: true, reason });
  }
  const limited = createHandler({ current: bundled }, {
    frozenClock: NOW,
    controls: { rateLimit: { limit: 1, windowMs: 60_000 } },
  });
  assert.equal((await text(`/v1/forecast?${at("Tokyo")}`, undefined, limited)).status, 200);
  const second = await text(`/v1/forecast?${at("Tokyo")}`, undefined, limited);
  assert.equal(second.status, 429);
  assert.equal(
    JSON.parse(second.text).reason,
    "Minutely API request limit exceeded. Please try again in one minute.",
  );
});

Deno.test("/v1/forecast takes POST with a form or a JSON body, answering as the GET does", async () => {
  const query = `${at("Lima")}&hourly=temperature_2m,rain&daily=sunrise&timezone=America%2FLima`;
  const get = await text(`/v1/forecast?${query}`);
  const form = await text("/v1/forecast", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: query,
  });
  assert.equal(form.status, 200);
  assert.equal(form.text, get.text);
  const json = await text("/v1/forecast", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      latitude: [city("Lima").latitude],
      longitude: [city("Lima").longitude],
      hourly: ["temperature_2m", "rain"],
      daily: ["sunrise"],
      timezone: "America/Lima",
    }),
  });
  assert.equal(json.text, get.text);
  const big = await text("/v1/forecast", { method: "POST", body: "latitude=1&".repeat(20_000) });
  assert.equal(big.status, 413);
  assert.equal(JSON.parse(big.text).error, true);
  const broken = await text("/v1/forecast", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{",
  });
  assert.equal(broken.status, 400);
  assert.match(JSON.parse(broken.text).reason, /^Cannot read the request body/);
  const options = await handler(new Request("http://localhost/v1/forecast", { method: "OPTIONS" }));
  assert.equal(options.headers.get("allow"), "GET, HEAD, POST, OPTIONS");
  assert.equal((await text("/weather/Tokyo", { method: "POST" })).status, 405);
});

Deno.test("/v1/forecast is byte-identical for the same data, seed and clock, and another seed is other weather", async () => {
  const path =
    `/v1/forecast?latitude=40,-33.9&longitude=-100,151.2&hourly=${HOURLY}&daily=${DAILY}&timezone=auto`;
  const again = createHandler({ current: await datasetOf(JSON.parse(await Deno.readTextFile(DATA_PATH))) }, {
    frozenClock: NOW,
  });
  assert.equal((await text(path, undefined, again)).text, (await text(path)).text);
  const seeded = createHandler({ current: bundled }, { frozenClock: NOW, controls: { seed: 9 } });
  assert.notEqual((await text(path, undefined, seeded)).text, (await text(path)).text);
});

Deno.test("/v1/forecast writes the legacy current_weather block, forecast_hours and past_hours, and date ranges", async () => {
  const legacy = JSON.parse(
    (await text(`/v1/forecast?${at("Paris")}&current_weather=true&current=rain`)).text,
  );
  assert.deepEqual(Object.keys(legacy.current_weather_units), [
    "time",
    "interval",
    "temperature",
    "windspeed",
    "winddirection",
    "is_day",
    "weathercode",
  ]);
  assert.equal(legacy.current_weather.temperature, city("Paris").current.temperature);
  assert.equal("current" in legacy, false);
  const hours = JSON.parse(
    (await text(`/v1/forecast?${at("Paris")}&hourly=temperature_2m&forecast_hours=3&past_hours=2`)).text,
  );
  assert.deepEqual(hours.hourly.time, [
    "2026-11-23T10:00",
    "2026-11-23T11:00",
    "2026-11-23T12:00",
    "2026-11-23T13:00",
    "2026-11-23T14:00",
  ]);
  const dated = JSON.parse(
    (await text(
      `/v1/forecast?${
        at("Paris")
      }&daily=temperature_2m_max&start_date=2026-11-20&end_date=2026-11-22&timezone=Europe/Paris`,
    )).text,
  );
  assert.deepEqual(dated.daily.time, ["2026-11-20", "2026-11-21", "2026-11-22"]);
});

Deno.test("/v1/forecast gives a polar day's sunrise as the day's start and its sunset as the next day's", async () => {
  const json = JSON.parse(
    (await text(
      `/v1/forecast?${
        at("McMurdo Station")
      }&daily=sunrise,sunset,daylight_duration&timezone=auto&forecast_days=2`,
    )).text,
  );
  assert.deepEqual(json.daily.sunrise, [`${json.daily.time[0]}T00:00`, `${json.daily.time[1]}T00:00`]);
  assert.deepEqual(json.daily.sunset, [
    `${json.daily.time[1]}T00:00`,
    `${json.daily.time[1].slice(0, 8)}${
      String(Number(json.daily.time[1].slice(8)) + 1).padStart(2, "0")
    }T00:00`,
  ]);
  assert.deepEqual(json.daily.daylight_duration, [86400, 86400]);
});

Deno.test("/v1/forecast keeps the model's rules anywhere: random places, dates and zones", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.double({ min: -89, max: 89, noNaN: true }),
      fc.double({ min: -179, max: 179, noNaN: true }),
      fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) }),
      fc.constantFrom("auto", "GMT", "Asia/Kathmandu", "America/St_Johns"),
      async (latitude, longitude, now, zone) => {
        const h = createHandler({ current: bundled }, { frozenClock: now });
        const json = JSON.parse(
          (await text(
            `/v1/forecast?latitude=${latitude.toFixed(3)}&longitude=${
              longitude.toFixed(3)
            }&hourly=temperature_2m,dew_point_2m,relative_humidity_2m,wind_speed_10m,wind_gusts_10m,precipitation,precipitation_probability,weather_code,snowfall&daily=temperature_2m_max,temperature_2m_min&timezone=${zone}&forecast_days=3`,
            undefined,
            h,
          )).text,
        );
        const hr = json.hourly;
        for (let i = 0; i < hr.time.length; i++) {
          assert.ok(hr.dew_point_2m[i] <= hr.temperature_2m[i] + 0.05, `dew point ${i}`);
          assert.ok(hr.wind_gusts_10m[i] >= hr.wind_speed_10m[i], `gusts ${i}`);
          assert.ok(hr.relative_humidity_2m[i] >= 0 && hr.relative_humidity_2m[i] <= 100);
          if (hr.precipitation[i] > 0) assert.ok(hr.precipitation_probability[i] > 0, `probability ${i}`);
          if (i > 0) assert.ok(Math.abs(hr.temperature_2m[i] - hr.temperature_2m[i - 1]) <= 6, `step ${i}`);
        }
        for (let d = 0; d < 3; d++) {
          const day = hr.temperature_2m.slice(d * 24, d * 24 + 24);
          assert.equal(json.daily.temperature_2m_max[d], Math.max(...day));
          assert.equal(json.daily.temperature_2m_min[d], Math.min(...day));
        }
      },
    ),
    { numRuns: 25 },
  );
});

Deno.test({
  name: "the official openmeteo SDK decodes our FlatBuffers for one and several locations, in every unit",
  async fn() {
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    const url = `http://127.0.0.1:${server.addr.port}/v1/forecast`;
    const base = {
      latitude: [city("Tokyo").latitude, 60.5],
      longitude: [city("Tokyo").longitude, -20.25],
      current: ["temperature_2m", "relative_humidity_2m", "wind_speed_10m", "is_day"],
      hourly: ["temperature_2m", "precipitation", "visibility", "uv_index"],
      daily: ["temperature_2m_max", "sunrise", "sunset", "precipitation_sum"],
      timezone: "auto",
    };
    for (
      const units of [
        {},
        { temperature_unit: "fahrenheit", wind_speed_unit: "mph", precipitation_unit: "inch" },
        { wind_speed_unit: "kn" },
        { wind_speed_unit: "ms", timeformat: "unixtime" },
      ]
    ) {
      const params = { ...base, ...units };
      const responses = await fetchWeatherApi(url, params);
      const json = JSON.parse(
        (await text(
          `/v1/forecast?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`,
        )).text,
      );
      assert.equal(responses.length, 2);
      for (const [i, response] of responses.entries()) {
        const expected = json[i];
        assert.ok(Math.abs(response.latitude() - expected.latitude) < 1e-4);
        assert.equal(response.utcOffsetSeconds(), expected.utc_offset_seconds);
        assert.equal(response.timezone(), expected.timezone);
        assert.equal(Number(response.locationId()), i);
        const current = response.current()!;
        const time = expected.current.time;
        const seconds = typeof time === "number"
          ? time
          : Date.parse(`${time}Z`) / 1000 - expected.utc_offset_seconds;
        assert.equal(Number(current.time()), seconds);
        base.current.forEach((name, v) => {
          const value = current.variables(v)!.value();
          assert.ok(
            Math.abs(value - expected.current[name]) <= 0.051,
            `${name}: ${value} vs ${expected.current[name]}`,
          );
        });
        const hourly = response.hourly()!;
        assert.equal(
          Number(hourly.timeEnd()) - Number(hourly.time()),
          hourly.interval() * expected.hourly.time.length,
        );
        base.hourly.forEach((name, v) => {
          const values = hourly.variables(v)!.valuesArray()!;
          assert.equal(values.length, expected.hourly[name].length);
          values.forEach((value, t) =>
            assert.ok(
              Math.abs(value - expected.hourly[name][t]) <= 0.0051 * Math.max(1, Math.abs(value)),
              name,
            )
          );
        });
        const daily = response.daily()!;
        const sunrise = daily.variables(1)!;
        assert.equal(sunrise.valuesInt64Length(), expected.daily.time.length);
        assert.ok(
          Math.abs(daily.variables(0)!.valuesArray()![0]! - expected.daily.temperature_2m_max[0]) < 0.051,
        );
      }
    }
    await assert.rejects(
      () => fetchWeatherApi(url, { latitude: 91, longitude: 0, hourly: "temperature_2m" }),
      (error: Error) => error.message === "Latitude must be in range of -90 to 90°. Given: 91.0.",
    );
  },
});

Deno.test("/v1/forecast answers every allowed date in any zone, and refuses what would cost too much", async () => {
  // The first allowed day, asked in a zone 14 hours east of UTC for a place 13 hours east.
  const edge = await text(
    "/v1/forecast?latitude=-36.8485&longitude=174.7633&timezone=Pacific/Kiritimati&start_date=2026-08-22&end_date=2026-08-22&hourly=temperature_2m",
  );
  assert.equal(edge.status, 200);
  assert.equal(JSON.parse(edge.text).hourly.time.length, 24);
  const last = await text(
    "/v1/forecast?latitude=21.3&longitude=-157.8&timezone=Etc/GMT%2B12&start_date=2026-12-08&end_date=2026-12-08&daily=temperature_2m_max",
  );
  assert.equal(last.status, 200);
  const none = await text("/v1/forecast?hourly=temperature_2m");
  assert.deepEqual([none.status, JSON.parse(none.text).reason], [
    400,
    "Parameter 'latitude' and 'longitude' are required",
  ]);
  const many = Array(100).fill("1").join(",");
  const heavy = await text(
    `/v1/forecast?latitude=${many}&longitude=${many}&hourly=${
      Array(50).fill("rain").join(",")
    }&past_days=92&forecast_days=16`,
  );
  assert.equal(heavy.status, 400);
  assert.match(JSON.parse(heavy.text).reason, /^Your API call requests too much data/);
});

Deno.test("POST /v1/forecast is never a 304 nor cached, and refuses a body that is neither a form nor JSON", async () => {
  const query = `${at("Lima")}&hourly=temperature_2m`;
  const get = await handler(new Request(`http://localhost/v1/forecast?${query}`));
  const etag = get.headers.get("etag")!;
  await get.body?.cancel();
  const post = await handler(
    new Request("http://localhost/v1/forecast", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "if-none-match": etag },
      body: query,
    }),
  );
  assert.equal(post.status, 200);
  assert.equal(post.headers.get("cache-control"), "no-store");
  await post.body?.cancel();
  const plain = await text("/v1/forecast", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: query,
  });
  assert.equal(plain.status, 400);
  assert.match(
    JSON.parse(plain.text).reason,
    /expected a form \(application\/x-www-form-urlencoded\) or JSON/,
  );
});
