// Mock-API controls end to end: the real server with faults switched on, the real client coping.
import assert from "node:assert/strict";
import { seededRandom } from "../../src/mock_controls.ts";
import { runEntry, startServer } from "../_helpers.ts";

Deno.test("server.ts names active mock controls on start and in /healthz", async () => {
  await using server = await startServer(["--quiet", "--delay", "1-2", "--fail-rate", "0.25", "--seed", "9"]);
  assert.match(server.banner, /; mock controls: delay 1-2 ms, fail-rate 0\.25 \(seed 9\)\)$/);
  const health = await (await fetch(new URL("/healthz", server.url))).json();
  assert.deepEqual(health.controls, { delay_ms: [1, 2], fail_rate: 0.25, seed: 9, rate_limit: null });
  const ran = await runEntry("client.ts", ["--url", server.url.href, "health"]);
  assert.equal(ran.code, 0);
  assert.equal(ran.stderr, "");
  assert.match(ran.stdout, /\n {2}mock controls: delay 1-2 ms, fail-rate 0\.25\n$/);
});

Deno.test("server.ts --fail-rate with --seed fails the same requests every run", async () => {
  const statuses = async () => {
    await using server = await startServer(["--quiet", "--fail-rate", "0.5", "--seed", "1234"]);
    const seen: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await fetch(new URL("/weather/cities", server.url));
      await response.body?.cancel();
      seen.push(response.status);
    }
    return seen;
  };
  const first = await statuses();
  assert.deepEqual(await statuses(), first);
  assert.ok(first.includes(503) && first.includes(200), String(first));
});

Deno.test("client.ts retries through a flaky server and succeeds", async () => {
  // Pick a seed whose first draw fails and second succeeds at a 0.5 fail rate.
  let seed = 0;
  for (;; seed++) {
    const draw = seededRandom(seed);
    if (draw() < 0.5 && draw() >= 0.5) break;
  }
  await using server = await startServer(["--quiet", "--fail-rate", "0.5", "--seed", String(seed)]);
  const ran = await runEntry("client.ts", ["--url", server.url.href, "cities", "--json"]);
  assert.equal(ran.code, 0);
  assert.equal(JSON.parse(ran.stdout).cities[0], "Tokyo");
  assert.equal(ran.stderr, "", "--json notes no retries");
  const human = await runEntry("client.ts", ["--url", server.url.href, "--retries", "5", "cities"]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^\d+ cities\n/);
});

Deno.test("client.ts gives up on a server that always fails with exit 3", async () => {
  await using server = await startServer(["--quiet", "--fail-rate", "1"]);
  const ran = await runEntry("client.ts", ["--url", server.url.href, "--retries", "1", "weather", "Tokyo"]);
  assert.equal(ran.code, 3);
  assert.equal(ran.stdout, "");
  assert.match(
    ran.stderr,
    /^retry: attempt 1 of 2 failed \(503 Simulated outage: the server runs with --fail-rate\); trying again in 1\.0 s\n/,
  );
  assert.match(ran.stderr, /\nerror: Simulated outage: the server runs with --fail-rate\n$/);
});

Deno.test("client.ts waits out a rate limit as Retry-After says", async () => {
  await using server = await startServer(["--quiet", "--rate-limit", "1/s"]);
  const ran = await runEntry("client.ts", ["--url", server.url.href]);
  assert.equal(ran.code, 0);
  assert.match(ran.stdout, /^\d+ cities\n[\s\S]*\nTokyo, JP /);
  assert.match(
    ran.stderr,
    /^retry: attempt 1 of 3 failed \(429 Too many requests: the limit is 1 per 1 s per client\); /,
  );
});
