// A server with --upstream, against this project's own server as the upstream (same clock and
// seed: every dialect must answer exactly its weather), and against the ways an upstream fails.
import assert from "node:assert/strict";
import { createHandler, type Handler, type HandlerOptions } from "../src/handler.ts";
import { createUpstream, type UpstreamOptions } from "../src/upstream.ts";
import { upstreamWeather } from "../src/weather_scope.ts";
import { loadDataset } from "../src/dataset.ts";
import { bundled, DATA_PATH, startServer, waitFor } from "./_helpers.ts";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const SEED = 7;
const MODEL: HandlerOptions = { frozenClock: NOW, controls: { seed: SEED } };
const upstreamHandler = createHandler({ current: bundled }, MODEL);

/** How a stub upstream answers: as our server, or failing in one way. */
type Mode = "ok" | "fail" | "slow" | "429" | "bad json" | "wrong shape" | "implausible" | "far time";

const failing = createHandler({ current: bundled }, { ...MODEL, controls: { seed: SEED, failRate: 1 } });
const slow = createHandler({ current: bundled }, {
  ...MODEL,
  controls: { seed: SEED, delay: { min: 2500, max: 2500 } },
});

async function answerIn(mode: Mode, request: Request): Promise<Response> {
  switch (mode) {
    case "ok":
      return upstreamHandler(request);
    case "fail":
      return failing(request);
    case "slow":
      return slow(request);
    case "429":
      return new Response('{"error":true,"reason":"Too many requests"}', {
        status: 429,
        headers: { "retry-after": "1" },
      });
    case "bad json":
      return new Response('{"latitude": 35.7, "hourly": [', {
        headers: { "content-type": "application/json" },
      });
    case "wrong shape":
      return Response.json({ latitude: 35.7, longitude: 139.7, current: { time: NOW / 1000 } });
    case "implausible": {
      const body = await (await upstreamHandler(new Request(request.url))).json();
      body.hourly.temperature_2m[3] = 500;
      return Response.json(body);
    }
    case "far time": {
      // Whole and on a quarter hour, but past the last instant a Date can hold.
      const body = await (await upstreamHandler(new Request(request.url))).json();
      body.current.time = 9e12;
      return Response.json(body);
    }
  }
}

/** A loopback upstream whose mode the test switches, counting the forecast requests it gets. */
function stubUpstream(mode: Mode = "ok") {
  const state = { mode, calls: 0 };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    if (new URL(request.url).pathname === "/v1/forecast") state.calls++;
    return answerIn(state.mode, request);
  });
  return {
    state,
    base: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A server with an upstream at `base`, on a clock of the upstream's own that the test moves. */
function liveServer(base: string, options: Partial<UpstreamOptions> = {}, waitMs = 5000) {
  const time = { now: Date.now() };
  const upstream = createUpstream({
    base,
    // Generous: the suite runs files in parallel on a small machine.
    timeoutMs: 4000,
    retries: 1,
    negativeTtlMs: 1000,
    breakerThreshold: 3,
    breakerCooldownMs: 5000,
    maxRetryAfterMs: 0,
    now: () => time.now,
    sleep: () => Promise.resolve(),
    ...options,
  });
  const handler = createHandler({ current: bundled }, {
    ...MODEL,
    upstream: { source: upstreamWeather(upstream), waitMs },
  });
  return {
    time,
    handler,
    upstream,
    /** Waits for the loads still under way, so that no fetch outlives the test. */
    settled: () => waitFor(() => upstream.status().in_flight === 0, "the upstream's loads to end", 15_000),
  };
}

async function get(handler: Handler, path: string, init?: RequestInit) {
  const response = await handler(new Request(`http://localhost${path}`, init));
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: new TextDecoder().decode(body) };
}

async function health(handler: Handler) {
  return JSON.parse((await get(handler, "/healthz")).text).upstream;
}

/** A request of every dialect for a data city (Tokyo) and for coordinates no city is at. */
const DIALECT_PATHS = [
  "/weather/Tokyo/forecast?days=16&hours=48",
  "/get_forecast?city=Lima&units=imperial&days=3",
  "/v1/forecast?latitude=35.6762&longitude=139.6503&current=temperature_2m,weather_code,precipitation" +
  "&hourly=temperature_2m,apparent_temperature,precipitation,weather_code,wind_speed_10m,is_day" +
  "&daily=temperature_2m_max,temperature_2m_min,weather_code,precipitation_sum&timezone=auto&past_days=1",
  "/v1/forecast?latitude=48.1&longitude=11.6&hourly=temperature_2m,cloud_cover&forecast_days=3&format=flatbuffers",
  "/v1/forecast?latitude=52.52,40.71&longitude=13.41,-74.01&current_weather=true&timezone=auto",
  "/data/2.5/weather?q=Paris&appid=k",
  "/data/2.5/forecast?lat=-33.87&lon=151.21&units=imperial&appid=k",
  "/data/3.0/onecall?lat=35.6762&lon=139.6503&exclude=minutely&appid=k",
  "/data/3.0/onecall/timemachine?lat=40.4168&lon=-3.7038&dt=1795413600&appid=k",
];

Deno.test("A server with --upstream answers every dialect with exactly the upstream's weather", async () => {
  await using up = stubUpstream();
  const live = liveServer(up.base);
  for (const path of DIALECT_PATHS) {
    const [a, b] = [await get(upstreamHandler, path), await get(live.handler, path)];
    assert.equal(b.status, 200, `${path}: ${b.text.slice(0, 200)}`);
    // The first answer for a place waited for the upstream; a place asked before is in the cache.
    assert.ok(["upstream", "cache"].includes(b.headers.get("x-weather-source")!), path);
    assert.deepEqual(b.body, a.body, path);
  }
  // The tutorial's current weather: the upstream's, stamped with its 15-minute slot.
  const a = JSON.parse((await get(upstreamHandler, "/weather/Tokyo")).text);
  const b = JSON.parse((await get(live.handler, "/weather/Tokyo")).text);
  assert.equal(b.current.observed_at, "2026-11-23T21:00:00+09:00");
  assert.deepEqual({ ...b.current, observed_at: null }, { ...a.current, observed_at: null });
  const post = await get(live.handler, "/v1/forecast", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ latitude: 35.6762, longitude: 139.6503, hourly: ["temperature_2m"] }),
  });
  assert.equal(post.headers.get("x-weather-source"), "cache");
  assert.deepEqual(
    JSON.parse(post.text).hourly,
    JSON.parse(
      (await get(upstreamHandler, "/v1/forecast?latitude=35.6762&longitude=139.6503&hourly=temperature_2m"))
        .text,
    )
      .hourly,
  );
  // Asked again: from the cache, and the same bytes.
  const again = await get(live.handler, DIALECT_PATHS[0]!);
  assert.equal(again.headers.get("x-weather-source"), "cache");
  assert.deepEqual(again.body, (await get(upstreamHandler, DIALECT_PATHS[0]!)).body);
  await live.settled();
});

Deno.test("A server with --upstream keeps ETags, 304s, compression and CORS, and exposes X-Weather-Source", async () => {
  await using up = stubUpstream();
  const live = liveServer(up.base);
  const path = "/data/3.0/onecall?lat=35.6762&lon=139.6503&appid=k";
  const first = await get(live.handler, path, {
    headers: { "accept-encoding": "br", origin: "https://app.example" },
  });
  assert.equal(first.headers.get("content-encoding"), "br");
  const etag = first.headers.get("etag")!;
  const again = await get(live.handler, path, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("x-weather-source"), "cache");
  const cors = createHandler({ current: bundled }, {
    ...MODEL,
    cors: { kind: "any" },
    upstream: { source: upstreamWeather(live.upstream), waitMs: 5000 },
  });
  const read = await get(cors, path, { headers: { origin: "https://app.example" } });
  assert.match(read.headers.get("access-control-expose-headers")!, /X-Weather-Source/);
  assert.equal(read.headers.get("x-weather-source"), "cache");
  await live.settled();
});

Deno.test("A server with --upstream makes one upstream call for 500 concurrent requests for one city", async () => {
  await using up = stubUpstream();
  const live = liveServer(up.base);
  const answers = await Promise.all(
    Array.from(
      { length: 500 },
      (_, i) => get(live.handler, i % 2 ? "/weather/Tokyo" : "/get_forecast?city=tokyo"),
    ),
  );
  assert.equal(up.state.calls, 1);
  assert.ok(answers.every((a) => a.status === 200 && a.headers.get("x-weather-source") === "upstream"));
  // Another city is another call; the first is not asked again within its TTL.
  await get(live.handler, "/weather/Paris");
  await get(live.handler, "/weather/Tokyo");
  assert.equal(up.state.calls, 2);
  const status = await health(live.handler);
  assert.equal(status.cache.entries, 2);
  assert.equal(status.calls, 2);
  // Each of the first 500 requests missed once (the rerun after the wait is not counted again);
  // Paris missed once, and Tokyo's last request hit.
  assert.deepEqual([status.cache.misses, status.cache.hits], [501, 1]);
  await live.settled();
});

Deno.test("A server without --upstream never connects out, and sends no X-Weather-Source", async () => {
  const original = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (() => {
    calls++;
    return Promise.reject(new Error("no connection expected"));
  }) as typeof fetch;
  try {
    for (const path of [...DIALECT_PATHS, "/weather/Tokyo", "/", "/city/Tokyo"]) {
      const answer = await get(upstreamHandler, path);
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers.get("x-weather-source"), null, path);
    }
    assert.equal(JSON.parse((await get(upstreamHandler, "/healthz")).text).upstream, null);
  } finally {
    globalThis.fetch = original;
  }
  assert.equal(calls, 0);
});

/**
 * One fault: the upstream answers well, then fails in `mode`. Every answer is a 200: the cached
 * city "stale" once its TTL is past, another city "model"; /healthz tells why; and when the
 * upstream answers well again, so does the server.
 */
async function faultCase(mode: Mode, lastError: RegExp, options: Partial<UpstreamOptions> = {}) {
  await using up = stubUpstream();
  const live = liveServer(up.base, { ttlMs: 60_000, ...options });
  assert.equal((await get(live.handler, "/weather/Tokyo")).headers.get("x-weather-source"), "upstream");
  up.state.mode = mode;
  live.time.now += 61_000;
  for (const path of ["/weather/Tokyo", "/weather/Tokyo/forecast", "/data/2.5/weather?q=Tokyo&appid=k"]) {
    const answer = await get(live.handler, path);
    assert.equal(answer.status, 200, `${mode}: ${path}`);
    assert.equal(answer.headers.get("x-weather-source"), "stale", `${mode}: ${path}`);
  }
  for (const path of ["/weather/Madrid", "/v1/forecast?latitude=1&longitude=2&hourly=temperature_2m"]) {
    const answer = await get(live.handler, path);
    assert.equal(answer.status, 200, `${mode}: ${path}`);
    assert.equal(answer.headers.get("x-weather-source"), "model", `${mode}: ${path}`);
  }
  await live.settled();
  const status = await health(live.handler);
  assert.match(status.last_error, lastError, mode);
  assert.ok(status.failures >= 1, mode);
  // Back to health: after the failed places' pause (and the circuit's rest, if it opened).
  up.state.mode = "ok";
  live.time.now += 6000;
  await waitFor(
    async () => {
      live.time.now += 6000;
      const answer = await get(live.handler, "/weather/Madrid");
      return answer.headers.get("x-weather-source") === "upstream";
    },
    `${mode}: recovery`,
    20_000,
  );
  assert.equal((await get(live.handler, "/weather/Tokyo")).headers.get("x-weather-source"), "upstream");
  assert.equal((await health(live.handler)).state, "closed");
  await live.settled();
}

Deno.test("A server with --upstream rides out an upstream answering 503 (--fail-rate 1)", () =>
  faultCase("fail", /503/));
Deno.test("A server with --upstream rides out an upstream slower than its timeout (--delay)", () =>
  faultCase("slow", /no answer within 1000 ms/, { timeoutMs: 1000 }));
Deno.test("A server with --upstream rides out a 429 with Retry-After", () => faultCase("429", /429/));
Deno.test("A server with --upstream rides out an upstream answering bad JSON", () =>
  faultCase("bad json", /JSON/));
Deno.test("A server with --upstream rides out an answer of the wrong shape", () =>
  faultCase("wrong shape", /hourly|shape|expected/i));
Deno.test("A server with --upstream rides out implausible values", () =>
  faultCase("implausible", /temperature/));

Deno.test("A server with --upstream answers 200 from the model when the upstream's current time is beyond any date", async () => {
  await using up = stubUpstream("far time");
  const live = liveServer(up.base);
  for (
    const path of [
      "/weather/Tokyo",
      "/v1/forecast?latitude=35.6762&longitude=139.6503&current=temperature_2m",
    ]
  ) {
    const answer = await get(live.handler, path);
    assert.equal(answer.status, 200, `${path}: ${answer.text.slice(0, 200)}`);
    assert.equal(answer.headers.get("x-weather-source"), "model", path);
  }
  await live.settled();
  assert.match((await health(live.handler)).last_error, /current\.time/);
});

Deno.test("A server with --upstream waits at most --upstream-timeout for a slow upstream", async () => {
  await using up = stubUpstream("slow");
  const live = liveServer(up.base, { timeoutMs: 4000, retries: 0 }, 100);
  const answer = await get(live.handler, "/weather/Tokyo");
  assert.equal(answer.headers.get("x-weather-source"), "model");
  // Answered while the upstream's answer (2.5 s away) was still on its way.
  assert.equal((await health(live.handler)).in_flight, 1);
  await live.settled();
  assert.equal((await get(live.handler, "/weather/Tokyo")).headers.get("x-weather-source"), "cache");
});

Deno.test("A server with --upstream survives its upstream killed under load, and recovers when it is back", async () => {
  const args = ["--now", new Date(NOW).toISOString(), "--seed", String(SEED), "--quiet"];
  let upstream = await startServer(args);
  const port = upstream.url.port;
  const live = liveServer(upstream.url.origin, { ttlMs: 60_000 });
  const cities = bundled.cities.slice(0, 12).map((c) => encodeURIComponent(c.name));
  const statuses = new Map<number, number>(), sources = new Map<string, number>();
  let stop = false, requests = 0;
  const worker = async (k: number) => {
    for (let i = k; !stop; i += 7) {
      const answer = await get(live.handler, `/weather/${cities[i % cities.length]}/forecast?days=2&hours=6`);
      requests++;
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const source = answer.headers.get("x-weather-source") ?? "none";
      sources.set(source, (sources.get(source) ?? 0) + 1);
      // Answers from the cache come without a macrotask: let the test's timers run.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, k) => worker(k)));
  await waitFor(() => requests > 50, "load before the kill", 20_000);
  upstream.child.kill("SIGKILL");
  await upstream.stop();
  live.time.now += 61_000;
  const killedAt = requests;
  await waitFor(() => requests > killedAt + 100, "load after the kill", 20_000);
  stop = true;
  await load;
  assert.deepEqual([...statuses.keys()], [200], `statuses ${JSON.stringify([...statuses])}`);
  assert.ok((sources.get("stale") ?? 0) > 0, `sources ${JSON.stringify([...sources])}`);
  assert.equal(sources.get("none"), undefined);
  await live.settled();
  assert.match((await health(live.handler)).last_error, /connect|refused|unreachable/i);
  // The upstream is back on its port: the server asks it again and answers its weather.
  upstream = await startServer([...args, "--port", port]);
  try {
    await waitFor(
      async () => {
        live.time.now += 10_000;
        const answer = await get(live.handler, `/weather/${cities[0]}`);
        return answer.headers.get("x-weather-source") === "upstream";
      },
      "recovery",
      20_000,
    );
    await live.settled();
  } finally {
    await upstream.stop();
  }
});

Deno.test("Servers with --upstream in two processes never give different FlatBuffers answers one ETag", async () => {
  // Each worker of serve:parallel, and a server after a restart, numbers its upstream answers
  // from 1 anew: a module of its own, and a dataset of its own, stand for another process.
  const path = "/v1/forecast?latitude=35.6762&longitude=139.6503&hourly=temperature_2m&format=flatbuffers";
  const answers = [];
  for (const [worker, warmer] of [["a", 0], ["b", 3]] as const) {
    const { createUpstream } = await import(
      `../src/upstream.ts?worker=${worker}`
    ) as typeof import("../src/upstream.ts");
    const upstream = createUpstream({
      base: "http://upstream.test",
      fetch: async (input) => {
        const body = await (await upstreamHandler(new Request(String(input)))).json();
        body.hourly.temperature_2m = body.hourly.temperature_2m.map((t: number) => t + warmer);
        return Response.json(body);
      },
    });
    const handler = createHandler({ current: await loadDataset(DATA_PATH) }, {
      ...MODEL,
      upstream: { source: upstreamWeather(upstream), waitMs: 5000 },
    });
    answers.push(await get(handler, path));
  }
  const [a, b] = answers;
  assert.equal(a!.headers.get("x-weather-source"), "upstream");
  assert.notDeepEqual(a!.body, b!.body);
  assert.notEqual(a!.headers.get("etag"), b!.headers.get("etag"));
});

Deno.test("A server with --upstream answers If-Modified-Since with the upstream's newer weather, not a 304", async () => {
  const upstream = { warmer: 0 };
  const live = liveServer("http://upstream.test", {
    ttlMs: 60_000,
    fetch: async (input) => {
      const body = await (await upstreamHandler(new Request(String(input)))).json();
      body.current.temperature_2m += upstream.warmer;
      return Response.json(body);
    },
  });
  const paths = [
    "/data/2.5/weather?q=Tokyo&appid=k",
    "/weather/Tokyo/forecast",
    "/v1/forecast?latitude=35.6762&longitude=139.6503&current=temperature_2m",
  ];
  for (const path of paths) {
    upstream.warmer = 0;
    live.time.now += 61_000;
    const first = await get(live.handler, path);
    assert.equal(first.headers.get("x-weather-source"), "upstream", path);
    // The upstream's weather changes within the model's 15-minute slot.
    upstream.warmer = 3;
    live.time.now += 61_000;
    const since = first.headers.get("last-modified")!;
    const again = await get(live.handler, path, { headers: { "if-modified-since": since } });
    assert.equal(again.headers.get("x-weather-source"), "upstream", path);
    assert.equal(again.status, 200, path);
    assert.notDeepEqual(again.body, first.body, path);
  }
  await live.settled();
});

Deno.test("A server with --upstream names no weather source on an error answer", async () => {
  await using up = stubUpstream();
  const live = liveServer(up.base);
  const answer = await get(
    live.handler,
    "/data/3.0/onecall/timemachine?lat=35.6762&lon=139.6503&dt=1&appid=k",
  );
  assert.equal(answer.status, 400);
  assert.equal(answer.headers.get("x-weather-source"), null);
  // A time the model does not cover is refused without asking the upstream.
  assert.equal(up.state.calls, 0);
  await live.settled();
});
