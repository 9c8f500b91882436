import assert from "node:assert/strict";
import { ROOT, tempFile } from "./_helpers.ts";

const ENTRY = new URL("serve_parallel.ts", ROOT).pathname;

/** Runs `deno serve [--parallel] serve_parallel.ts` on port 0 with `env` until `use` is done. */
async function withServe(
  env: Record<string, string>,
  use: (url: URL) => Promise<void>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--quiet",
      "--parallel",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env=WEATHER_DATA,WEATHER_QUIET",
      ENTRY,
    ],
    env: { DENO_JOBS: "2", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let stderr = "";
  const errDone = child.stderr.pipeTo(
    new WritableStream({ write: (c) => void (stderr += decoder.decode(c)) }),
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  try {
    let match;
    while (!(match = /Listening on (http:\/\/\S+)/.exec(stdout))) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    if (match) await use(new URL(match[1]!));
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
  }
  const { code } = await child.status;
  await reader.cancel();
  await errDone;
  return { code, stdout, stderr };
}

Deno.test("serve_parallel.ts serves the API under deno serve --parallel, with an access log", async () => {
  const { stdout, stderr } = await withServe({}, async (url) => {
    for (let i = 0; i < 4; i++) {
      const response = await fetch(new URL("/weather/Tokyo", url));
      assert.equal(response.status, 200);
      assert.equal((await response.json()).name, "Tokyo");
    }
    const health = await fetch(new URL("/healthz", url));
    assert.equal((await health.json()).cities, 58);
  });
  assert.match(stdout, /Listening on http:\/\/127\.0\.0\.1:\d+\/ \(58 cities from weather\.json\)/);
  assert.equal(stderr.match(/ GET \/weather\/Tokyo 200 /g)?.length, 4, stderr);
});

Deno.test("serve_parallel.ts with WEATHER_QUIET=1 writes no access log", async () => {
  const { stderr } = await withServe({ WEATHER_QUIET: "1" }, async (url) => {
    await (await fetch(new URL("/weather/cities", url))).body?.cancel();
  });
  assert.equal(stderr, "");
});

Deno.test("serve_parallel.ts reads WEATHER_DATA, and exits 1 when it is broken", async () => {
  await using broken = await tempFile('{"cities": [}');
  const { code, stderr } = await withServe({ WEATHER_DATA: broken.path }, () => {
    throw new Error("the server should not start");
  });
  assert.equal(code, 1);
  assert.match(stderr, /error: Cannot parse ".*" as JSON: .* at line 1, column 13/);
});
