// OpenWeatherMap's routes: bodies as OpenWeatherMap writes them, its errors and keys, absolute-form
// requests through a proxy setting, and the npm client `openweather-api-node`, unmodified, pointed
// at a real server on port 0.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { OpenWeatherAPI } from "openweather-api-node";
import { placeIds } from "../src/city_ids.ts";
import { createHandler } from "../src/handler.ts";
import { bundled, datasetOf, getJson, rawRequest } from "./_helpers.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const handler = createHandler({ current: bundled }, { frozenClock: NOW });
const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;
const KEY = "&appid=test-key";

async function raw(path: string, init?: RequestInit, h = handler) {
  const response = await h(new Request(new URL(path, "http://localhost"), init));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

Deno.test("/data/2.5/weather writes OpenWeatherMap's body, keys in its order, cod the number 200", async () => {
  const { status, text } = await raw(`/data/2.5/weather?q=Tokyo${KEY}`);
  assert.equal(status, 200);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body), [
    "coord",
    "weather",
    "base",
    "main",
    "visibility",
    "wind",
    "clouds",
    "dt",
    "sys",
    "timezone",
    "id",
    "name",
    "cod",
  ]);
  assert.deepEqual(Object.keys(body.main), [
    "temp",
    "feels_like",
    "temp_min",
    "temp_max",
    "pressure",
    "humidity",
    "sea_level",
    "grnd_level",
  ]);
  assert.deepEqual(body.coord, { lon: 139.6503, lat: 35.6762 });
  assert.equal(body.cod, 200);
  assert.equal(body.base, "stations");
  assert.equal(body.name, "Tokyo");
  assert.equal(body.id, placeIds(bundled.cities)[0]);
  assert.equal(body.timezone, 32400);
  assert.equal(body.dt, NOW / 1000);
  // Standard units: kelvins and m/s; pressure in whole hPa.
  assert.equal(body.main.temp, 287.35);
  assert.equal(body.main.humidity, 58);
  assert.equal(body.main.pressure, 1013);
  assert.equal(body.wind.speed, Math.round(11.5 / 3.6 * 100) / 100);
  assert.equal(body.wind.deg, 209);
  assert.deepEqual(body.weather, [{ id: 802, main: "Clouds", description: "scattered clouds", icon: "03n" }]);
  assert.equal(body.sys.country, "JP");
  assert.ok(body.sys.sunrise < body.dt && body.sys.sunset < body.dt, "21:00 in Tokyo: after sunset");
});

Deno.test("/data/2.5/weather finds a city by q with a country, id, coordinates and zip, in every unit system", async () => {
  const london = city("London");
  const id = placeIds(bundled.cities)[bundled.index.find("London")!];
  const bodies = await Promise.all([
    "q=London",
    "q=london,GB",
    "q=London,uk",
    `id=${id}`,
    `lat=${london.latitude}&lon=${london.longitude}`,
  ].map(async (where) => JSON.parse((await raw(`/data/2.5/weather?${where}${KEY}`)).text)));
  for (const body of bodies) {
    assert.equal(body.name, "London");
    assert.equal(body.main.temp, bodies[0].main.temp);
  }
  const zip = JSON.parse((await raw(`/data/2.5/weather?zip=94040,us${KEY}`)).text);
  assert.equal(zip.sys.country, "US");
  const metric = JSON.parse((await raw(`/data/2.5/weather?q=London&units=metric${KEY}`)).text);
  const imperial = JSON.parse((await raw(`/data/2.5/weather?q=London&units=imperial${KEY}`)).text);
  assert.equal(metric.main.temp, london.current.temperature);
  assert.equal(imperial.main.temp, Math.round((london.current.temperature * 9 / 5 + 32) * 100) / 100);
  assert.equal(imperial.wind.speed, Math.round(london.current.wind_speed / 1.609344 * 100) / 100);
  assert.equal(metric.wind.speed, Math.round(london.current.wind_speed / 3.6 * 100) / 100);
  assert.equal(metric.main.pressure, imperial.main.pressure);
  // Rain and snow appear only while falling, as OpenWeatherMap writes them.
  const dublin = JSON.parse((await raw(`/data/2.5/weather?q=Dublin${KEY}`)).text);
  assert.ok(dublin.rain["1h"] > 0);
  assert.equal("snow" in dublin, false);
  assert.equal("rain" in bodies[0] && bodies[0].rain["1h"] === 0, false);
});

Deno.test("OpenWeatherMap's routes answer every bundled city as our own API and Open-Meteo do", async () => {
  for (const c of bundled.cities) {
    const ours =
      (await getJson(handler, `/weather/${encodeURIComponent(c.name)}/forecast?hours=0&days=1`)).body;
    const om = (await getJson(
      handler,
      `/v1/forecast?latitude=${c.latitude}&longitude=${c.longitude}&current=temperature_2m,relative_humidity_2m,wind_speed_10m,pressure_msl&daily=sunrise,sunset&timezone=auto&timeformat=unixtime&forecast_days=1`,
    )).body;
    for (const units of ["standard", "metric", "imperial"] as const) {
      const owm = JSON.parse(
        (await raw(`/data/2.5/weather?q=${encodeURIComponent(c.name)}&units=${units}${KEY}`)).text,
      );
      const t = ours.current.temperature;
      const expected = units === "metric" ? t : units === "imperial" ? t * 9 / 5 + 32 : t + 273.15;
      assert.ok(Math.abs(owm.main.temp - expected) < 0.006, `${c.name} ${units}`);
      assert.equal(owm.main.humidity, ours.current.relative_humidity, c.name);
      assert.equal(owm.main.pressure, Math.round(ours.current.pressure_msl), c.name);
      const kmh = units === "imperial" ? owm.wind.speed * 1.609344 : owm.wind.speed * 3.6;
      assert.ok(Math.abs(kmh - ours.current.wind_speed) < 0.02 * 3.6, `${c.name} wind`);
      assert.equal(om.current.temperature_2m, t, c.name);
    }
    const owm = JSON.parse((await raw(`/data/2.5/weather?q=${encodeURIComponent(c.name)}${KEY}`)).text);
    if (ours.daily[0].sunrise !== null) {
      assert.equal(owm.sys.sunrise, Date.parse(ours.daily[0].sunrise) / 1000, c.name);
      // Open-Meteo's day is read at a whole-hour offset (Kolkata's +05:30 as +05:00), whose search
      // for the sun's events starts half an hour apart: they agree to the second.
      assert.ok(Math.abs(owm.sys.sunrise - om.daily.sunrise[0]) <= 1, c.name);
      assert.ok(Math.abs(owm.sys.sunset - om.daily.sunset[0]) <= 1, c.name);
    }
  }
});

Deno.test('/data/2.5/forecast answers 3-hour steps on the UTC clock, cod the string "200"', async () => {
  const body = JSON.parse((await raw(`/data/2.5/forecast?q=Paris${KEY}`)).text);
  assert.deepEqual(Object.keys(body), ["cod", "message", "cnt", "list", "city"]);
  assert.equal(body.cod, "200");
  assert.equal(body.message, 0);
  assert.equal(body.cnt, 40);
  assert.equal(body.list.length, 40);
  assert.equal(body.list[0].dt_txt, "2026-11-23 15:00:00");
  assert.equal(body.list[1].dt - body.list[0].dt, 3 * 3600);
  assert.deepEqual(Object.keys(body.list[0].main), [
    "temp",
    "feels_like",
    "temp_min",
    "temp_max",
    "pressure",
    "sea_level",
    "grnd_level",
    "humidity",
    "temp_kf",
  ]);
  for (const item of body.list) {
    assert.ok(item.pop >= 0 && item.pop <= 1);
    assert.match(item.sys.pod, /^[dn]$/);
    assert.ok(item.main.temp_min <= item.main.temp && item.main.temp <= item.main.temp_max);
    if ("rain" in item) assert.ok(item.rain["3h"] > 0 && item.pop > 0);
  }
  assert.deepEqual(Object.keys(body.city), [
    "id",
    "name",
    "coord",
    "country",
    "population",
    "timezone",
    "sunrise",
    "sunset",
  ]);
  const three = JSON.parse((await raw(`/data/2.5/forecast?q=Paris&cnt=3${KEY}`)).text);
  assert.equal(three.cnt, 3);
  assert.deepEqual(three.list, body.list.slice(0, 3));
});

Deno.test("/data/3.0/onecall answers current, 60 minutes, 48 hours and 8 days, and leaves out what exclude says", async () => {
  const tokyo = city("Tokyo");
  const body = JSON.parse(
    (await raw(`/data/3.0/onecall?lat=${tokyo.latitude}&lon=${tokyo.longitude}${KEY}`)).text,
  );
  assert.deepEqual(Object.keys(body), [
    "lat",
    "lon",
    "timezone",
    "timezone_offset",
    "current",
    "minutely",
    "hourly",
    "daily",
  ]);
  assert.equal(body.timezone, "Asia/Tokyo");
  assert.equal(body.current.temp, 287.35);
  assert.equal(body.minutely.length, 60);
  assert.equal(body.minutely[0].dt, NOW / 1000 + 60);
  assert.equal(body.hourly.length, 48);
  assert.equal(body.daily.length, 8);
  const ours = (await getJson(handler, "/weather/Tokyo/forecast?days=8&hours=0")).body;
  body.daily.forEach(
    (day: { temp: { min: number; max: number }; dt: number; moon_phase: number }, d: number) => {
      assert.ok(Math.abs(day.temp.max - (ours.daily[d].temperature_max + 273.15)) < 0.006);
      assert.ok(Math.abs(day.temp.min - (ours.daily[d].temperature_min + 273.15)) < 0.006);
      assert.ok(day.moon_phase >= 0 && day.moon_phase <= 1);
      // The day's dt is its local noon.
      assert.equal(new Date((day.dt + 32400) * 1000).getUTCHours(), 12);
    },
  );
  assert.equal(body.daily[0].summary.length > 0, true);
  const lean = JSON.parse(
    (await raw(`/data/3.0/onecall?lat=35&lon=139&exclude=minutely,hourly,daily${KEY}`)).text,
  );
  assert.deepEqual(Object.keys(lean), ["lat", "lon", "timezone", "timezone_offset", "current"]);
});

Deno.test("/data/3.0/onecall raises alerts from the data file's severe scenarios", async () => {
  const file = { cities: structuredClone(bundled.cities) as unknown as Record<string, unknown>[] };
  file.cities[0]!.scenarios = [{ from: "+1d12h", to: "+1d18h", set: { weather_code: 95, precipitation: 8 } }];
  const h = createHandler({ current: await datasetOf(file) }, { frozenClock: NOW });
  const tokyo = city("Tokyo");
  const body = JSON.parse(
    (await raw(`/data/3.0/onecall?lat=${tokyo.latitude}&lon=${tokyo.longitude}${KEY}`, undefined, h)).text,
  );
  assert.equal(body.alerts.length, 1);
  assert.equal(body.alerts[0].event, "Severe Thunderstorm Warning");
  assert.equal(body.alerts[0].start, Date.parse("2026-11-24T12:00:00+09:00") / 1000);
  assert.equal(body.alerts[0].end, Date.parse("2026-11-24T18:00:00+09:00") / 1000);
  assert.deepEqual(Object.keys(body.alerts[0]), [
    "sender_name",
    "event",
    "start",
    "end",
    "description",
    "tags",
  ]);
});

Deno.test("/data/3.0/onecall/timemachine answers a past hour, and refuses one the model does not cover", async () => {
  const dt = NOW / 1000 - 3 * 86400;
  const body = JSON.parse(
    (await raw(`/data/3.0/onecall/timemachine?lat=48.8566&lon=2.3522&dt=${dt}${KEY}`)).text,
  );
  assert.deepEqual(Object.keys(body), ["lat", "lon", "timezone", "timezone_offset", "data"]);
  assert.equal(body.data[0].dt, dt);
  const ours = (await getJson(handler, "/weather/Paris/forecast?past_days=3&hours=0&days=1")).body;
  const hour = ours.hourly.find((h: { time: string }) => Date.parse(h.time) / 1000 === dt);
  assert.ok(Math.abs(body.data[0].temp - (hour.temperature + 273.15)) < 0.006);
  const far = await raw(`/data/3.0/onecall/timemachine?lat=48.8566&lon=2.3522&dt=1000000000${KEY}`);
  assert.equal(far.status, 400);
  assert.deepEqual(JSON.parse(far.text), { cod: "400", message: "requested time is out of allowed range" });
});

Deno.test("/geo/1.0 finds cities by name, point and postal code, as OpenWeatherMap's geocoder answers", async () => {
  const direct = JSON.parse((await raw(`/geo/1.0/direct?q=Bombay${KEY}`)).text);
  assert.deepEqual(direct, [{
    name: "Mumbai",
    lat: 19.076,
    lon: 72.8777,
    country: "IN",
    state: "Maharashtra",
  }]);
  assert.deepEqual(JSON.parse((await raw(`/geo/1.0/direct?q=Mumbai,US${KEY}`)).text), []);
  assert.deepEqual(JSON.parse((await raw(`/geo/1.0/direct?q=Atlantis${KEY}`)).text), []);
  const reverse = JSON.parse((await raw(`/geo/1.0/reverse?lat=35.7&lon=139.7&limit=3${KEY}`)).text);
  assert.deepEqual(reverse.map((p: { name: string }) => p.name), ["Tokyo"]);
  assert.deepEqual(JSON.parse((await raw(`/geo/1.0/reverse?lat=0&lon=-30${KEY}`)).text), []);
  const zip = JSON.parse((await raw(`/geo/1.0/zip?zip=94040,us${KEY}`)).text);
  assert.deepEqual(Object.keys(zip), ["zip", "name", "lat", "lon", "country"]);
  assert.equal(zip.zip, "94040");
  const none = await raw(`/geo/1.0/zip?zip=1000,XX${KEY}`);
  assert.equal(none.status, 404);
  assert.deepEqual(JSON.parse(none.text), { cod: "404", message: "not found" });
});

Deno.test("OpenWeatherMap's routes answer errors in its words, its spacing and its types", async () => {
  const cases: [string, number, string][] = [
    [
      "/data/2.5/weather?q=Tokyo",
      401,
      '{"cod":401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}',
    ],
    ["/data/2.5/weather?q=Tokyo&appid=", 401, ""],
    [`/data/2.5/weather?q=Atlantis${KEY}`, 404, '{"cod":"404","message":"city not found"}'],
    [`/data/2.5/weather?q=Tokyo,FR${KEY}`, 404, '{"cod":"404","message":"city not found"}'],
    [`/data/2.5/weather?q=${KEY}`, 400, '{"cod":"400","message":"Nothing to geocode"}'],
    [`/data/2.5/weather?appid=k`, 400, '{"cod":"400","message":"Nothing to geocode"}'],
    [`/data/2.5/weather?lat=91&lon=0${KEY}`, 400, '{"cod":"400","message":"wrong latitude"}'],
    [`/data/2.5/weather?lat=1&lon=200${KEY}`, 400, '{"cod":"400","message":"wrong longitude"}'],
    [`/data/2.5/weather?id=abc${KEY}`, 400, '{"cod":"400","message":"abc is not a city ID"}'],
    [`/data/3.0/onecall?lat=1${KEY}`, 400, '{"cod":"400","message":"Nothing to geocode"}'],
    [
      `/data/3.0/onecall/timemachine?lat=1&lon=2&dt=x${KEY}`,
      400,
      '{"cod":"400","message":"Invalid date format"}',
    ],
    [`/data/2.5/forecast?q=Paris&cnt=x${KEY}`, 400, '{"cod":"400","message":"x is not a number"}'],
  ];
  for (const [path, status, body] of cases) {
    const answer = await raw(path);
    assert.equal(answer.status, status, path);
    assert.equal(answer.headers.get("content-type"), "application/json; charset=utf-8", path);
    if (body !== "") assert.equal(answer.text, body, path);
  }
  const limited = await raw(`/data/2.5/weather?q=Tokyo${KEY}`, { headers: { prefer: "code=429" } });
  assert.equal(limited.status, 429);
  assert.equal(
    limited.text,
    '{"cod":429, "message": "Your account is temporary blocked due to exceeding of requests limitation of your subscription type. Please choose the proper subscription https://openweathermap.org/price"}',
  );
  const down = await raw(`/data/2.5/weather?q=Tokyo${KEY}`, { headers: { prefer: "code=503" } });
  assert.deepEqual(JSON.parse(down.text), { cod: "503", message: "Internal error" });
});

Deno.test("--api-key accepts only its keys, and a repeated question still checks the key", async () => {
  const strict = createHandler({ current: bundled }, { frozenClock: NOW, apiKeys: ["good", "also-good"] });
  assert.equal((await raw("/data/2.5/weather?q=Tokyo&appid=good", undefined, strict)).status, 200);
  assert.equal((await raw("/data/2.5/weather?q=Tokyo&APPID=also-good", undefined, strict)).status, 200);
  assert.equal((await raw("/data/2.5/weather?q=Tokyo&appid=revoked", undefined, strict)).status, 401);
  assert.equal((await raw("/data/2.5/weather?q=Tokyo&appid=good", undefined, strict)).status, 200);
  // The cached answer of a good key's question is never given to a bad key's.
  assert.equal((await raw("/data/2.5/weather?q=Tokyo&appid=revoked", undefined, strict)).status, 401);
});

Deno.test("a cached answer never reaches a key another handler of the same data refuses", async () => {
  const data = await datasetOf({ cities: structuredClone(bundled.cities) });
  const locked = createHandler({ current: data }, { frozenClock: NOW, apiKeys: ["secret"] });
  const open = createHandler({ current: data }, { frozenClock: NOW });
  const path = "/data/2.5/weather?q=Tokyo&appid=stolen";
  assert.equal((await raw(path, undefined, locked)).status, 401);
  assert.equal((await raw(path, undefined, open)).status, 200);
  assert.equal((await raw(path, undefined, locked)).status, 401);
});

Deno.test("an absolute-form request, as an HTTP proxy setting sends it, is answered by its path", async () => {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const url = new URL(`http://127.0.0.1:${server.addr.port}/`);
  const response = await rawRequest(
    url,
    `GET http://api.openweathermap.org/data/2.5/weather?q=Tokyo${KEY} HTTP/1.1\r\nHost: api.openweathermap.org`,
  );
  assert.equal(response.status, 200);
  assert.equal(JSON.parse(new TextDecoder().decode(response.body)).name, "Tokyo");
  const ours = await rawRequest(
    url,
    "GET http://api.openweathermap.org/weather/Tokyo HTTP/1.1\r\nHost: api.openweathermap.org",
  );
  assert.equal(JSON.parse(new TextDecoder().decode(ours.body)).name, "Tokyo");
});

Deno.test({
  name: "the npm client openweather-api-node gets current weather, forecast, One Call, history and places",
  // node:http, which the client uses, keeps its sockets for reuse a moment after the last answer.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
    const constants = createRequire(import.meta.resolve("openweather-api-node"))("./constants.js");
    const endpoint = constants.API_ENDPOINT;
    constants.API_ENDPOINT = `http://127.0.0.1:${server.addr.port}/`;
    try {
      const api = new OpenWeatherAPI({ key: "test-key", locationName: "Tokyo", units: "metric" });
      const current = await api.getCurrent();
      assert.equal(current.weather.temp.cur, city("Tokyo").current.temperature);
      assert.equal(current.weather.description, "scattered clouds");
      assert.equal(current.weather.icon.raw, "03n");
      const forecast = await api.getForecast(5);
      assert.equal(forecast.length, 5);
      const everything = await api.getEverything();
      assert.equal(everything.hourly.length, 48);
      assert.equal(everything.daily.length, 8);
      assert.equal(everything.minutely.length, 60);
      const history = await api.getHistory(NOW - 86_400_000);
      assert.ok(history.weather.temp.cur > -20 && history.weather.temp.cur < 40);
      const places = await api.getAllLocations("London");
      assert.equal(places[0]?.country, "GB");
      const unknown = new OpenWeatherAPI({ key: "test-key", locationName: "Atlantis" });
      await assert.rejects(() => unknown.getCurrent(), /Invalid coordinates|Unknown location/);
      const noKey = new OpenWeatherAPI({ coordinates: { lat: 35.6762, lon: 139.6503 } });
      await assert.rejects(() => noKey.getCurrent(), /Invalid key|401/);
      const wrong = createHandler({ current: bundled }, { frozenClock: NOW, apiKeys: ["other"] });
      await using strict = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, wrong);
      constants.API_ENDPOINT = `http://127.0.0.1:${strict.addr.port}/`;
      const revoked = new OpenWeatherAPI({ key: "revoked", coordinates: { lat: 35.6762, lon: 139.6503 } });
      await assert.rejects(() => revoked.getCurrent(), /"cod":401/);
    } finally {
      constants.API_ENDPOINT = endpoint;
    }
  },
});
