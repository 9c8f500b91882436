import assert from "node:assert/strict";
import {
  parseRetryAfter,
  WeatherApiError,
  WeatherClient,
  WeatherConnectionError,
} from "../src/weather_client.ts";
import { bundled, bundledHandler, getJson } from "./_helpers.ts";

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

Deno.test("WeatherClient.weather() asks for units only when given", async () => {
  const seen: string[] = [];
  const spy = new WeatherClient({
    fetch: (request) => {
      seen.push(new URL(request.url).search);
      return Promise.resolve(handler(request));
    },
  });
  assert.equal((await spy.weather("Tokyo", { units: "si" })).units.temperature, "K");
  assert.equal((await spy.weather("Tokyo")).units.temperature, "°C");
  assert.deepEqual(seen, ["?city=Tokyo&units=si", "?city=Tokyo"]);
});

Deno.test("WeatherClient.health() returns the health report", async () => {
  const health = await client.health();
  assert.equal(health.cities, bundled.cities.length);
  assert.equal(health.last_reload_error, null);
});

Deno.test("WeatherClient.health() accepts a server from before live reload and mock controls", async () => {
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
  const health = await older.health();
  assert.equal(health.last_reload_error, null);
  assert.deepEqual(health.controls, { delay_ms: null, fail_rate: null, seed: null, rate_limit: null });
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
    retries: 0,
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

const frozen = bundledHandler({ frozenClock: Date.parse("2026-11-23T12:00:00Z") });

Deno.test("WeatherClient.forecast() sends only the options given, and returns the typed body", async () => {
  const seen: string[] = [];
  const spy = new WeatherClient({
    fetch: (request) => {
      seen.push(request.url);
      return Promise.resolve(frozen(request));
    },
  });
  const paulo = await spy.forecast("São Paulo", { days: 3, hours: 2, pastDays: 1, units: "imperial" });
  assert.equal(paulo.name, "São Paulo");
  assert.equal(paulo.units.temperature_max, "°F");
  assert.deepEqual(paulo.daily.map((day) => day.date), [
    "2026-11-22",
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
  ]);
  assert.equal(paulo.hourly.length, 24 + 2);
  assert.equal(paulo.hourly[24]!.time, "2026-11-23T09:00:00-03:00");
  const tokyo = await spy.forecast("Tokyo");
  assert.deepEqual(tokyo, (await getJson(frozen, "/weather/Tokyo/forecast")).body);
  assert.equal(tokyo.daily.length, 7);
  assert.equal(tokyo.current.time, "2026-11-23T21:00:00+09:00");
  assert.deepEqual(seen, [
    "http://127.0.0.1:5000/weather/S%C3%A3o%20Paulo/forecast?days=3&hours=2&past_days=1&units=imperial",
    "http://127.0.0.1:5000/weather/Tokyo/forecast",
  ]);
});

Deno.test("WeatherClient.forecast() throws WeatherApiError bad_parameter for days=20, without retrying", async () => {
  let calls = 0;
  const counting = new WeatherClient({
    fetch: (request) => {
      calls++;
      return Promise.resolve(frozen(request));
    },
  });
  await assert.rejects(counting.forecast("Tokyo", { days: 20 }), (error: unknown) => {
    assert.ok(error instanceof WeatherApiError);
    assert.equal(error.status, 400);
    assert.equal(error.code, "bad_parameter");
    assert.equal(error.message, 'Invalid days "20": expected a whole number from 1 to 16');
    return true;
  });
  assert.equal(calls, 1);
});

Deno.test("WeatherClient.forecast() throws WeatherApiError with suggestions for an unknown city", async () => {
  await assert.rejects(client.forecast("Tokio"), {
    name: "WeatherApiError",
    status: 404,
    code: "city_not_found",
    suggestions: ["Tokyo"],
  });
});

Deno.test("WeatherClient.forecastData() passes a foreign body through, forecast() refuses it", async () => {
  const foreign = new WeatherClient({
    fetch: () => Promise.resolve(Response.json({ city: "Tokyo", days: [] })),
  });
  assert.deepEqual(await foreign.forecastData("Tokyo"), { city: "Tokyo", days: [] });
  await assert.rejects(foreign.forecast("Tokyo"), {
    name: "TypeError",
    message: /^Unexpected answer from \/weather\/\{city\}\/forecast: name: /,
  });
});

Deno.test("WeatherClient throws SyntaxError for a success body that is not JSON", async () => {
  const html = new WeatherClient({ fetch: () => Promise.resolve(new Response("<html>")) });
  await assert.rejects(html.cities(), { name: "SyntaxError", message: /not JSON/ });
});

Deno.test("WeatherClient throws WeatherConnectionError when fetch fails", async () => {
  const down = new WeatherClient({
    retries: 0,
    fetch: () => Promise.reject(new TypeError("connection refused")),
  });
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
    retries: 0,
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

function scripted(answers: (() => Response | Promise<Response>)[]) {
  const calls: string[] = [];
  const slept: number[] = [];
  const events: string[] = [];
  const client = new WeatherClient({
    retries: 3,
    backoffMs: 100,
    maxBackoffMs: 5000,
    random: () => 0.5,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    onRetry: ({ attempt, attempts, delayMs, error }) =>
      events.push(`${attempt}/${attempts} ${delayMs} ${error.name} ${"status" in error ? error.status : ""}`),
    fetch: (request) => {
      calls.push(request.url);
      const next = answers.shift();
      if (!next) throw new Error("no more answers");
      return Promise.resolve(next());
    },
  });
  return { client, calls, slept, events };
}

const problemAnswer = (status: number, code: string, headers: Record<string, string> = {}) => () =>
  Response.json({ type: "about:blank", title: "x", status, detail: `failed ${status}`, code, error: "x" }, {
    status,
    headers,
  });
const citiesAnswer = () => Response.json({ cities: ["Tokyo"] });

Deno.test("WeatherClient retries 5xx with growing, jittered backoff, then succeeds", async () => {
  const { client, calls, slept, events } = scripted([
    problemAnswer(503, "service_unavailable"),
    problemAnswer(500, "internal_error"),
    problemAnswer(502, "bad_gateway"),
    citiesAnswer,
  ]);
  assert.deepEqual(await client.cities(), ["Tokyo"]);
  assert.equal(calls.length, 4);
  // Equal jitter with random 0.5: three quarters of 100, 200, 400 ms.
  assert.deepEqual(slept, [75, 150, 300]);
  assert.deepEqual(events, [
    "1/4 75 WeatherApiError 503",
    "2/4 150 WeatherApiError 500",
    "3/4 300 WeatherApiError 502",
  ]);
});

Deno.test("WeatherClient waits at least as long as Retry-After asks", async () => {
  const { client, slept } = scripted([
    problemAnswer(429, "rate_limited", { "retry-after": "2" }),
    problemAnswer(503, "service_unavailable", { "retry-after": "60" }),
    citiesAnswer,
  ]);
  assert.deepEqual(await client.cities(), ["Tokyo"]);
  assert.deepEqual(slept, [2000, 5000]); // the second is capped by maxBackoffMs
});

Deno.test("WeatherClient retries connection errors and timeouts", async () => {
  const { client, slept } = scripted([
    () => Promise.reject(new TypeError("connection refused")),
    citiesAnswer,
  ]);
  assert.deepEqual(await client.cities(), ["Tokyo"]);
  assert.equal(slept.length, 1);
});

Deno.test("WeatherClient never retries a permission error, and names the grant it lacks", async () => {
  for (
    const denied of [new Deno.errors.NotCapable("Requires net access"), new Deno.errors.PermissionDenied("x")]
  ) {
    const { client, calls, slept } = scripted([() => Promise.reject(denied), citiesAnswer]);
    const url = client.url("/weather/cities");
    await assert.rejects(client.cities(), {
      name: "NotCapable",
      message: `Cannot connect to the weather server at ${url.origin}: permission denied ` +
        `(grant it with --allow-net=${url.host}, as deno task client does with --allow-net)`,
    });
    assert.equal(calls.length, 1);
    assert.deepEqual(slept, []);
  }
});

Deno.test("WeatherClient never retries a 4xx other than 429", async () => {
  for (
    const [status, code] of [[404, "city_not_found"], [400, "missing_city"], [
      405,
      "method_not_allowed",
    ]] as const
  ) {
    const { client, calls, slept } = scripted([problemAnswer(status, code), citiesAnswer]);
    await assert.rejects(client.cities(), { name: "WeatherApiError", status });
    assert.equal(calls.length, 1);
    assert.deepEqual(slept, []);
  }
});

Deno.test("WeatherClient gives up after the last retry with the last error", async () => {
  const { client, calls } = scripted(
    Array.from({ length: 4 }, () => problemAnswer(503, "service_unavailable")),
  );
  await assert.rejects(client.cities(), (error: unknown) => {
    assert.ok(error instanceof WeatherApiError);
    assert.equal(error.status, 503);
    assert.equal(error.transient, true);
    return true;
  });
  assert.equal(calls.length, 4);
  const none = new WeatherClient({ retries: 0, fetch: () => Promise.resolve(problemAnswer(503, "x")()) });
  await assert.rejects(none.cities(), { status: 503 });
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter("soon"), undefined);
  const now = Date.parse("2026-11-23T12:00:00Z");
  assert.equal(parseRetryAfter("Mon, 23 Nov 2026 12:00:05 GMT", now), 5000);
  assert.equal(parseRetryAfter("Mon, 23 Nov 2026 11:00:00 GMT", now), 0);
});
