import assert from "node:assert/strict";
import { WeatherApiError, WeatherClient, WeatherConnectionError } from "../src/weather_client.ts";
import { bundled, bundledHandler } from "./_helpers.ts";

const handler = bundledHandler();
const client = new WeatherClient({ fetch: (request) => Promise.resolve(handler(request)) });

Deno.test("WeatherClient.cities() returns the server's names", async () => {
  assert.deepEqual(await client.cities(), bundled.cities.map((city) => city.name));
});

Deno.test("WeatherClient.weather() returns a typed, checked record", async () => {
  const city = await client.weather("sao paulo");
  assert.equal(city.name, "São Paulo");
  assert.equal(city.units.temperature, "°C");
  assert.equal(typeof city.current.temperature, "number");
});

Deno.test("WeatherClient.health() returns the health report", async () => {
  const health = await client.health();
  assert.equal(health.cities, bundled.cities.length);
  assert.equal(health.last_reload_error, null);
});

Deno.test("WeatherClient.health() accepts a server from before live reload", async () => {
  const older = new WeatherClient({
    fetch: () =>
      Promise.resolve(Response.json({
        status: "ok",
        cities: 2,
        version: "abc",
        loaded_at: "2026-01-01T00:00:00.000Z",
        source: "weather.json",
      })),
  });
  assert.equal((await older.health()).last_reload_error, null);
});

Deno.test("WeatherClient requests /get_weather with the city as a query parameter", async () => {
  const seen: string[] = [];
  const spy = new WeatherClient({
    baseUrl: "http://example.test/api",
    fetch: (request) => {
      seen.push(request.url);
      return Promise.resolve(handler(new Request(request.url.replace("/api", ""))));
    },
  });
  await assert.rejects(spy.weather("São Paulo & Co"), { name: "WeatherApiError", status: 404 });
  assert.deepEqual(seen, ["http://example.test/api/get_weather?city=S%C3%A3o+Paulo+%26+Co"]);
});

Deno.test("WeatherClient throws WeatherApiError with code and suggestions for an unknown city", async () => {
  await assert.rejects(client.weather("Tokio"), (error: unknown) => {
    assert.ok(error instanceof WeatherApiError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "city_not_found");
    assert.deepEqual(error.suggestions, ["Tokyo"]);
    assert.equal(error.message, 'Cannot find city "Tokio": did you mean "Tokyo"?');
    return true;
  });
});

Deno.test("WeatherClient keeps the message of a foreign server's error", async () => {
  const foreign = new WeatherClient({
    fetch: () => Promise.resolve(Response.json({ error: "City not found" }, { status: 404 })),
  });
  await assert.rejects(foreign.weather("x"), {
    name: "WeatherApiError",
    message: "City not found",
    code: "http_404",
  });
  const plain = new WeatherClient({
    fetch: () => Promise.resolve(new Response("Bad gateway", { status: 502 })),
  });
  await assert.rejects(plain.cities(), { name: "WeatherApiError", message: "Bad gateway", status: 502 });
});

Deno.test("WeatherClient.weatherData() passes a foreign body through unchecked", async () => {
  const foreign = new WeatherClient({
    fetch: () => Promise.resolve(Response.json({ city: "Tokyo", temperature: 22 })),
  });
  assert.deepEqual(await foreign.weatherData("Tokyo"), { city: "Tokyo", temperature: 22 });
  await assert.rejects(foreign.weather("Tokyo"), {
    name: "TypeError",
    message: /Unexpected answer from \/get_weather/,
  });
});

Deno.test("WeatherClient throws SyntaxError for a success body that is not JSON", async () => {
  const html = new WeatherClient({ fetch: () => Promise.resolve(new Response("<html>")) });
  await assert.rejects(html.cities(), { name: "SyntaxError", message: /not JSON/ });
});

Deno.test("WeatherClient throws WeatherConnectionError when fetch fails", async () => {
  const down = new WeatherClient({ fetch: () => Promise.reject(new TypeError("connection refused")) });
  await assert.rejects(down.health(), (error: unknown) => {
    assert.ok(error instanceof WeatherConnectionError);
    assert.equal(error.timedOut, false);
    assert.equal(
      error.message,
      "Cannot reach the weather server at http://127.0.0.1:5000: connection refused",
    );
    return true;
  });
});

Deno.test("WeatherClient gives up after the timeout", async () => {
  const silent = new WeatherClient({
    timeout: 20,
    fetch: (request) =>
      new Promise((_, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason))
      ),
  });
  await assert.rejects(silent.cities(), (error: unknown) => {
    assert.ok(error instanceof WeatherConnectionError);
    assert.equal(error.timedOut, true);
    assert.match(error.message, /no answer within 20 ms/);
    return true;
  });
});
