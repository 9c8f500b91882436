import assert from "node:assert/strict";
import { formatForecast } from "../../src/format.ts";
import { VERSION } from "../../src/version.ts";
import { bundled, bundledHandler, getJson, runEntry, startServer } from "../_helpers.ts";

const names = bundled.cities.map((city) => city.name);

Deno.test("client.ts against a real server", async (t) => {
  await using server = await startServer(["--quiet"]);
  const url = server.url.href;
  const client = (...args: string[]) => runEntry("client.ts", ["--url", url, ...args]);

  await t.step("no command: lists the cities, then shows Tokyo", async () => {
    const ran = await client();
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.match(ran.stdout, new RegExp(`^${names.length} cities\\n  Tokyo +Seoul`));
    assert.ok(ran.stdout.includes("\n\nTokyo, JP  35.68°N 139.65°E  Asia/Tokyo\n  Condition "), ran.stdout);
  });

  await t.step("cities --json prints the API's body", async () => {
    const ran = await client("cities", "--json");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.deepEqual(JSON.parse(ran.stdout), { cities: names });
  });

  await t.step("weather prints each city, and --json one line each", async () => {
    const human = await client("weather", "são paulo", "ZURICH");
    assert.equal(human.code, 0);
    assert.equal(human.stderr, "");
    assert.match(human.stdout, /^São Paulo, BR .*\n(.*\n)+\nZürich, CH /);
    const json = await client("weather", "Tokyo", "Lima", "--json");
    assert.equal(json.code, 0);
    assert.equal(json.stderr, "");
    assert.deepEqual(json.stdout.trim().split("\n").map((line) => JSON.parse(line).name), ["Tokyo", "Lima"]);
  });

  await t.step("--units shows converted values with their symbols", async () => {
    const ran = await client("weather", "Tokyo", "--units", "imperial");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.match(ran.stdout, /Temperature {2}\d+\.\d °F, feels like \d+\.\d °F\n/);
    assert.match(ran.stdout, /Wind {9}\d+\.\d mph from/);
    assert.match(ran.stdout, /Pressure {5}\d+\.\d\d inHg\n/);
    const si = await client("weather", "Tokyo", "--units=si", "--json");
    assert.equal(si.code, 0);
    assert.equal(JSON.parse(si.stdout).units.pressure, "Pa");
  });

  await t.step("an unknown city exits 1 with suggestions on stderr", async () => {
    const ran = await client("weather", "Tokio");
    assert.equal(ran.code, 1);
    assert.equal(ran.stdout, "");
    assert.equal(ran.stderr, 'error: Cannot find city "Tokio": did you mean "Tokyo"?\n');
  });

  await t.step("a miss among hits still prints the hits, then exits 1", async () => {
    const ran = await client("weather", "Tokyo", "Atlantis", "--json");
    assert.equal(ran.code, 1);
    assert.equal(JSON.parse(ran.stdout).name, "Tokyo");
    assert.equal(ran.stderr, 'error: Cannot find city "Atlantis"\n');
  });

  await t.step("health reports the server's data", async () => {
    const ran = await client("health");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.match(ran.stdout, new RegExp(`^ok  ${names.length} cities  version [0-9a-f]{16}  loaded `));
  });

  await t.step("WEATHER_URL stands in for --url", async () => {
    const ran = await runEntry("client.ts", ["cities", "--json"], { env: { WEATHER_URL: url } });
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.deepEqual(JSON.parse(ran.stdout).cities, names);
  });
});

Deno.test("client.ts forecast against a real server with its clock frozen", async (t) => {
  const now = "2026-11-23T12:00:00Z";
  await using server = await startServer(["--quiet", "--now", now]);
  const client = (...args: string[]) => runEntry("client.ts", ["--url", server.url.href, ...args]);
  // The same model, clock and seed in process: what the server answers and the client prints.
  const handler = bundledHandler({ frozenClock: Date.parse(now) });

  await t.step("forecast Tokyo --days 3 prints the current conditions and a row per day", async () => {
    const ran = await client("forecast", "Tokyo", "--days", "3");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    const lines = ran.stdout.split("\n");
    assert.equal(lines.length, 1 + 3 + 1, ran.stdout);
    assert.match(lines[0]!, /^Tokyo, JP {2}Mon 23 Nov 21:00 {2}\S.* \d+(\.\d)? °C$/);
    assert.deepEqual(lines.slice(1, 4).map((line) => line.slice(0, 10)), [
      "Mon 23 Nov",
      "Tue 24 Nov",
      "Wed 25 Nov",
    ]);
    assert.ok(lines[1]!.endsWith("  06:24 16:30"), lines[1]);
    assert.equal(lines[4], "");
    const { body } = await getJson(handler, "/weather/Tokyo/forecast?days=3&hours=0");
    assert.equal(ran.stdout, `${formatForecast(body, { color: false })}\n`);
  });

  await t.step("--hours adds a row per hour, --units converts", async () => {
    const ran = await client("forecast", "Tokyo", "--days", "1", "--hours", "2", "--units", "imperial");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    const lines = ran.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1 + 1 + 1 + 2, ran.stdout);
    assert.match(lines[1]!, /^Mon 23 Nov .* °F .* mph /);
    assert.match(lines[3]!, /^Mon 21:00 .* °F .* inch +\d+% .* mph [NESW]{1,3}$/);
    assert.match(lines[4]!, /^Mon 22:00 /);
  });

  await t.step("--json prints the API's body on one line", async () => {
    const ran = await client("forecast", "Tokyo", "--days", "3", "--json");
    assert.equal(ran.code, 0);
    assert.equal(ran.stderr, "");
    assert.equal(ran.stdout.split("\n").length, 2);
    const response = await handler(new Request("http://localhost/weather/Tokyo/forecast?days=3&hours=0"));
    assert.equal(ran.stdout, `${await response.text()}\n`);
    assert.equal(JSON.parse(ran.stdout).daily.length, 3);
  });

  await t.step("an unknown city exits 1 with the suggestion on stderr and nothing on stdout", async () => {
    const ran = await client("forecast", "Tokio", "--days", "3");
    assert.equal(ran.code, 1);
    assert.equal(ran.stdout, "");
    assert.equal(ran.stderr, 'error: Cannot find city "Tokio": did you mean "Tokyo"?\n');
    const json = await client("forecast", "Atlantis", "--json");
    assert.equal(json.code, 1);
    assert.equal(json.stdout, "");
    assert.equal(json.stderr, 'error: Cannot find city "Atlantis"\n');
  });
});

Deno.test("client.ts retries, then exits 3 with advice when no server listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const ran = await runEntry("client.ts", ["--url", `http://127.0.0.1:${port}`, "cities"]);
  assert.equal(ran.code, 3);
  assert.equal(ran.stdout, "");
  const lines = ran.stderr.split("\n");
  assert.match(
    lines[0]!,
    /^retry: attempt 1 of 3 failed \(Cannot reach .*: connection refused\); trying again in 0\.\d s$/,
  );
  assert.match(lines[1]!, /^retry: attempt 2 of 3 failed .*; trying again in 0\.\d s$/);
  assert.deepEqual(lines.slice(2), [
    `error: Cannot reach the weather server at http://127.0.0.1:${port}: connection refused`,
    "Is the server running? Start it with: deno task serve",
    "",
  ]);
  const quiet = await runEntry("client.ts", [
    "--url",
    `http://127.0.0.1:${port}`,
    "--retries",
    "0",
    "--json",
  ]);
  assert.equal(quiet.code, 3);
  assert.equal(quiet.stdout, "");
  assert.match(quiet.stderr, /^error: Cannot reach/);
});

Deno.test("client.ts exits 3 when the server does not answer in time", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const ran = await runEntry("client.ts", [
    "--url",
    `http://127.0.0.1:${listener.addr.port}`,
    "--timeout",
    "300",
    "--retries",
    "0",
  ]);
  listener.close();
  await accepting.catch(() => {});
  for (const conn of held) conn.close();
  assert.equal(ran.code, 3);
  assert.equal(ran.stdout, "");
  // Something accepted the connection: no advice to start a server.
  assert.equal(
    ran.stderr,
    `error: Cannot reach the weather server at http://127.0.0.1:${listener.addr.port}: no answer within 300 ms\n`,
  );
});

Deno.test("client.ts names the grant it lacks to connect, and does not retry", async () => {
  // Refused by the permission check before any connection is tried.
  const ran = await runEntry("client.ts", ["--url", "http://[::1]:5000", "health"], {
    permissions: ["--allow-net=127.0.0.1", "--allow-env"],
  });
  assert.equal(ran.code, 1);
  assert.equal(ran.stdout, "");
  assert.equal(
    ran.stderr,
    "error: Cannot connect to the weather server at http://[::1]:5000: permission denied " +
      "(grant it with --allow-net=[::1]:5000, as deno task client does with --allow-net)\n",
  );
});

Deno.test("client.ts reports usage errors with exit 2", async () => {
  for (
    const args of [
      ["forecast"],
      ["forecast", "Tokyo", "--days", "20"],
      ["weather", "Tokyo", "--hours", "1"],
      ["--timeout", "x"],
      ["--nope"],
      ["weather"],
    ]
  ) {
    const ran = await runEntry("client.ts", args);
    assert.equal(ran.code, 2, args.join(" "));
    assert.equal(ran.stdout, "");
    assert.match(ran.stderr, /^error: .+\nUsage: weather-client /);
  }
});

Deno.test("client.ts --help and --version print to stdout and exit 0", async () => {
  const help = await runEntry("client.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Client for the local weather API\.\n/);
  assert.match(help.stdout, /Exit status: 0 success/);
  assert.match(help.stdout, /\n {2}forecast CITY +Show a city's forecast/);
  assert.match(help.stdout, /\n {2}--days N +Forecast days/);
  assert.equal(help.stderr, "");
  const version = await runEntry("client.ts", ["-V"]);
  assert.equal(version.code, 0);
  assert.equal(version.stdout, `weather-client ${VERSION}\n`);
  assert.equal(version.stderr, "");
});
