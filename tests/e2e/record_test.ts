// The recording: src/record.ts with stubs, and `deno task record` as a subprocess against this
// project's own server as the upstream, started on port 0 with --now and --seed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { readDataFile } from "../../src/data_file.ts";
import { loadDataset } from "../../src/dataset.ts";
import { createHandler } from "../../src/handler.ts";
import { HOURLY_VARIABLES, OPEN_METEO_HOURLY } from "../../src/model/variables.ts";
import { recordCities, recordedCity, recordedFileText } from "../../src/record.ts";
import { CurrentSchema, type WeatherFile } from "../../src/schema.ts";
import { fetchUpstreamWeather, upstreamUrl } from "../../src/upstream.ts";
import { bundled, ROOT, startServer, waitFor } from "../_helpers.ts";

const NOW = "2026-11-23T12:07:00Z";
const SEED = 7;
const handler = createHandler({ current: bundled }, {
  frozenClock: Date.parse(NOW),
  controls: { seed: SEED },
});
const decoder = new TextDecoder();
const TASKS: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;
/** A fetch that answers from our handler without a socket. */
const inProcess =
  ((input: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(handler(new Request(input, init)))) as typeof fetch;

/** The permission flags of the record task, as deno.json has them. */
const RECORD_PERMISSIONS = TASKS.record!.split(" ").filter((word) => /^--(allow|deny)-/.test(word));

/** Runs scripts/record.ts with the task's permissions: its output streams and exit code. */
async function record(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RECORD_PERMISSIONS, new URL("scripts/record.ts", ROOT).pathname, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A temporary directory with `cities.json` (the named bundled cities) and an old `out.json`. */
async function workspace(names: string[]) {
  const dir = await Deno.makeTempDir();
  const cities = join(dir, "cities.json"), out = join(dir, "out.json");
  await Deno.writeTextFile(cities, JSON.stringify({ cities: names.map(city) }));
  await Deno.copyFile(new URL("data/weather.json", ROOT), out);
  return {
    dir,
    cities,
    out,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** An upstream on a loopback port: our handler, or what `answer` makes of a request. */
function upstreamServer(answer: (request: Request) => Response | Promise<Response> = handler) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, answer);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    stop: () => server.shutdown(),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const THREE = ["Tokyo", "Paris", "Lima"];

// --- The library --------------------------------------------------------------------------------

Deno.test("recordedCity() keeps the city, takes the upstream's current conditions and its numbers unchanged", async () => {
  const tokyo = city("Tokyo");
  const weather = await fetchUpstreamWeather("http://x", tokyo.latitude, tokyo.longitude, {
    fetch: inProcess,
  });
  const json = await (await inProcess(upstreamUrl("http://x", tokyo.latitude, tokyo.longitude, 2, 16)))
    .json();
  const recorded = recordedCity(tokyo, weather);
  const { current: _, scenarios: __, ...metadata } = tokyo;
  const { current, scenarios, ...kept } = recorded;
  assert.deepEqual(kept, metadata);
  assert.deepEqual(CurrentSchema.parse(current), current);
  assert.deepEqual(current, {
    temperature: json.current.temperature_2m,
    feels_like: json.current.apparent_temperature,
    humidity: json.current.relative_humidity_2m,
    wind_speed: json.current.wind_speed_10m,
    wind_direction: json.current.wind_direction_10m,
    pressure: json.current.pressure_msl,
    condition: "Partly cloudy",
    weather_code: json.current.weather_code,
    observed_at: "2026-11-23T21:00:00+09:00",
  });
  assert.equal(scenarios.length, 2);
  const [hours, slot] = scenarios;
  assert.equal(hours!.from, "2026-11-21T00:00:00Z");
  assert.equal(hours!.step_minutes, 60);
  assert.equal(slot!.from, "2026-11-23T12:00:00Z");
  assert.equal(slot!.step_minutes, 15);
  assert.deepEqual(Object.keys(hours!.series), [...HOURLY_VARIABLES]);
  for (const variable of HOURLY_VARIABLES) {
    const name = OPEN_METEO_HOURLY[variable];
    assert.deepEqual(hours!.series[variable], json.hourly[name], name);
    assert.deepEqual(slot!.series[variable], [json.current[name]], name);
  }
});

Deno.test("recordedCity() writes null for what the upstream gave as null, and needs the current values it maps", async () => {
  const json = await (await inProcess(upstreamUrl("http://x", 35.6762, 139.6503, 2, 16))).json();
  json.hourly.uv_index[3] = null;
  json.current.cloud_cover = null;
  const stub = (() => Promise.resolve(Response.json(json))) as typeof fetch;
  const recorded = recordedCity(
    city("Tokyo"),
    await fetchUpstreamWeather("http://x", 35.6762, 139.6503, { fetch: stub }),
  );
  assert.equal(recorded.scenarios[0]!.series.uv_index[3], null);
  assert.deepEqual(recorded.scenarios[1]!.series.cloud_cover, [null]);
  json.current.pressure_msl = null;
  const weather = await fetchUpstreamWeather("http://x", 35.6762, 139.6503, { fetch: stub });
  assert.throws(() => recordedCity(city("Tokyo"), weather), {
    name: "UpstreamError",
    message: "The upstream's answer has no current pressure_msl",
  });
});

Deno.test("recordedFileText() lays series out one per line, and refuses what would not load", async () => {
  const file: WeatherFile = { $schema: "./weather.schema.json", cities: [city("Tokyo")] };
  const { recorded } = await recordCities(file, "http://x", { fetch: inProcess });
  const text = recordedFileText(file, recorded, "live.json");
  assert.match(
    text,
    /^\{\n {2}"\$schema": "\.\/weather\.schema\.json",\n {2}"cities": \[\n {4}\{\n {6}"name": "Tokyo",/,
  );
  assert.match(text, /\n {12}"temperature": \[-?\d+(\.\d+)?, -?\d+(\.\d+)?, /);
  assert.ok(text.endsWith("}\n"));
  assert.throws(
    () => recordedFileText(file, [{ ...recorded[0]!, country: "Japan" }], "live.json"),
    { name: "TypeError", message: /^Invalid data file "live\.json": cities\[0\]\.country: / },
  );
});

Deno.test("recordCities() makes every request wait out a Retry-After, and records every city", async () => {
  let now = Date.parse(NOW);
  const slept: number[] = [];
  let calls = 0;
  const limited =
    ((input: string | URL | Request, init?: RequestInit) =>
      ++calls === 1
        ? Promise.resolve(new Response("wait", { status: 429, headers: { "retry-after": "20" } }))
        : inProcess(input, init)) as typeof fetch;
  const file: WeatherFile = { cities: THREE.map(city) };
  const outcome = await recordCities(file, "http://x", {
    fetch: limited,
    concurrency: 1,
    now: () => now,
    sleep: (ms) => (slept.push(ms), now += ms, Promise.resolve()),
  });
  assert.deepEqual(outcome.recorded.map((c) => c.name), THREE);
  assert.deepEqual(outcome.failed, []);
  assert.deepEqual(slept, [20_000], "the retry waited what Retry-After asked, longer than the backoff");
  assert.equal(calls, 4);
});

Deno.test("recordCities() stops asking when the first cities cannot reach the upstream", async () => {
  const refused =
    (() => Promise.reject(new TypeError("error sending request: Connection refused"))) as typeof fetch;
  const done: string[] = [];
  const outcome = await recordCities({ cities: bundled.cities.slice(0, 10) }, "http://x", {
    fetch: refused,
    concurrency: 2,
    sleep: () => Promise.resolve(),
    onCity: ({ name }) => void done.push(name),
  });
  assert.equal(outcome.unreachable, true);
  assert.equal(outcome.recorded.length, 0);
  assert.equal(done.length, 2, "only the cities in flight were asked");
  assert.equal(outcome.failed.filter((c) => c.skipped).length, 8);
  assert.match(outcome.failed[0]!.reason, /^Cannot reach the upstream at http:\/\/x: connection refused$/);
  assert.match(outcome.failed[9]!.reason, /^Not asked: cannot reach the upstream at http:\/\/x: /);
});

Deno.test("recordCities() stops asking for a Retry-After beyond a minute; the rest is not unreachable", async () => {
  const closed =
    (() =>
      Promise.resolve(new Response("", { status: 503, headers: { "retry-after": "3600" } }))) as typeof fetch;
  const outcome = await recordCities({ cities: THREE.map(city) }, "http://x", {
    fetch: closed,
    concurrency: 1,
  });
  assert.equal(outcome.unreachable, false);
  assert.deepEqual(outcome.failed.map((c) => [c.name, c.skipped]), [["Tokyo", false], ["Paris", true], [
    "Lima",
    true,
  ]]);
  assert.equal(outcome.failed[0]!.reason, "The upstream answered HTTP 503 (Retry-After 3600 s)");
});

// --- The command --------------------------------------------------------------------------------

Deno.test("deno task record records every bundled city from the upstream; the file loads with its numbers", async () => {
  await using upstream = await startServer(["--now", NOW, "--seed", String(SEED), "--quiet"]);
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "live.json");
    const { code, stdout, stderr } = await record(["--upstream", upstream.url.href, "--out", out]);
    const lines = stderr.trimEnd().split("\n");
    assert.deepEqual(lines.slice(0, -1).sort(), bundled.cities.map((c) => `${c.name}: recorded`).sort());
    assert.equal(
      lines.at(-1),
      `Recorded 58 of 58 cities into ${out}; replay it with --data ${out} --now 2026-11-23T12:00:00Z`,
    );
    assert.equal(stdout, "");
    assert.equal(code, 0);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((entry) => entry.name),
      ["live.json"],
      "no temporary file left",
    );

    const { file } = await readDataFile(out);
    assert.deepEqual(file.cities.map((c) => c.name), bundled.cities.map((c) => c.name));
    const lima = file.cities[bundled.index.find("Lima")!]!;
    const json = await (await fetch(upstreamUrl(upstream.url.href, lima.latitude, lima.longitude, 2, 16)))
      .json();
    assert.equal(lima.current.temperature, json.current.temperature_2m);
    // deno-lint-ignore no-explicit-any
    const [hours] = lima.scenarios as any[];
    assert.deepEqual(hours.series.temperature, json.hourly.temperature_2m);
    assert.deepEqual(hours.series.precipitation, json.hourly.precipitation);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task record --partial writes the cities recorded, lists the others and exits 1", async () => {
  await using ws = await workspace(THREE);
  const latitude = city("Paris").latitude.toFixed(4);
  await using upstream = upstreamServer((request) =>
    new URL(request.url).searchParams.get("latitude") === latitude
      ? new Response("{oops", { headers: { "content-type": "application/json" } })
      : handler(request)
  );
  const { code, stdout, stderr } = await record([
    "--upstream",
    upstream.url,
    "--out",
    ws.out,
    "--data",
    ws.cities,
    "--partial",
  ]);
  const lines = stderr.trimEnd().split("\n");
  const [lima, paris, tokyo] = lines.slice(0, -1).sort();
  assert.deepEqual([lima, tokyo], ["Lima: recorded", "Tokyo: recorded"]);
  assert.match(paris!, /^Paris: failed: The upstream's answer is not JSON: /);
  assert.equal(
    lines.at(-1),
    `Recorded 2 of 3 cities into ${ws.out}; failed: Paris; replay it with --data ${ws.out} --now 2026-11-23T12:00:00Z`,
  );
  assert.equal(stdout, "");
  assert.equal(code, 1);
  const { file } = await readDataFile(ws.out);
  assert.deepEqual(file.cities.map((c) => c.name), ["Tokyo", "Lima"]);
});

Deno.test("deno task record without --partial writes nothing when a city fails, and exits 1", async () => {
  await using ws = await workspace(THREE);
  const before = await sha256(ws.out);
  const paris = city("Paris");
  await using upstream = upstreamServer((request) =>
    new URL(request.url).searchParams.get("latitude") === paris.latitude.toFixed(4)
      ? Response.json({ error: true, reason: "No data is available for this location" }, { status: 400 })
      : handler(request)
  );
  const { code, stdout, stderr } = await record([
    "--upstream",
    upstream.url,
    "--out",
    ws.out,
    "--data",
    ws.cities,
  ]);
  const lines = stderr.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1).sort(), [
    "Lima: recorded",
    "Paris: failed: The upstream answered HTTP 400: No data is available for this location",
    "Tokyo: recorded",
  ]);
  assert.equal(
    lines.at(-1),
    `Recorded 2 of 3 cities; failed: Paris. Nothing written to "${ws.out}" (--partial writes the cities recorded)`,
  );
  assert.equal(stdout, "");
  assert.equal(code, 1);
  assert.equal(await sha256(ws.out), before, "the old file, untouched");
});

Deno.test("deno task record against an upstream answering bad JSON leaves the old file untouched, --partial or not", async () => {
  await using ws = await workspace(THREE);
  const before = await sha256(ws.out);
  await using upstream = upstreamServer(() => new Response('{"latitude":35.7,"hourly":', { status: 200 }));
  for (const partial of [[], ["--partial"]]) {
    const { code, stdout, stderr } = await record([
      "--upstream",
      upstream.url,
      "--out",
      ws.out,
      "--data",
      ws.cities,
      ...partial,
    ]);
    const lines = stderr.trimEnd().split("\n");
    assert.equal(lines.length, 4);
    for (const line of lines.slice(0, 3)) {
      assert.match(line, /^(Tokyo|Paris|Lima): failed: The upstream's answer is not JSON: /);
    }
    assert.equal(
      lines[3],
      `Recorded 0 of 3 cities; failed: Tokyo, Paris, Lima. Nothing written to "${ws.out}"`,
    );
    assert.equal(stdout, "");
    assert.equal(code, 1);
    assert.equal(await sha256(ws.out), before, "the old file, untouched");
  }
});

Deno.test("deno task record exits 3 when the upstream has stopped, the old file untouched", async () => {
  await using ws = await workspace(THREE);
  const before = await sha256(ws.out);
  const upstream = upstreamServer();
  await upstream.stop();
  const { code, stdout, stderr } = await record([
    "--upstream",
    upstream.url,
    "--out",
    ws.out,
    "--data",
    ws.cities,
    "--concurrency",
    "1",
  ]);
  const reason = `Cannot reach the upstream at ${upstream.url}: connection refused`;
  assert.equal(
    stderr,
    `Tokyo: failed: ${reason}\nerror: ${reason}; nothing recorded (2 not asked), "${ws.out}" untouched\n`,
  );
  assert.equal(stdout, "");
  assert.equal(code, 3);
  assert.equal(await sha256(ws.out), before);
});

Deno.test("deno task record exits 2 with the usage line for a usage error, before asking anything", async () => {
  await using ws = await workspace(THREE);
  const usage =
    "Usage: deno task record --upstream [URL] --out FILE [--data CITIES] [--days N] [--past-days N] [--partial] [--concurrency N] [--help]";
  for (
    const [args, message] of [
      [[], 'Missing option "--upstream"'],
      [["--upstream", "--data", ws.cities], 'Missing option "--out"'],
      [["--upstream", "--out", ws.out, "--bogus"], 'Unknown option "--bogus"'],
      [
        ["--upstream", "ftp://x", "--out", ws.out],
        'Invalid upstream URL "ftp://x": expected http or https, like https://api.open-meteo.com',
      ],
      [["--upstream", "--out", ws.out, "--days", "17"], 'Invalid days "17": expected 1 to 16'],
      [["--upstream", "--out", ws.out, "--concurrency", "0"], 'Invalid concurrency "0": expected 1 to 16'],
      [
        ["--upstream", "--out", join(ws.dir, "nowhere", "x.json")],
        `Cannot write "${join(ws.dir, "nowhere", "x.json")}": no such directory "${join(ws.dir, "nowhere")}"`,
      ],
      [["--upstream", "--out", ws.dir], `Cannot write "${ws.dir}": it is a directory`],
      [
        ["--upstream", "--out", ws.out, "--data", join(ws.dir, "none.json")],
        `Cannot read data file "${join(ws.dir, "none.json")}": no such file`,
      ],
    ] as const
  ) {
    const { code, stdout, stderr } = await record([...args]);
    assert.equal(stderr, `error: ${message}\n${usage}\n`, args.join(" "));
    assert.equal(stdout, "");
    assert.equal(code, 2);
  }
  const help = await record(["--help"]);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, "");
  assert.ok(help.stdout.includes(usage));
  assert.match(help.stdout, /Exit status: 0 every city recorded, 1 some failed/);
});

Deno.test("a server watching FILE reloads a recording into it once, cleanly", async () => {
  await using ws = await workspace(THREE);
  await Deno.copyFile(ws.cities, ws.out);
  await using upstream = upstreamServer();
  await using server = await startServer(["--data", ws.out, "--quiet"]);
  const health = async () => await (await fetch(new URL("/healthz", server.url))).json();
  const before = (await health()).version;
  const { code } = await record(["--upstream", upstream.url, "--out", ws.out, "--data", ws.cities]);
  assert.equal(code, 0);
  await waitFor(async () => (await health()).version !== before, "the recording served");
  // Past the reloader's longest debounce: no second version, no error.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const after = await health();
  assert.equal(after.last_reload_error, null);
  assert.equal(after.cities, 3);
  assert.equal(server.stdout().match(/^Reloaded /gm)?.length, 1, server.stdout());
  assert.equal(server.stderr(), "");
  const tokyo = await (await fetch(new URL("/weather/Tokyo", server.url))).json();
  const upstreamTokyo = recordedCity(
    city("Tokyo"),
    await fetchUpstreamWeather(upstream.url, 35.6762, 139.6503, { fetch: inProcess }),
  );
  assert.equal(tokyo.current.temperature, upstreamTokyo.current.temperature);
});

Deno.test("a SIGKILL during a recording leaves the old file or a complete, valid new one", async () => {
  await using ws = await workspace([
    "Tokyo",
    "Paris",
    "Lima",
    "Cairo",
    "Sydney",
    "Toronto",
    "Berlin",
    "Mumbai",
  ]);
  const old = await sha256(ws.out);
  await using upstream = upstreamServer();
  const args = ["--upstream", upstream.url, "--out", ws.out, "--data", ws.cities];
  // Kill points: as soon as the temporary file shows, and after a few delays across the run.
  for (const when of ["temporary", 0, 100, 300, 600, 1000] as const) {
    await Deno.copyFile(new URL("data/weather.json", ROOT), ws.out);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...RECORD_PERMISSIONS, new URL("scripts/record.ts", ROOT).pathname, ...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    child.status.then(() => exited = true);
    if (when === "temporary") {
      while (!exited) {
        if ([...Deno.readDirSync(ws.dir)].some((entry) => entry.name.endsWith(".tmp"))) break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } else await new Promise((resolve) => setTimeout(resolve, when));
    try {
      child.kill("SIGKILL");
    } catch { /* it had finished */ }
    await child.status;
    if (await sha256(ws.out) !== old) {
      const { file } = await readDataFile(ws.out);
      assert.equal(file.cities.length, 8, `a complete recording, killed at ${when}`);
    }
    for (const entry of Deno.readDirSync(ws.dir)) {
      if (entry.name.endsWith(".tmp")) await Deno.remove(join(ws.dir, entry.name));
    }
  }
});

Deno.test("A recording served offline with the same --now answers byte for byte as its upstream did", async () => {
  await using upstream = await startServer(["--now", NOW, "--seed", String(SEED), "--quiet"]);
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "day.json");
    const recorded = await record(["--upstream", upstream.url.href, "--out", out]);
    assert.equal(recorded.code, 0, recorded.stderr);
    // Served from the file alone: no upstream, the same clock; the same seed only for the
    // bytes of Open-Meteo's generationtime_ms, which hash the question.
    const offline = createHandler({ current: await loadDataset(out) }, {
      frozenClock: Date.parse(NOW),
      controls: { seed: SEED },
    });
    const otherSeed = createHandler({ current: await loadDataset(out) }, { frozenClock: Date.parse(NOW) });
    for (const path of REPLAYED) {
      const live = await fetch(new URL(path, upstream.url));
      const expected = new Uint8Array(await live.arrayBuffer());
      const got = await offline(new Request(`http://localhost${path}`));
      assert.equal(got.status, 200, path);
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), expected, path);
      if (path.includes("format=flatbuffers")) continue;
      // The weather is the file's, whatever the model's seed.
      const other = await (await otherSeed(new Request(`http://localhost${path}`))).json();
      const weather = (body: Record<string, unknown>) => {
        const { generationtime_ms: _, ...rest } = body;
        return rest;
      };
      const want = JSON.parse(decoder.decode(expected));
      assert.deepEqual(
        Array.isArray(other) ? other.map(weather) : weather(other),
        Array.isArray(want) ? want.map(weather) : weather(want),
        path,
      );
    }
    // The tutorial's current weather: the upstream's, stamped with its 15-minute slot.
    const live = await (await fetch(new URL("/weather/Lima", upstream.url))).json();
    const replay = await (await offline(new Request("http://localhost/weather/Lima"))).json();
    assert.deepEqual({ ...replay.current, observed_at: null }, { ...live.current, observed_at: null });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Requests of every dialect for the recorded cities, inside the recorded days. */
const REPLAYED = [
  "/weather/Tokyo/forecast?days=16&hours=48&past_days=1",
  "/get_forecast?city=Lima&units=imperial&days=3",
  "/v1/forecast?latitude=35.6762&longitude=139.6503&current=temperature_2m,weather_code,precipitation" +
  "&hourly=temperature_2m,apparent_temperature,precipitation,weather_code,wind_speed_10m,is_day,uv_index" +
  "&daily=temperature_2m_max,temperature_2m_min,weather_code,precipitation_sum,sunrise&timezone=auto&past_days=1",
  "/v1/forecast?latitude=48.8566&longitude=2.3522&hourly=temperature_2m,cloud_cover&forecast_days=3&format=flatbuffers",
  "/data/2.5/weather?q=Paris&appid=k",
  "/data/2.5/forecast?q=Sydney&units=imperial&appid=k",
  "/data/3.0/onecall?lat=35.6762&lon=139.6503&exclude=minutely,alerts&appid=k",
];
