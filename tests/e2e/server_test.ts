import assert from "node:assert/strict";
import { VERSION } from "../../src/version.ts";
import { displayPath, ROUTES } from "../../src/routes.ts";
import { bundled, ROOT, runEntry, spawnServer, startServer, tempFile } from "../_helpers.ts";

Deno.test("server.ts on --port 0 prints its real URL and serves the API", async () => {
  await using server = await startServer();
  assert.match(
    server.banner,
    /^Listening on http:\/\/127\.0\.0\.1:(\d+)\/ \(58 cities from weather\.json\)$/,
  );
  assert.notEqual(server.url.port, "0");
  const cities = await fetch(new URL("/weather/cities", server.url));
  assert.equal(cities.status, 200);
  assert.equal((await cities.json()).cities[0], "Tokyo");
  const tokyo = await fetch(new URL("/get_weather?city=tokyo", server.url));
  assert.equal((await tokyo.json()).name, "Tokyo");
  const missing = await fetch(new URL("/get_weather?city=Tokio", server.url));
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).code, "city_not_found");
});

Deno.test("server.ts writes one access-log line per request to stderr", async () => {
  const server = await startServer();
  await (await fetch(new URL("/weather/Tokyo", server.url))).body?.cancel();
  await (await fetch(new URL("/nope?x=1", server.url))).body?.cancel();
  await server.stop();
  const lines = server.stderr().trim().split("\n");
  assert.equal(lines.length, 2, server.stderr());
  assert.match(
    lines[0]!,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET \/weather\/Tokyo 200 \d+\.\d\dms [0-9a-f-]{36}$/,
  );
  assert.match(lines[1]!, / GET \/nope\?x=1 404 /);
});

Deno.test("server.ts --quiet writes no access log", async () => {
  const server = await startServer(["--quiet"]);
  await (await fetch(new URL("/healthz", server.url))).body?.cancel();
  await server.stop();
  assert.equal(server.stderr(), "");
});

Deno.test("server.ts --now freezes the forecast's clock and --seed seeds it, saying so at start", async () => {
  await using server = await startServer(["--quiet", "--now", "2026-11-23T12:00:00Z", "--seed", "3"]);
  assert.match(
    server.banner,
    /\(58 cities from weather\.json; model seed 3; clock frozen at 2026-11-23T12:00:00\.000Z\)$/,
  );
  const health = await (await fetch(new URL("/healthz", server.url))).json();
  assert.deepEqual(health.model, { seed: 3, clock: "frozen", now: "2026-11-23T12:00:00.000Z" });
  const forecast = await (await fetch(new URL("/weather/Tokyo/forecast", server.url))).json();
  assert.equal(forecast.current.time, "2026-11-23T21:00:00+09:00");
  assert.equal(forecast.current.temperature, 14.2);
});

Deno.test("server.ts finds its bundled data from any working directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const server = await startServer(["--quiet"], undefined, dir);
    try {
      assert.match(
        server.banner,
        /^Listening on http:\/\/127\.0\.0\.1:\d+\/ \(58 cities from weather\.json\)$/,
      );
      const response = await fetch(new URL("/weather/cities", server.url));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { cities: bundled.cities.map((city) => city.name) });
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
    assert.equal(server.stderr(), "");
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("server.ts refuses a broken data file with exit 1 and names it", async () => {
  await using broken = await tempFile('{"cities": [\n  {"name": "Tokyo",\n]}');
  const ran = await runEntry("server.ts", ["--port", "0", "--data", broken.path]);
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.equal(
    ran.stderr,
    `error: Cannot parse "${broken.path}" as JSON: expected a double-quoted property name at line 3, column 1\n`,
  );
});

Deno.test("server.ts refuses a data file with a schema error", async () => {
  await using bad = await tempFile(JSON.stringify({ cities: [{ name: "X" }] }));
  const ran = await runEntry("server.ts", ["--port", "0", "--data", bad.path]);
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.match(ran.stderr, new RegExp(`^error: Invalid data file "${bad.path}": cities\\[0\\]\\.country: `));
});

Deno.test("server.ts explains a data file it may not read", async () => {
  await using elsewhere = await tempFile("{}");
  const ran = await runEntry("server.ts", ["--data", elsewhere.path], {
    permissions: ["--allow-net=127.0.0.1", `--allow-read=${new URL("../../data", import.meta.url).pathname}`],
  });
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.match(
    ran.stderr,
    /^error: Cannot read data file ".*": permission denied \(grant it with --allow-read\)\n$/,
  );
});

Deno.test("server.ts --help and --version print to stdout and exit 0", async () => {
  const help = await runEntry("server.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Local weather API server\.\n\nUsage: weather-server /);
  for (const route of ROUTES) assert.ok(help.stdout.includes(`\n  GET ${displayPath(route)} `), route.path);
  assert.equal(help.stderr, "");
  const version = await runEntry("server.ts", ["--version"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `weather-server ${VERSION}\n`);
  assert.equal(version.stderr, "");
});

Deno.test("server.ts rejects bad flags with the usage line and exit 2", async () => {
  for (const args of [["--port", "70000"], ["--port", "http"], ["--bogus"], ["--port"], ["--now", "today"]]) {
    const ran = await runEntry("server.ts", args);
    assert.equal(ran.code, 2, args.join(" "));
    assert.equal(ran.stdout, "");
    assert.match(ran.stderr, /^error: .+\nUsage: weather-server /);
  }
});

Deno.test("server.ts takes PORT from the environment", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ran = await runEntry("server.ts", [], { env: { PORT: String(listener.addr.port) } });
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.match(
    ran.stderr,
    new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${listener.addr.port}: address already in use`),
  );
});

Deno.test("server.ts names the grant it lacks to listen, not Deno's hint", async () => {
  const ran = await runEntry("server.ts", ["--host", "::1", "--port", "0"], {
    permissions: ["--allow-net=127.0.0.1", "--allow-read"],
  });
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.equal(
    ran.stderr,
    "error: Cannot listen on [::1]:0: permission denied " +
      "(grant it with --allow-net=[::1], as deno task serve does with --allow-net)\n",
  );
});

Deno.test("server.ts --reuse-port without Deno's --unstable-net exits 1 and names that flag", async () => {
  const { code, stdout, stderr } = await runEntry("server.ts", ["--port", "0", "--reuse-port"]);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    "error: Cannot listen with --reuse-port: Deno offers SO_REUSEPORT only with --unstable-net " +
      "(deno run --unstable-net ... server.ts)\n",
  );
  assert.equal(code, 1);
});

Deno.test(
  {
    name: Deno.build.os === "linux"
      ? "server.ts --reuse-port shares its port with a second server, which serves on when the first stops"
      : "server.ts --reuse-port shares its port (ignored: SO_REUSEPORT spreads connections on Linux only)",
    ignore: Deno.build.os !== "linux",
  },
  async () => {
    const start = (port: string) =>
      spawnServer(
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--quiet", "--unstable-net", "--allow-net=127.0.0.1", "--allow-read", "--allow-env"]
            .concat([new URL("server.ts", ROOT).pathname, "--port", port, "--reuse-port", "--quiet"]),
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }),
      );
    await using first = await start("0");
    await using second = await start(first.url.port);
    assert.equal(second.url.href, first.url.href);
    assert.equal((await first.stop()).code, 0);
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(new URL("/healthz", second.url), { headers: { connection: "close" } });
      assert.equal(answer.status, 200);
      await answer.body?.cancel();
    }
  },
);
