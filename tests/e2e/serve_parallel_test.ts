import assert from "node:assert/strict";
import { join } from "node:path";
import { createHandler } from "../../src/handler.ts";
import {
  bundled,
  datasetOf,
  rawRequest,
  ROOT,
  type ServerProcess,
  spawnServer,
  tempFile,
  versionFile,
  waitFor,
} from "../_helpers.ts";

const ENTRY = new URL("serve_parallel.ts", ROOT).pathname;
const DATA_DIR = new URL("data", ROOT).pathname;

/** `deno serve --parallel` on serve_parallel.ts with two workers, `env`, and the task's permissions. */
function parallelCommand(env: Record<string, string>, readable: string): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--quiet",
      "--parallel",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--allow-net=127.0.0.1",
      `--allow-read=${readable}`,
      "--allow-env=WEATHER_DATA,WEATHER_QUIET,WEATHER_NOW,WEATHER_SEED,WEATHER_API_KEYS,WEATHER_UPSTREAM",
      ENTRY,
    ],
    env: { DENO_JOBS: "2", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Starts {@linkcode parallelCommand} and waits until both workers answer. Stopping sooner is not
 * safe: `deno serve` listens for SIGTERM in each worker once that worker is up, and a worker still
 * starting when the signal comes never sees it, and serves on.
 */
async function startParallel(env: Record<string, string>, readable: string): Promise<ServerProcess> {
  const server = await spawnServer(parallelCommand(env, readable));
  try {
    await untilEveryWorker(server.url, () => true, "any data");
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** What one worker last answered on /healthz. */
interface WorkerHealth {
  version: string;
  error: string | null;
}

/**
 * Asks /healthz on a fresh connection each time, so that `deno serve` hands the requests to
 * either worker, until both workers have answered and the latest answer of each passes `check`.
 * Workers are told apart by their `serve-worker` header; a third one would be a bug.
 */
async function untilEveryWorker(
  url: URL,
  check: (health: WorkerHealth) => boolean,
  what: string,
): Promise<Map<string, WorkerHealth>> {
  const latest = new Map<string, WorkerHealth>();
  await waitFor(
    async () => {
      const response = await rawRequest(url, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1");
      assert.equal(response.status, 200);
      const worker = response.headers.get("serve-worker");
      assert.ok(worker, "a serve-worker header on /healthz");
      const body = JSON.parse(new TextDecoder().decode(response.body));
      latest.set(worker, { version: body.version, error: body.last_reload_error });
      assert.ok(latest.size <= 2, `answers from ${latest.size} workers, of 2`);
      return latest.size === 2 && [...latest.values()].every(check);
    },
    `both workers to answer with ${what}`,
    30_000,
  );
  return latest;
}

/** Replaces `path` by rename, as editors do, so that no reload sees it half written. */
async function replace(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(`${path}.tmp`, text);
  await Deno.rename(`${path}.tmp`, path);
}

/** The workers (by `deno serve`'s name for them) that printed a line matching `line` to `text`. */
function workersThatPrinted(text: string, line: string): string[] {
  return text.split("\n").flatMap((printed) => {
    const match = /^\[(serve-worker-\d+) *\] (.*)$/.exec(printed);
    return match?.[2] === line ? [match[1]!] : [];
  }).sort();
}

Deno.test("serve_parallel.ts serves the API under deno serve --parallel, with an access log", async () => {
  await using server = await startParallel({}, DATA_DIR);
  for (let i = 0; i < 4; i++) {
    const response = await fetch(new URL("/weather/Tokyo", server.url));
    assert.equal(response.status, 200);
    assert.equal((await response.json()).name, "Tokyo");
  }
  const health = await fetch(new URL("/healthz", server.url));
  assert.equal((await health.json()).cities, 58);
  const { code } = await server.stop();
  assert.equal(code, 0);
  assert.match(server.stdout(), /Listening on http:\/\/127\.0\.0\.1:\d+\/ \(58 cities from weather\.json\)/);
  assert.equal(server.stderr().match(/ GET \/weather\/Tokyo 200 /g)?.length, 4, server.stderr());
});

Deno.test("serve_parallel.ts with WEATHER_QUIET=1 writes no access log", async () => {
  await using server = await startParallel({ WEATHER_QUIET: "1" }, DATA_DIR);
  await (await fetch(new URL("/weather/cities", server.url))).body?.cancel();
  await server.stop();
  assert.equal(server.stderr(), "");
});

Deno.test("serve_parallel.ts answers a Host header that does not parse with 400, also on /healthz", async () => {
  await using server = await startParallel({ WEATHER_QUIET: "1" }, DATA_DIR);
  for (const path of ["/healthz", "/weather/Tokyo"]) {
    const response = await rawRequest(server.url, `GET ${path} HTTP/1.1\r\nHost: a b`);
    assert.equal(response.status, 400, path);
    assert.equal(JSON.parse(new TextDecoder().decode(response.body)).code, "bad_request", path);
  }
  const { code } = await server.stop();
  assert.equal(code, 0);
  assert.equal(server.stderr(), "");
});

Deno.test("serve_parallel.ts reads WEATHER_DATA, and exits 1 when it is broken", async () => {
  await using broken = await tempFile('{"cities": [}');
  const { code, stdout, stderr } = await parallelCommand({ WEATHER_DATA: broken.path }, broken.path).output();
  assert.equal(code, 1);
  assert.equal(new TextDecoder().decode(stdout), "");
  assert.match(new TextDecoder().decode(stderr), /error: Cannot parse ".*" as JSON: .* at line 1, column 13/);
});

Deno.test("serve_parallel.ts freezes the model's clock at WEATHER_NOW and seeds it with WEATHER_SEED in every worker", async () => {
  await using server = await startParallel(
    { WEATHER_QUIET: "1", WEATHER_NOW: "2026-11-23T21:00:00+09:00", WEATHER_SEED: "7" },
    DATA_DIR,
  );
  const models = new Set<string>();
  const forecasts = new Set<string>();
  await waitFor(async () => {
    const health = await rawRequest(server.url, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1");
    models.add(
      `${health.headers.get("serve-worker")} ${
        JSON.stringify(JSON.parse(new TextDecoder().decode(health.body)).model)
      }`,
    );
    const forecast = await rawRequest(
      server.url,
      "GET /weather/Tokyo/forecast?days=2 HTTP/1.1\r\nHost: 127.0.0.1",
    );
    forecasts.add(forecast.headers.get("etag")!);
    return models.size === 2;
  }, "both workers");
  for (const model of models) {
    assert.match(model, / \{"seed":7,"clock":"frozen","now":"2026-11-23T12:00:00\.000Z"\}$/);
  }
  assert.equal(forecasts.size, 1, "every worker answers the same bytes");
  assert.equal(await server.stop().then(({ code }) => code), 0);
});

Deno.test("serve_parallel.ts exits 1 for a WEATHER_NOW or WEATHER_SEED it cannot read", async () => {
  for (
    const [env, message] of [
      [{ WEATHER_NOW: "tomorrow" }, 'error: Invalid time "tomorrow": expected ISO 8601 with Z or an offset'],
      [{ WEATHER_SEED: "-1" }, 'error: Invalid seed "-1": expected a whole number'],
    ] as const
  ) {
    const { code, stdout, stderr } = await parallelCommand(env, DATA_DIR).output();
    assert.equal(code, 1);
    assert.equal(new TextDecoder().decode(stdout), "");
    assert.ok(new TextDecoder().decode(stderr).includes(message), new TextDecoder().decode(stderr));
  }
});

Deno.test("serve_parallel.ts reloads the data file in every worker, and keeps the last good data on a bad edit", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "weather.json");
  const [v0, v1, v2] = await Promise.all([0, 1, 2].map((n) => datasetOf(versionFile(n))));
  await Deno.writeTextFile(path, JSON.stringify(versionFile(0)));
  try {
    await using server = await startParallel({ WEATHER_DATA: path, WEATHER_QUIET: "1" }, dir);
    // Both workers answered, so both evaluated the module: they watch the file from now on.
    await untilEveryWorker(server.url, (h) => h.version === v0!.version, "version 0");

    // Version 1 has Tokyo at 0.05 °C instead of 0.
    await replace(path, JSON.stringify(versionFile(1)));
    await untilEveryWorker(server.url, (h) => h.version === v1!.version && h.error === null, "version 1");

    await replace(path, '{"cities": [');
    const broken = await untilEveryWorker(server.url, (h) => h.error !== null, "a reload error");
    for (const health of broken.values()) {
      assert.equal(health.version, v1!.version, "the last good data");
      assert.match(health.error!, /^Cannot parse "weather\.json" as JSON: /);
    }

    await replace(path, JSON.stringify(versionFile(2)));
    await untilEveryWorker(server.url, (h) => h.version === v2!.version && h.error === null, "version 2");

    const { code } = await server.stop();
    assert.equal(code, 0);
    const out = server.stdout();
    assert.match(out.split("\n")[0]!, /^\[serve-worker-0 *\] Listening on http:\/\/127\.0\.0\.1:\d+\//);
    const both = ["serve-worker-0", "serve-worker-1"];
    for (const data of [v1!, v2!]) {
      const line = `Reloaded ${data.cities.length} cities from weather.json, version ${data.version}`;
      assert.deepEqual(workersThatPrinted(out, line), both, out);
    }
    assert.equal(out.trimEnd().split("\n").length, 5, out);
    const errors = server.stderr().trimEnd().split("\n");
    assert.equal(errors.length, 2, server.stderr());
    for (const line of errors) {
      assert.match(line, /^\[serve-worker-[01] *\] error: Cannot parse ".*weather\.json" as JSON: /);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`serve_parallel.ts with live reload on exits 0 on ${signal}, as deno serve does`, async () => {
    const dir = await Deno.makeTempDir();
    const path = join(dir, "weather.json");
    await Deno.writeTextFile(path, JSON.stringify(versionFile(0)));
    try {
      const server = await startParallel({ WEATHER_DATA: path, WEATHER_QUIET: "1" }, dir);
      try {
        // Both watchers at work, one reload each: the state in which exiting used to hang.
        const v1 = await datasetOf(versionFile(1));
        await replace(path, JSON.stringify(versionFile(1)));
        const line = `Reloaded ${v1.cities.length} cities from weather.json, version ${v1.version}`;
        await waitFor(() => workersThatPrinted(server.stdout(), line).length === 2, "both reloads", 30_000);

        server.child.kill(signal);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const status = await Promise.race([
          server.child.status,
          // A safety net only: without the fix, the workers' watchers keep the process alive for good.
          new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 30_000)),
        ]).finally(() => clearTimeout(timer));
        assert.ok(status, `still running 30 s after ${signal}`);
        assert.equal(status.code, 0);
        assert.equal(status.signal, null);
      } finally {
        try {
          server.child.kill("SIGKILL");
        } catch { /* exited */ }
        await server.stop();
      }
      const out = server.stdout().trimEnd().split("\n");
      assert.equal(out.length, 3, server.stdout());
      assert.match(out[0]!, /^\[serve-worker-0 *\] Listening on /);
      assert.equal(server.stderr(), "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("importing serve_parallel.ts loads no data and starts nothing", async () => {
  // The sanitizers fail this test if the import leaves a watcher, a timer or a listener behind.
  const module = await import("../../serve_parallel.ts");
  assert.equal(module.default, undefined);
});

Deno.test("serve_parallel.ts with WEATHER_UPSTREAM answers the upstream's weather from every worker", async () => {
  const now = "2026-11-23T12:00:00Z";
  const own = createHandler({ current: bundled }, { frozenClock: Date.parse(now), controls: { seed: 9 } });
  await using upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, own);
  const base = `http://127.0.0.1:${upstream.addr.port}`;
  await using server = await startParallel(
    { WEATHER_UPSTREAM: base, WEATHER_NOW: now, WEATHER_QUIET: "1" },
    DATA_DIR,
  );
  const expected = await (await own(new Request("http://x/weather/Tokyo/forecast?days=2"))).text();
  const sources = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const response = await fetch(new URL("/weather/Tokyo/forecast?days=2", server.url), {
      headers: { connection: "close" },
    });
    sources.add(response.headers.get("x-weather-source")!);
    assert.equal(await response.text(), expected);
  }
  assert.ok([...sources].every((s) => s === "upstream" || s === "cache"), [...sources].join());
  const health = await (await fetch(new URL("/healthz", server.url))).json();
  assert.equal(health.upstream.url, base);
  assert.equal((await server.stop()).code, 0);
});
