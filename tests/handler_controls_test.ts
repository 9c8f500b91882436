// Mock-API controls in the handler: latency, seeded faults, rate limits and Prefer.
import assert from "node:assert/strict";
import { type ConnectionInfo, createHandler, type HandlerOptions } from "../src/handler.ts";
import type { MockControls } from "../src/mock_controls.ts";
import { bundled } from "./_helpers.ts";

function harness(controls: MockControls, extra: HandlerOptions = {}) {
  const slept: number[] = [];
  const handler = createHandler({ current: bundled }, {
    controls,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...extra,
  });
  const call = async (path: string, headers: Record<string, string> = {}, info?: ConnectionInfo) => {
    const response = await handler(new Request(new URL(path, "http://localhost"), { headers }), info);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return { call, slept };
}

const from = (hostname: string): ConnectionInfo => ({ remoteAddr: { hostname } });

Deno.test("createHandler() without controls adds no latency and no control headers", async () => {
  const { call, slept } = harness({});
  const { status, headers } = await call("/weather/Tokyo");
  assert.equal(status, 200);
  assert.deepEqual(slept, []);
  for (const name of ["ratelimit-limit", "retry-after", "preference-applied"]) {
    assert.equal(headers.get(name), null);
  }
});

Deno.test("createHandler() --delay adds latency within bounds on API routes only", async () => {
  const { call, slept } = harness({ delay: { min: 100, max: 300 }, seed: 1 });
  for (let i = 0; i < 50; i++) assert.equal((await call("/weather/Tokyo")).status, 200);
  assert.equal(slept.length, 50);
  assert.ok(slept.every((ms) => ms >= 100 && ms <= 300), String(slept));
  assert.ok(new Set(slept).size > 10, "delays should vary");
  await call("/healthz");
  await call("/openapi.json");
  assert.equal(slept.length, 50);
  const fixed = harness({ delay: { min: 250, max: 250 } });
  await fixed.call("/weather/cities");
  assert.deepEqual(fixed.slept, [250]);
});

Deno.test("createHandler() --fail-rate answers that fraction with 503, the same way for a seed", async () => {
  const run = async (seed: number) => {
    const { call } = harness({ failRate: 0.3, seed });
    const statuses: number[] = [];
    for (let i = 0; i < 400; i++) statuses.push((await call("/get_weather?city=Lima")).status);
    return statuses;
  };
  const first = await run(42);
  assert.deepEqual(await run(42), first);
  assert.notDeepEqual(await run(43), first);
  const failures = first.filter((s) => s === 503).length;
  assert.ok(failures > 80 && failures < 160, `${failures} of 400`);
  assert.ok(first.every((s) => s === 200 || s === 503));
});

Deno.test("createHandler() --fail-rate answers 503 in the error shape with Retry-After", async () => {
  const { call } = harness({ failRate: 1 });
  const { status, headers, body } = await call("/weather/Tokyo");
  assert.equal(status, 503);
  assert.equal(headers.get("retry-after"), "1");
  assert.equal(headers.get("content-type"), "application/problem+json; charset=utf-8");
  assert.equal(body.code, "service_unavailable");
  assert.equal(body.simulated, true);
  assert.equal((await call("/healthz")).status, 200);
});

Deno.test("createHandler() --rate-limit answers 429 per client address with RateLimit headers", async () => {
  let now = 0;
  const { call } = harness({ rateLimit: { limit: 2, windowMs: 1000 } }, { now: () => now });
  const a1 = await call("/weather/Tokyo", {}, from("10.0.0.1"));
  assert.equal(a1.status, 200);
  assert.equal(a1.headers.get("ratelimit-limit"), "2");
  assert.equal(a1.headers.get("ratelimit-remaining"), "1");
  assert.equal(a1.headers.get("ratelimit-reset"), "1");
  assert.equal((await call("/weather/Tokyo", {}, from("10.0.0.1"))).headers.get("ratelimit-remaining"), "0");
  const limited = await call("/weather/Tokyo", {}, from("10.0.0.1"));
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "1");
  assert.equal(limited.body.code, "rate_limited");
  assert.equal(limited.body.detail, "Too many requests: the limit is 2 per 1 s per client");
  assert.equal((await call("/weather/Tokyo", {}, from("10.0.0.2"))).status, 200);
  assert.equal((await call("/healthz", {}, from("10.0.0.1"))).status, 200);
  now += 1000;
  assert.equal((await call("/weather/Tokyo", {}, from("10.0.0.1"))).status, 200);
});

Deno.test("createHandler() --rate-limit counts the client a --trust-proxy proxy names, and only then", async () => {
  const limited = async (trustProxy: string[] | undefined) => {
    const { call } = harness({ rateLimit: { limit: 1, windowMs: 1000 } }, { now: () => 0, trustProxy });
    const statuses = [];
    for (const client of ["10.0.0.1", "10.0.0.2", "10.0.0.1"]) {
      statuses.push((await call("/weather/Tokyo", { "x-real-ip": client }, from("127.0.0.1"))).status);
    }
    return statuses;
  };
  assert.deepEqual(await limited(["127.0.0.1"]), [200, 200, 429]);
  assert.deepEqual(await limited(undefined), [200, 429, 429], "without trust, all come from the proxy");
});

Deno.test("createHandler() honours Prefer: code= with the error shape and Preference-Applied", async () => {
  const { call } = harness({});
  for (
    const [code, name] of [[503, "service_unavailable"], [500, "internal_error"], [404, "not_found"], [
      429,
      "rate_limited",
    ]] as const
  ) {
    const { status, headers, body } = await call("/weather/Tokyo", { prefer: `code=${code}` });
    assert.equal(status, code);
    assert.equal(body.code, name);
    assert.equal(body.status, code);
    assert.equal(body.simulated, true);
    assert.equal(headers.get("preference-applied"), `code=${code}`);
    assert.equal(headers.get("retry-after"), code === 503 || code === 429 ? "1" : null);
  }
  const notApi = await call("/healthz", { prefer: "code=503" });
  assert.equal(notApi.status, 200);
  assert.equal(notApi.headers.get("preference-applied"), null);
});

Deno.test("createHandler() honours Prefer: delay= and ignores bad preferences", async () => {
  const { call, slept } = harness({ delay: { min: 10, max: 10 } });
  const delayed = await call("/weather/cities", { prefer: "delay=300" });
  assert.equal(delayed.status, 200);
  assert.equal(delayed.headers.get("preference-applied"), "delay=300");
  assert.deepEqual(slept, [310]);
  const ignored = await call("/weather/cities", { prefer: "code=418, delay=soon, wait=5" });
  assert.equal(ignored.status, 200);
  assert.equal(ignored.headers.get("preference-applied"), null);
  assert.deepEqual(slept, [310, 10]);
});

Deno.test("createHandler() reports active controls in /healthz", async () => {
  const { call } = harness({
    delay: { min: 5, max: 9 },
    failRate: 0.5,
    seed: 3,
    rateLimit: { limit: 9, windowMs: 1000 },
  });
  assert.deepEqual((await call("/healthz")).body.controls, {
    delay_ms: [5, 9],
    fail_rate: 0.5,
    seed: 3,
    rate_limit: { limit: 9, window_s: 1 },
  });
  assert.deepEqual((await harness({}).call("/healthz")).body.controls, {
    delay_ms: null,
    fail_rate: null,
    seed: null,
    rate_limit: null,
  });
});
