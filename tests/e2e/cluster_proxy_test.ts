// What a client sees through the cluster's nginx: the cache (one upstream request for a burst),
// every dialect's routes with ETag, 304 and compression, and the rate limits.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { fail, problem } from "../../src/problem.ts";
import { displayPath, ROUTES } from "../../src/routes.ts";
import { bundledHandler, rawRequest, waitFor } from "../_helpers.ts";
import { clusterTest, startCluster } from "../_cluster.ts";

const NOW = "2026-11-23T12:00:00Z";
/** The server's own answers at the clock the clusters below are frozen at. */
const handler = bundledHandler({ frozenClock: Date.parse(NOW) });

/** GETs `path` through `url` over a fresh connection: status, headers, body bytes as sent. */
function get(url: URL, path: string, headers: Record<string, string> = {}) {
  const lines = Object.entries(headers).map(([name, value]) => `\r\n${name}: ${value}`).join("");
  return rawRequest(url, `GET ${path} HTTP/1.1\r\nHost: ${url.host}${lines}`);
}

/** The access-log lines of requests for `path` among the instances' output. */
function logged(stderr: string, path: string): string[] {
  return stderr.split("\n").filter((line) => line.includes(` GET ${path} `));
}

clusterTest(
  "cluster: nginx answers a repeated request from its cache, and a burst of 500 reaches one instance once",
  async () => {
    await using cluster = await startCluster(["--instances", "2"]);
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const answer = await get(cluster.url, "/weather/Tokyo");
      assert.equal(answer.status, 200);
      statuses.push(answer.headers.get("x-cache-status"));
    }
    assert.deepEqual(statuses, ["MISS", "HIT", "HIT"]);
    await waitFor(() => logged(cluster.stderr(), "/weather/Tokyo").length === 1, "the one request logged");

    // 500 clients at once, each on a connection of its own, for a city nobody asked for yet.
    const answers = await Promise.all(
      Array.from({ length: 500 }, () => get(cluster.url, "/weather/Lima", { "accept-encoding": "gzip, br" })),
    );
    assert.deepEqual([...new Set(answers.map((answer) => answer.status))], [200]);
    const byStatus = Object.groupBy(answers, (answer) => answer.headers.get("x-cache-status") ?? "none");
    assert.equal(byStatus.MISS?.length, 1, JSON.stringify(Object.keys(byStatus)));
    assert.equal(byStatus.HIT?.length, 499);
    // The access log is written in batches: give the instances time to write a second line.
    await waitFor(() => logged(cluster.stderr(), "/weather/Lima").length > 0, "the request logged");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(logged(cluster.stderr(), "/weather/Lima").length, 1, "one request reached an instance");
    assert.equal((await cluster.stop()).code, 0);
  },
);

clusterTest(
  "cluster: every dialect answers through nginx as the server does, with ETag, 304, br and gzip",
  async () => {
    await using cluster = await startCluster(["--instances", "2", "--", "--now", NOW, "--quiet"]);
    const paths = [
      "/weather/Tokyo",
      "/get_forecast?city=Bombay&days=2&hours=3",
      "/v1/forecast?latitude=52.52&longitude=13.405&current=temperature_2m,wind_speed_10m&timezone=auto",
      "/v1/forecast?latitude=35.6762&longitude=139.6503&hourly=temperature_2m&format=flatbuffers",
      "/v1/search?name=Bombay&count=1",
      "/data/2.5/weather?q=London,uk&units=metric&appid=anything",
      "/data/3.0/onecall?lat=35.6762&lon=139.6503&appid=anything",
      "/geo/1.0/direct?q=London&appid=anything",
      "/openapi.json",
    ];
    for (const path of paths) {
      const direct = await handler(new Request(`http://localhost${path}`));
      const expected = new Uint8Array(await direct.arrayBuffer());
      const etag = direct.headers.get("etag")!;
      const first = await get(cluster.url, path);
      assert.equal(first.status, 200, path);
      assert.deepEqual(first.body, expected, `${path}: the server's bytes`);
      assert.equal(first.headers.get("etag"), etag, path);
      assert.equal(first.headers.get("x-cache-status"), "MISS", path);
      assert.equal((await get(cluster.url, path)).headers.get("x-cache-status"), "HIT", path);
      const revalidated = await get(cluster.url, path, { "if-none-match": etag });
      assert.equal(revalidated.status, 304, `${path}: If-None-Match`);
      assert.equal(revalidated.body.length, 0);
      // Each encoding is a variant of its own in the cache, as Vary: Accept-Encoding asks.
      for (const [encoding, decode] of [["br", brotliDecompressSync], ["gzip", gunzipSync]] as const) {
        const compressed = await get(cluster.url, path, { "accept-encoding": encoding });
        if (expected.length < 1024) {
          assert.equal(
            compressed.headers.get("content-encoding"),
            undefined,
            `${path}: small, sent as it is`,
          );
          continue;
        }
        assert.equal(compressed.headers.get("content-encoding"), encoding, path);
        assert.deepEqual(new Uint8Array(decode(compressed.body)), expected, `${path} ${encoding}`);
        assert.equal(compressed.headers.get("etag"), `W/${etag}`);
        const again = await get(cluster.url, path, {
          "accept-encoding": encoding,
          "if-none-match": `W/${etag}`,
        });
        assert.equal(again.status, 304, `${path} ${encoding}: If-None-Match`);
      }
      assert.equal(
        (await get(cluster.url, path)).headers.get("content-encoding"),
        undefined,
        "plain stays plain",
      );
    }

    // A POST to /v1/forecast is passed on, never cached.
    const form = "latitude=52.52&longitude=13.405&current=temperature_2m";
    const post = await rawRequest(
      cluster.url,
      `POST /v1/forecast HTTP/1.1\r\nHost: ${cluster.url.host}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}`,
      new TextEncoder().encode(form),
    );
    assert.equal(post.status, 200);
    assert.equal(post.headers.get("cache-control"), "no-store");
    assert.equal(post.headers.get("x-cache-status"), undefined);
    const body = JSON.parse(new TextDecoder().decode(post.body));
    assert.equal(body.current.time, "2026-11-23T12:00");

    // A client with the server as its HTTP proxy, as for api.openweathermap.org, through nginx too.
    const target = "http://api.openweathermap.org/data/2.5/weather?q=London,uk&units=metric&appid=anything";
    const proxied = await rawRequest(cluster.url, `GET ${target} HTTP/1.1\r\nHost: api.openweathermap.org`);
    assert.equal(proxied.status, 200);
    assert.equal(JSON.parse(new TextDecoder().decode(proxied.body)).name, "London");
    assert.equal((await cluster.stop()).code, 0);
  },
);

clusterTest(
  "cluster: /healthz is never cached, names the instance that answered, and a Prefer header reaches one",
  async () => {
    await using cluster = await startCluster(["--instances", "2", "--", "--quiet"]);
    const upstreams = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const health = await get(cluster.url, "/healthz");
      assert.equal(health.status, 200);
      assert.equal(health.headers.get("cache-control"), "no-store");
      assert.equal(health.headers.get("x-cache-status"), undefined);
      upstreams.add(health.headers.get("x-upstream")!);
    }
    const ports = cluster.processes().instances.map(({ port }) => `127.0.0.1:${port}`);
    assert.deepEqual([...upstreams].toSorted(), ports.toSorted(), "each instance answered");
    assert.equal((await get(cluster.url, "/weather/Tokyo")).status, 200);
    const simulated = await get(cluster.url, "/weather/Tokyo", { prefer: "code=503" });
    assert.equal(simulated.status, 503, "not the cached 200");
    assert.equal(simulated.headers.get("x-cache-status"), "BYPASS");
    const fresh = await get(cluster.url, "/weather/Tokyo", { "cache-control": "no-cache" });
    assert.equal(fresh.headers.get("x-cache-status"), "BYPASS");
    const ids = await Promise.all([1, 2].map(() => get(cluster.url, "/weather/Tokyo")));
    assert.equal(ids[0]!.headers.get("x-cache-status"), "HIT");
    assert.notEqual(
      ids[0]!.headers.get("x-request-id"),
      ids[1]!.headers.get("x-request-id"),
      "an id per answer",
    );
    const mine = await get(cluster.url, "/weather/Tokyo", { "x-request-id": "trace-42" });
    assert.equal(mine.headers.get("x-request-id"), "trace-42");
    assert.equal((await cluster.stop()).code, 0);
  },
);

clusterTest(
  "cluster --rate-limit: nginx answers 429 beyond it per client, in each API's error shape",
  async () => {
    await using cluster = await startCluster(["--instances", "1", "--rate-limit", "3/s", "--", "--quiet"]);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(cluster.url, "/weather/Tokyo")).status);
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(statuses.slice(3).includes(429), String(statuses));
    const detail = "Too many requests: the limit is 3 per 1 s per client";
    for (const route of ROUTES.filter((route) => route.api)) {
      const path = displayPath(route).replace(/\{city\}/g, "Tokyo").replace(/\{[a-z_]+\}/g, "1");
      let answer;
      for (let i = 0; i < 10 && answer?.status !== 429; i++) answer = await get(cluster.url, path);
      assert.equal(answer!.status, 429, path);
      const expected = route.errorBody?.(fail("rate_limited", detail)).body ??
        JSON.stringify(problem("rate_limited", detail));
      assert.equal(new TextDecoder().decode(answer!.body), expected, path);
      assert.equal(answer!.headers.get("retry-after"), "1");
      assert.equal(answer!.headers.get("cache-control"), "no-store");
      assert.match(
        answer!.headers.get("content-type")!,
        route.errorBody ? /^application\/json/ : /^application\/problem\+json$/,
      );
    }
    for (let i = 0; i < 10; i++) {
      assert.equal(
        (await get(cluster.url, "/healthz")).status,
        200,
        "health is not limited",
      );
    }
    assert.equal((await cluster.stop()).code, 0);
  },
);

clusterTest(
  "cluster: an instance's --rate-limit counts each client nginx names, which a forged header cannot change",
  async () => {
    // No cache: every request reaches the instance and its --rate-limit.
    await using cluster = await startCluster([
      "--instances",
      "1",
      "--no-cache",
      "--",
      "--rate-limit",
      "2/min",
      "--quiet",
    ]);
    const from = (address: string) => Deno.createHttpClient({ localAddress: address });
    using a = from("127.0.0.2");
    using b = from("127.0.0.3");
    const ask = async (client: Deno.HttpClient, headers: Record<string, string> = {}) => {
      const answer = await fetch(new URL("/weather/Tokyo", cluster.url), { client, headers });
      await answer.body?.cancel();
      return [answer.status, answer.headers.get("ratelimit-remaining")];
    };
    assert.deepEqual(await ask(a), [200, "1"]);
    assert.deepEqual(await ask(a, { "x-real-ip": "10.9.9.9", "x-forwarded-for": "10.9.9.9" }), [200, "0"]);
    assert.deepEqual(await ask(a, { "x-forwarded-for": "10.1.1.1" }), [429, "0"]);
    assert.deepEqual(await ask(b), [200, "1"], "another client has its own window");
    assert.equal((await cluster.stop()).code, 0);
  },
);
