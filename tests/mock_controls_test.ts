import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDelay, parseFailRate, parseRateLimit, parseServerArgs } from "../src/cli_args.ts";
import {
  controlsReport,
  describeControls,
  parsePrefer,
  RateLimiter,
  seededRandom,
} from "../src/mock_controls.ts";

Deno.test("parsePrefer() reads code and delay and lists what it applied", () => {
  assert.deepEqual(parsePrefer("code=503"), { code: 503, applied: ["code=503"] });
  assert.deepEqual(parsePrefer("delay=300, code=429"), {
    code: 429,
    delay: 300,
    applied: ["delay=300", "code=429"],
  });
  assert.deepEqual(parsePrefer('code="404"; foo=bar, respond-async'), { code: 404, applied: ["code=404"] });
  assert.deepEqual(parsePrefer("CODE=500"), { code: 500, applied: ["code=500"] });
  assert.deepEqual(parsePrefer("code=503, code=500"), { code: 503, applied: ["code=503"] });
});

Deno.test("parsePrefer() ignores bad or unsupported values", () => {
  for (
    const header of [
      null,
      "",
      "code=200",
      "code=418",
      "code=abc",
      "delay=-5",
      "delay=60001",
      "delay",
      "return=minimal",
    ]
  ) {
    assert.deepEqual(parsePrefer(header), { applied: [] }, String(header));
  }
  fc.assert(fc.property(fc.string(), (header) => {
    const prefs = parsePrefer(header);
    assert.ok(prefs.code === undefined || [400, 404, 405, 414, 429, 500, 503].includes(prefs.code));
    assert.ok(prefs.delay === undefined || (prefs.delay >= 0 && prefs.delay <= 60_000));
  }));
});

Deno.test("seededRandom() repeats its sequence for a seed and stays in [0, 1)", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const first = Array.from({ length: 100 }, () => a());
  assert.deepEqual(Array.from({ length: 100 }, () => b()), first);
  assert.notDeepEqual(Array.from({ length: 100 }, seededRandom(43)), first);
  assert.ok(first.every((x) => x >= 0 && x < 1));
});

Deno.test("RateLimiter counts per key in fixed windows", () => {
  let now = 1_000;
  const limiter = new RateLimiter(3, 1000, () => now);
  assert.deepEqual(limiter.hit("a"), { allowed: true, limit: 3, remaining: 2, reset: 1 });
  limiter.hit("a");
  assert.deepEqual(limiter.hit("a"), { allowed: true, limit: 3, remaining: 0, reset: 1 });
  assert.deepEqual(limiter.hit("a"), { allowed: false, limit: 3, remaining: 0, reset: 1 });
  assert.equal(limiter.hit("b").allowed, true);
  now += 999;
  assert.equal(limiter.hit("a").allowed, false);
  now += 1;
  assert.deepEqual(limiter.hit("a"), { allowed: true, limit: 3, remaining: 2, reset: 1 });
  const perMinute = new RateLimiter(1, 60_000, () => now);
  perMinute.hit("c");
  now += 15_000;
  assert.deepEqual(perMinute.hit("c"), { allowed: false, limit: 1, remaining: 0, reset: 45 });
});

Deno.test("parseDelay(), parseFailRate() and parseRateLimit() accept the documented forms", () => {
  assert.deepEqual(parseDelay("200"), { min: 200, max: 200 });
  assert.deepEqual(parseDelay("100-500"), { min: 100, max: 500 });
  assert.throws(() => parseDelay("500-100"), RangeError);
  assert.throws(() => parseDelay("60001"), RangeError);
  assert.throws(() => parseDelay("fast"), TypeError);
  assert.throws(() => parseDelay("-5"), TypeError);
  assert.equal(parseFailRate("0.25"), 0.25);
  assert.equal(parseFailRate("1"), 1);
  assert.equal(parseFailRate(".5"), 0.5);
  assert.throws(() => parseFailRate("1.5"), RangeError);
  assert.throws(() => parseFailRate("-0.1"), TypeError);
  assert.throws(() => parseFailRate("half"), TypeError);
  assert.deepEqual(parseRateLimit("10/s"), { limit: 10, windowMs: 1000 });
  assert.deepEqual(parseRateLimit("100/min"), { limit: 100, windowMs: 60_000 });
  assert.deepEqual(parseRateLimit("5/m"), { limit: 5, windowMs: 60_000 });
  assert.throws(() => parseRateLimit("0/s"), RangeError);
  assert.throws(() => parseRateLimit("10/hour"), TypeError);
  assert.throws(() => parseRateLimit("10"), TypeError);
});

Deno.test("parseServerArgs() gathers the mock controls", () => {
  const command = parseServerArgs([
    "--delay",
    "50-80",
    "--fail-rate",
    "0.1",
    "--seed",
    "7",
    "--rate-limit",
    "20/s",
  ]);
  assert.equal(command.kind, "serve");
  assert.deepEqual(command.kind === "serve" && command.options.controls, {
    delay: { min: 50, max: 80 },
    failRate: 0.1,
    seed: 7,
    rateLimit: { limit: 20, windowMs: 1000 },
  });
  assert.throws(() => parseServerArgs(["--seed", "x"]), /Invalid seed/);
});

Deno.test("describeControls() and controlsReport() name what is on", () => {
  assert.equal(describeControls({}), "");
  const controls = {
    delay: { min: 50, max: 80 },
    failRate: 0.1,
    seed: 7,
    rateLimit: { limit: 20, windowMs: 60_000 },
  };
  assert.equal(describeControls(controls), "delay 50-80 ms, fail-rate 0.1 (seed 7), rate-limit 20/min");
  assert.deepEqual(controlsReport(controls), {
    delay_ms: [50, 80],
    fail_rate: 0.1,
    seed: 7,
    rate_limit: { limit: 20, window_s: 60 },
  });
  assert.deepEqual(controlsReport({}), { delay_ms: null, fail_rate: null, seed: null, rate_limit: null });
});
