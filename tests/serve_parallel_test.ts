import assert from "node:assert/strict";
import { rawRequest, ROOT, type ServerProcess, spawnServer, tempFile, waitFor } from "./_helpers.ts";

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
      "--allow-env=WEATHER_DATA,WEATHER_QUIET",
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

Deno.test("serve_parallel.ts reads WEATHER_DATA, and exits 1 when it is broken", async () => {
  await using broken = await tempFile('{"cities": [}');
  const { code, stdout, stderr } = await parallelCommand({ WEATHER_DATA: broken.path }, broken.path).output();
  assert.equal(code, 1);
  assert.equal(new TextDecoder().decode(stdout), "");
  assert.match(new TextDecoder().decode(stderr), /error: Cannot parse ".*" as JSON: .* at line 1, column 13/);
});
