// The upstream client against this project's own server as the upstream (its /v1/forecast is
// checked against Open-Meteo's SDK elsewhere), and against stubs for each way an upstream fails.
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHandler } from "../src/handler.ts";
import { HOURLY_VARIABLES, OPEN_METEO_HOURLY } from "../src/model/variables.ts";
import {
  createUpstream,
  DEFAULT_UPSTREAM,
  fetchUpstreamWeather,
  parseUpstreamBase,
  type Upstream,
  UpstreamError,
  type UpstreamOptions,
  upstreamUrl,
} from "../src/upstream.ts";
import { VERSION } from "../src/version.ts";
import { bundled } from "./_helpers.ts";

const NOW = Date.parse("2026-11-23T12:07:00Z");
const SEED = 7;
const handler = createHandler({ current: bundled }, { frozenClock: NOW, controls: { seed: SEED } });
const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;
const TOKYO = city("Tokyo"), PARIS = city("Paris"), LIMA = city("Lima");

/** Our own server on a loopback port, counting the requests it answers by path and query. */
function upstreamServer(answer: (request: Request) => Response | Promise<Response> = handler) {
  const requests: Request[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    requests.push(request);
    return answer(request);
  });
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A clock the test moves, and a sleep that records what it was asked and returns at once. */
function fakeTime(start = NOW) {
  const time = { now: start, slept: [] as number[] };
  return {
    time,
    now: () => time.now,
    sleep: (ms: number) => {
      time.slept.push(ms);
      time.now += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  };
}

/** A fetch that answers from `answer` without a socket, counting the calls and keeping their inits. */
function stubFetch(answer: (request: Request, call: number) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = ((input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return Promise.resolve(answer(new Request(input, init), calls.length));
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const ours = (request: Request) => handler(request);

/** A parsed JSON answer; tests reach into answers of many shapes, hence `any`. */
// deno-lint-ignore no-explicit-any
type Json = any;

/** The JSON our server answers for the upstream request of `latitude`, `longitude`. */
async function ourAnswer(latitude: number, longitude: number): Promise<Json> {
  const response = await handler(new Request(upstreamUrl("http://x", latitude, longitude, 1, 16)));
  return await response.json();
}

function upstreamOf(fetch: typeof globalThis.fetch, options: Partial<UpstreamOptions> = {}) {
  const clock = fakeTime();
  const upstream = createUpstream({ base: "http://upstream.test", fetch, ...clock, ...options });
  return { upstream, clock };
}

const status = (upstream: Upstream) => upstream.status() as Json;

Deno.test("createUpstream() stores exactly what our own server's /v1/forecast answers, in the model's names", async () => {
  await using server = upstreamServer();
  const upstream = createUpstream({ base: `${server.base}/` });
  assert.equal(upstream.peek(TOKYO.latitude, TOKYO.longitude), undefined);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), true);
  const hit = upstream.peek(TOKYO.latitude, TOKYO.longitude)!;
  assert.equal(hit.fresh, true);
  const { weather } = hit;

  const url = upstreamUrl(server.base, TOKYO.latitude, TOKYO.longitude, 2, 16);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.url, url.href);
  const response = await fetch(url);
  const json = await response.json();
  assert.equal(weather.latitude, 35.6762);
  assert.equal(weather.longitude, 139.6503);
  assert.equal(weather.elevation, json.elevation);
  assert.equal(weather.current.time, json.current.time * 1000);
  assert.equal(weather.current.time, Date.parse("2026-11-23T12:00:00Z"));
  assert.equal(weather.hourly.start, Date.parse("2026-11-21T00:00:00Z"));
  assert.equal(weather.hourly.length, 18 * 24);
  for (const variable of HOURLY_VARIABLES) {
    const name = OPEN_METEO_HOURLY[variable];
    assert.equal(weather.current.values[variable], json.current[name], `current ${name}`);
    assert.deepEqual([...weather.hourly.values[variable]!], json.hourly[name], `hourly ${name}`);
  }
  // The data file's current conditions anchor the clock's slot, upstream as at home.
  assert.equal(weather.current.values.temperature, TOKYO.current.temperature);
});

Deno.test("upstreamUrl() asks for every hourly variable as current and hourly, unixtime in GMT", () => {
  const url = upstreamUrl("https://api.open-meteo.com/", 35.67621, -139.65036, 1, 16);
  const names = HOURLY_VARIABLES.map((variable) => OPEN_METEO_HOURLY[variable]).join(",");
  assert.equal(
    url.href,
    `https://api.open-meteo.com/v1/forecast?latitude=35.6762&longitude=-139.6504&current=${names}` +
      `&hourly=${names}&past_days=1&forecast_days=16&timezone=GMT&timeformat=unixtime`,
  );
  assert.equal(names.split(",").length, 20);
  assert.equal(
    upstreamUrl("http://127.0.0.1:5001/om", 0, 0, 0, 3).href.split("?")[0],
    "http://127.0.0.1:5001/om/v1/forecast",
  );
  assert.throws(() => upstreamUrl(DEFAULT_UPSTREAM, 91, 0, 1, 16), RangeError);
  assert.throws(() => upstreamUrl(DEFAULT_UPSTREAM, NaN, 0, 1, 16), RangeError);
  assert.throws(() => upstreamUrl(DEFAULT_UPSTREAM, 0, 0, 1, 17), RangeError);
});

Deno.test("upstreamUrl() carries nothing but the fixed parameters and the rounded coordinates", () => {
  const base = "https://api.open-meteo.com";
  fc.assert(
    fc.property(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.double({ min: -180, max: 180, noNaN: true }),
      (latitude, longitude) => {
        const url = upstreamUrl(base, latitude, longitude, 1, 16);
        assert.equal(url.origin + url.pathname, `${base}/v1/forecast`);
        assert.equal(url.hash, "");
        const keys = [...url.searchParams.keys()];
        assert.deepEqual(keys, [
          "latitude",
          "longitude",
          "current",
          "hourly",
          "past_days",
          "forecast_days",
          "timezone",
          "timeformat",
        ]);
        const lat = url.searchParams.get("latitude")!, lon = url.searchParams.get("longitude")!;
        assert.match(lat, /^-?\d{1,2}\.\d{4}$/);
        assert.match(lon, /^-?\d{1,3}\.\d{4}$/);
        assert.ok(Math.abs(Number(lat) - latitude) <= 0.00005 + 1e-9);
        assert.ok(Math.abs(Number(lon) - longitude) <= 0.00005 + 1e-9);
        assert.match(url.search, /^\?[\w=&.,-]+$/, "only our own characters");
      },
    ),
  );
});

Deno.test("createUpstream() sends only Accept and User-Agent, follows no redirect, and checks its base", async () => {
  const stub = stubFetch(ours);
  const { upstream } = upstreamOf(stub.fetch);
  assert.equal(await upstream.load(PARIS.latitude, PARIS.longitude), true);
  const init = stub.calls[0]!.init!;
  assert.deepEqual(Object.fromEntries(new Headers(init.headers)), {
    accept: "application/json",
    "user-agent": `weather-server/${VERSION}`,
  });
  assert.equal(init.redirect, "manual");
  assert.ok(init.signal instanceof AbortSignal);

  for (
    const [base, why] of [
      ["api.open-meteo.com", "expected an absolute http or https URL"],
      ["ftp://api.open-meteo.com", "expected http or https"],
      ["https://api.open-meteo.com/?apikey=1", "expected no query or fragment"],
      ["https://api.open-meteo.com/#x", "expected no query or fragment"],
      ["https://me:secret@api.open-meteo.com", "expected no user name or password"],
    ]
  ) {
    assert.throws(() => createUpstream({ base: base! }), {
      name: "TypeError",
      message: `Invalid upstream URL ${JSON.stringify(base)}: ${why}, like https://api.open-meteo.com`,
    });
  }
  assert.equal(parseUpstreamBase("http://127.0.0.1:5001/").href, "http://127.0.0.1:5001/");
  assert.throws(() => createUpstream({ base: DEFAULT_UPSTREAM, ttlMs: -1 }), RangeError);
  assert.throws(() => createUpstream({ base: DEFAULT_UPSTREAM, retries: 1.5 }), RangeError);
});

Deno.test("createUpstream() coalesces 100 concurrent loads of one place into one upstream request", async () => {
  await using server = upstreamServer();
  const upstream = createUpstream({ base: server.base });
  const loads = Array.from({ length: 100 }, () => upstream.load(TOKYO.latitude, TOKYO.longitude));
  assert.equal(status(upstream).in_flight, 1);
  assert.deepEqual(new Set(await Promise.all(loads)), new Set([true]));
  assert.equal(server.requests.length, 1, "one request reached the upstream");
  assert.equal(status(upstream).in_flight, 0);
  assert.equal(status(upstream).calls, 1);
  // Coordinates that round to the same key share the entry.
  assert.equal(
    upstream.peek(35.67622, 139.65028)?.weather,
    upstream.peek(TOKYO.latitude, TOKYO.longitude)?.weather,
  );
});

Deno.test("createUpstream() keeps an answer past its TTL as stale, and a new load refreshes it", async () => {
  const stub = stubFetch(ours);
  const { upstream, clock } = upstreamOf(stub.fetch, { ttlMs: 60_000 });
  assert.equal(await upstream.load(LIMA.latitude, LIMA.longitude), true);
  const first = upstream.peek(LIMA.latitude, LIMA.longitude)!;
  assert.equal(first.fresh, true);
  assert.equal(first.weather.fetchedAt, NOW);
  clock.time.now += 59_999;
  assert.equal(upstream.peek(LIMA.latitude, LIMA.longitude)?.fresh, true);
  clock.time.now += 1;
  const stale = upstream.peek(LIMA.latitude, LIMA.longitude)!;
  assert.equal(stale.fresh, false);
  assert.equal(stale.weather, first.weather, "the same answer, kept");
  assert.equal(await upstream.load(LIMA.latitude, LIMA.longitude), true);
  assert.equal(stub.calls.length, 2);
  const second = upstream.peek(LIMA.latitude, LIMA.longitude)!;
  assert.equal(second.fresh, true);
  assert.ok(second.weather.version > first.weather.version);
  assert.equal(second.weather.fetchedAt, NOW + 60_000);
});

Deno.test("createUpstream() gives up an attempt at its timeout, aborting the fetch", async () => {
  const signals: AbortSignal[] = [];
  // Never answers; rejects when its signal aborts, as fetch does.
  const hanging = ((_input: string | URL | Request, init?: RequestInit) => {
    signals.push(init!.signal!);
    return new Promise<Response>((_, reject) => {
      init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason), { once: true });
    });
  }) as typeof fetch;
  const { upstream, clock } = upstreamOf(hanging, { timeoutMs: 20, retries: 1 });
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(signals.length, 2, "one retry");
  assert.ok(signals.every((signal) => signal.aborted));
  assert.deepEqual(clock.time.slept, [250]);
  const s = status(upstream);
  assert.equal(s.last_error, "Cannot reach the upstream at http://upstream.test: no answer within 20 ms");
  assert.equal(s.calls, 2);
  assert.equal(s.failures, 2);
  assert.equal(s.consecutive_failures, 1);
  assert.equal(upstream.peek(TOKYO.latitude, TOKYO.longitude), undefined);
});

Deno.test("createUpstream() times out a body that stops coming, and cancels it", async () => {
  let cancelled = false;
  const trickle = (() =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          start: (controller) => controller.enqueue(new TextEncoder().encode('{"latitude":')),
          cancel: () => void (cancelled = true),
        }),
      ),
    )) as typeof fetch;
  const { upstream } = upstreamOf(trickle, { timeoutMs: 20, retries: 0 });
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.ok(cancelled, "the body was cancelled");
  assert.match(status(upstream).last_error, /: no answer within 20 ms$/);
});

Deno.test("createUpstream() honours a short Retry-After of a 429 and then stores the answer", async () => {
  const stub = stubFetch((request, call) =>
    call === 1
      ? Response.json({ error: true, reason: "Too many requests" }, {
        status: 429,
        headers: { "retry-after": "2" },
      })
      : ours(request)
  );
  const { upstream, clock } = upstreamOf(stub.fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), true);
  assert.equal(stub.calls.length, 2);
  assert.deepEqual(clock.time.slept, [2000], "Retry-After, longer than the backoff");
  const s = status(upstream);
  assert.equal(s.last_error, "The upstream answered HTTP 429: Too many requests (Retry-After 2 s)");
  assert.equal(s.failures, 1);
  assert.equal(s.consecutive_failures, 0);
  assert.equal(s.last_success_at, new Date(NOW + 2000).toISOString());
});

Deno.test("createUpstream() stops calling for a long Retry-After of a 429, for every place, until it passes", async () => {
  const date = new Date(NOW + 60_000).toUTCString();
  let limited = true;
  const stub = stubFetch((request) =>
    limited ? new Response("slow down", { status: 429, headers: { "retry-after": date } }) : ours(request)
  );
  const { upstream, clock } = upstreamOf(stub.fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(stub.calls.length, 1, "no retry: the wait is beyond what a load waits");
  assert.deepEqual(clock.time.slept, []);
  assert.equal(status(upstream).last_error, "The upstream answered HTTP 429: slow down (Retry-After 60 s)");
  assert.equal(status(upstream).paused_until, new Date(NOW + 60_000).toISOString());
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(await upstream.load(PARIS.latitude, PARIS.longitude), false, "the whole upstream waits");
  assert.equal(stub.calls.length, 1);
  limited = false;
  clock.time.now += 60_000;
  assert.equal(status(upstream).paused_until, null);
  assert.equal(await upstream.load(PARIS.latitude, PARIS.longitude), true);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), true);
  assert.equal(stub.calls.length, 3);
});

Deno.test("createUpstream() retries a 5xx with backoff, gives up, and does not ask that place again for a while", async () => {
  const stub = stubFetch(() =>
    Response.json({ error: true, reason: "The service is overloaded" }, { status: 503 })
  );
  const { upstream, clock } = upstreamOf(stub.fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(stub.calls.length, 3, "the first attempt and two retries");
  assert.deepEqual(clock.time.slept, [250, 1000]);
  assert.equal(status(upstream).last_error, "The upstream answered HTTP 503: The service is overloaded");
  assert.equal(status(upstream).last_error_at, new Date(NOW + 1250).toISOString());
  // The negative cache: 10 s without a call for that place; another place is asked.
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(stub.calls.length, 3);
  await upstream.load(PARIS.latitude, PARIS.longitude);
  assert.equal(stub.calls.length, 6);
  clock.time.now += 10_000;
  await upstream.load(TOKYO.latitude, TOKYO.longitude);
  assert.equal(stub.calls.length, 9);
  assert.equal(status(upstream).consecutive_failures, 3);
});

Deno.test("createUpstream() does not retry a 4xx, and reports Open-Meteo's reason", async () => {
  const stub = stubFetch(() =>
    Response.json({ error: true, reason: "Latitude must be in range of -90 to 90°. Given: 135.0." }, {
      status: 400,
    })
  );
  const { upstream } = upstreamOf(stub.fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(stub.calls.length, 1);
  assert.equal(
    status(upstream).last_error,
    "The upstream answered HTTP 400: Latitude must be in range of -90 to 90°. Given: 135.0.",
  );
});

Deno.test("createUpstream() says why it cannot connect, and retries", async () => {
  // A port nothing listens on: bound, then closed.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const clock = fakeTime();
  const upstream = createUpstream({ base: `http://127.0.0.1:${port}`, ...clock });
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(status(upstream).calls, 3);
  assert.match(
    status(upstream).last_error,
    new RegExp(`^Cannot reach the upstream at http://127\\.0\\.0\\.1:${port}: connection refused$`, "i"),
  );
});

/** Our server's answer for Tokyo with `change` applied, as a stub's. */
async function changed(change: (json: Json) => void): Promise<typeof fetch> {
  const json = await ourAnswer(TOKYO.latitude, TOKYO.longitude);
  change(json);
  return stubFetch(() => Response.json(json)).fetch;
}

for (
  const [what, answer, error] of [
    [
      "text that is not JSON",
      () => stubFetch(() => new Response('{"latitude": 35.7,')).fetch,
      /^The upstream's answer is not JSON: /,
    ],
    [
      "an error body with status 200",
      () => stubFetch(() => Response.json({ error: true, reason: "No data" })).fetch,
      /^The upstream's answer is an error: No data$/,
    ],
    [
      "an array",
      () => stubFetch(() => Response.json([])).fetch,
      /^The upstream's answer has the wrong shape: \(root\): expected object, received array, found \[\]$/,
    ],
    [
      "no hourly",
      () => changed((json) => delete json.hourly),
      /^The upstream's answer has the wrong shape: hourly: expected object, received undefined, found nothing$/,
    ],
    [
      "a variable missing",
      () => changed((json) => delete json.hourly.wind_gusts_10m),
      /^The upstream's answer has the wrong shape: hourly\.wind_gusts_10m: expected array, received undefined, found nothing$/,
    ],
    [
      "a column shorter than the times",
      () => changed((json) => json.hourly.rain.pop()),
      /^The upstream's answer has the wrong shape: hourly\.rain: expected 408 values, as many as hourly\.time, found \[/,
    ],
    [
      "a gap in the hours",
      () => changed((json) => (json.hourly.time[5] += 1800)),
      /^The upstream's answer has the wrong shape: hourly\.time\[5\]: expected hourly steps, found \d+$/,
    ],
    [
      "times as ISO text",
      () => changed((json) => (json.hourly.time[0] = "2026-11-22T00:00")),
      /^The upstream's answer has the wrong shape: hourly\.time\[0\]: expected number, received string, found "2026-11-22T00:00"$/,
    ],
    [
      "a string value",
      () => changed((json) => (json.current.temperature_2m = "14.2")),
      /^The upstream's answer has the wrong shape: current\.temperature_2m: expected number, received string, found "14\.2"$/,
    ],
    [
      "Fahrenheit",
      () => changed((json) => (json.hourly_units.temperature_2m = "°F")),
      /^The upstream's answer has the wrong shape: hourly_units\.temperature_2m: expected the unit "°C", found "°F"$/,
    ],
    [
      "a temperature of 500",
      () => changed((json) => (json.hourly.temperature_2m[3] = 500)),
      /^The upstream's answer is implausible: hourly\.temperature_2m\[3\] is 500, outside -90 to 60$/,
    ],
    [
      "a weather code WMO does not have",
      () => changed((json) => (json.current.weather_code = 42)),
      /^The upstream's answer is implausible: current\.weather_code is 42, not a WMO weather code$/,
    ],
    [
      "is_day 0.5",
      () => changed((json) => (json.hourly.is_day[7] = 0.5)),
      /^The upstream's answer is implausible: hourly\.is_day\[7\] is 0\.5, expected 0 or 1$/,
    ],
    [
      "a current time beyond any date",
      () => changed((json) => (json.current.time = 9e12)),
      /^The upstream's answer is implausible: current\.time is 9000000000000, outside its hours \d+ to \d+$/,
    ],
    [
      "a current time outside its hours",
      () => changed((json) => (json.current.time = json.hourly.time.at(-1) + 3600)),
      /^The upstream's answer is implausible: current\.time is \d+, outside its hours \d+ to \d+$/,
    ],
    [
      "hours beyond any date",
      () =>
        changed((json) => {
          const shift = 9e12 - json.hourly.time[0];
          json.hourly.time = json.hourly.time.map((t: number) => t + shift);
          json.current.time += shift;
        }),
      /^The upstream's answer is implausible: hourly\.time\[407\] is 9000001465200, outside 1970 to 9999$/,
    ],
    [
      "negative precipitation",
      () => changed((json) => (json.hourly.precipitation[0] = -1)),
      /^The upstream's answer is implausible: hourly\.precipitation\[0\] is -1, outside 0 to 200$/,
    ],
  ] as const
) {
  Deno.test(`createUpstream() refuses ${what}, stores nothing and says why`, async () => {
    const { upstream } = upstreamOf(await answer());
    assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
    assert.equal(upstream.peek(TOKYO.latitude, TOKYO.longitude), undefined);
    const s = status(upstream);
    assert.match(s.last_error, error);
    assert.equal(s.calls, 1, "an answer refused is not asked again at once");
    assert.equal(s.cache.entries, 0);
  });
}

Deno.test("createUpstream() takes nulls as NaN hours and absent current values", async () => {
  const fetch = await changed((json) => {
    json.hourly.uv_index[0] = null;
    json.current.visibility = null;
  });
  const { upstream } = upstreamOf(fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), true);
  const { weather } = upstream.peek(TOKYO.latitude, TOKYO.longitude)!;
  assert.ok(Number.isNaN(weather.hourly.values.uv_index![0]));
  assert.ok(!("visibility" in weather.current.values));
  assert.equal(typeof weather.current.values.temperature, "number");
});

Deno.test("createUpstream() refuses an answer over its size limit", async () => {
  const big = new Uint8Array(5 * 1_048_576).fill(32);
  const { upstream } = upstreamOf(stubFetch(() => new Response(big)).fetch);
  assert.equal(await upstream.load(TOKYO.latitude, TOKYO.longitude), false);
  assert.equal(status(upstream).last_error, "The upstream's answer is over 4 MB");
});

Deno.test("createUpstream() opens its circuit after repeated failures, probes once when half-open, closes on recovery", async () => {
  let healthy = false;
  const stub = stubFetch((request) => healthy ? ours(request) : new Response("down", { status: 500 }));
  const { upstream, clock } = upstreamOf(stub.fetch, {
    retries: 0,
    breakerThreshold: 3,
    breakerCooldownMs: 30_000,
  });
  const places = bundled.cities.slice(0, 6);
  for (const c of places.slice(0, 3)) assert.equal(await upstream.load(c.latitude, c.longitude), false);
  assert.equal(stub.calls.length, 3);
  assert.equal(status(upstream).state, "open");
  assert.equal(await upstream.load(places[3]!.latitude, places[3]!.longitude), false);
  assert.equal(stub.calls.length, 3, "no call while open");

  clock.time.now += 30_000;
  assert.equal(status(upstream).state, "half-open");
  const probes = places.slice(3, 6).map((c) => upstream.load(c.latitude, c.longitude));
  assert.deepEqual(await Promise.all(probes), [false, false, false]);
  assert.equal(stub.calls.length, 4, "exactly one probe");
  assert.equal(status(upstream).state, "open", "the probe failed");

  healthy = true;
  clock.time.now += 29_999;
  assert.equal(await upstream.load(places[4]!.latitude, places[4]!.longitude), false);
  assert.equal(stub.calls.length, 4);
  clock.time.now += 1;
  const [probe, other] = [
    upstream.load(places[4]!.latitude, places[4]!.longitude),
    upstream.load(places[5]!.latitude, places[5]!.longitude),
  ];
  assert.deepEqual([await probe, await other], [true, false]);
  assert.equal(status(upstream).state, "closed");
  assert.equal(status(upstream).consecutive_failures, 0);
  assert.equal(await upstream.load(places[5]!.latitude, places[5]!.longitude), true);
  assert.equal(stub.calls.length, 6);
});

Deno.test("createUpstream() status() reports calls, failures, times and the cache's figures", async () => {
  let fail = false;
  const stub = stubFetch((request) => fail ? new Response("{", { status: 200 }) : ours(request));
  const { upstream, clock } = upstreamOf(stub.fetch, { maxEntries: 10, ttlMs: 1000 });
  assert.deepEqual(upstream.status(), {
    url: "http://upstream.test",
    state: "closed",
    last_error: null,
    last_error_at: null,
    last_success_at: null,
    calls: 0,
    failures: 0,
    consecutive_failures: 0,
    in_flight: 0,
    paused_until: null,
    cache: { entries: 0, max_entries: 10, hits: 0, misses: 0, hit_rate: 0 },
  });
  upstream.peek(TOKYO.latitude, TOKYO.longitude); // miss
  await upstream.load(TOKYO.latitude, TOKYO.longitude);
  upstream.peek(TOKYO.latitude, TOKYO.longitude); // hit
  upstream.peek(TOKYO.latitude, TOKYO.longitude); // hit
  clock.time.now += 1000;
  upstream.peek(TOKYO.latitude, TOKYO.longitude); // stale: a miss
  fail = true;
  await upstream.load(PARIS.latitude, PARIS.longitude);
  const s = status(upstream);
  assert.equal(s.last_success_at, new Date(NOW).toISOString());
  assert.equal(s.last_error_at, new Date(NOW + 1000).toISOString());
  assert.match(s.last_error, /^The upstream's answer is not JSON: /);
  assert.equal(s.calls, 2);
  assert.equal(s.failures, 1);
  assert.equal(s.consecutive_failures, 1);
  assert.deepEqual(s.cache, { entries: 1, max_entries: 10, hits: 2, misses: 2, hit_rate: 0.5 });
  assert.doesNotThrow(() => JSON.stringify(s));
});

Deno.test("createUpstream() keeps at most maxEntries places, forgetting the least recently used", async () => {
  const stub = stubFetch(ours);
  const { upstream } = upstreamOf(stub.fetch, { maxEntries: 2 });
  await upstream.load(TOKYO.latitude, TOKYO.longitude);
  await upstream.load(PARIS.latitude, PARIS.longitude);
  upstream.peek(TOKYO.latitude, TOKYO.longitude); // Tokyo is now the most recently used
  await upstream.load(LIMA.latitude, LIMA.longitude);
  assert.equal(status(upstream).cache.entries, 2);
  assert.equal(upstream.peek(PARIS.latitude, PARIS.longitude), undefined);
  assert.ok(upstream.peek(TOKYO.latitude, TOKYO.longitude));
  assert.ok(upstream.peek(LIMA.latitude, LIMA.longitude));
});

Deno.test("createUpstream() peeks and loads nothing for coordinates out of range", async () => {
  const stub = stubFetch(ours);
  const { upstream } = upstreamOf(stub.fetch);
  assert.equal(upstream.peek(NaN, 0), undefined);
  assert.equal(await upstream.load(0, 181), false);
  assert.equal(await upstream.load(NaN, 0), false);
  assert.equal(stub.calls.length, 0);
});

Deno.test("fetchUpstreamWeather() throws a typed error whose kind says what failed", async () => {
  await assert.rejects(
    fetchUpstreamWeather("http://upstream.test", 1, 2, {
      fetch: stubFetch(() => new Response("no", { status: 502 })).fetch,
      retries: 0,
    }),
    (error) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.kind, "status");
      assert.equal(error.status, 502);
      assert.equal(error.transient, true);
      assert.equal(error.network, false);
      return true;
    },
  );
  await assert.rejects(
    fetchUpstreamWeather("http://upstream.test", 1, 2, {
      fetch: (() =>
        Promise.reject(new TypeError("error sending request: Connection refused"))) as typeof fetch,
      retries: 0,
    }),
    { name: "UpstreamError", kind: "unreachable", network: true },
  );
});

Deno.test("createUpstream() makes at most maxConcurrent calls at once, and every load still gets its answer", async () => {
  let active = 0, most = 0;
  const stub = stubFetch(async (request) => {
    active++;
    most = Math.max(most, active);
    await new Promise((resolve) => setTimeout(resolve, 5));
    active--;
    return ours(request);
  });
  const upstream = createUpstream({ base: "http://x", fetch: stub.fetch, maxConcurrent: 3 });
  const places = bundled.cities.slice(0, 12);
  const loaded = await Promise.all(places.map((c) => upstream.load(c.latitude, c.longitude)));
  assert.deepEqual(loaded, places.map(() => true));
  assert.equal(stub.calls.length, 12);
  assert.equal(most, 3);
  assert.throws(() => createUpstream({ base: "http://x", maxConcurrent: 0 }), RangeError);
});
