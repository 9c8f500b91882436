import assert from "node:assert/strict";
import fc from "fast-check";
import { BufferedLines, formatAccessLine, hundredths, isoTime, withAccessLog } from "../src/access_log.ts";
import { createHandler } from "../src/handler.ts";
import { bundled, rawRequest } from "./_helpers.ts";

Deno.test("formatAccessLine() writes time, method, path with query, status, duration and request id", () => {
  const line = formatAccessLine(
    new Date("2026-11-23T12:00:00Z"),
    new Request("http://localhost/get_weather?city=S%C3%A3o Paulo"),
    new Response(null, { status: 200, headers: { "x-request-id": "abc-123" } }),
    1.234,
  );
  assert.equal(line, "2026-11-23T12:00:00.000Z GET /get_weather?city=S%C3%A3o%20Paulo 200 1.23ms abc-123");
});

Deno.test("formatAccessLine() cannot be split by a crafted path", () => {
  const line = formatAccessLine(
    new Date(0),
    new Request("http://localhost/a\nb\u0007c"),
    new Response(null, { status: 404 }),
    0,
  );
  assert.ok(!line.includes("\n") && !line.includes("\u0007"), line);
  assert.ok(line.endsWith(" 404 0.00ms -"), line);
});

// Deno.serve builds request.url from the raw Host header and the target; a Request made in JS
// cannot have such a URL, so these fake one.
const served = (host: string | null, target: string) =>
  ({
    method: "GET",
    url: `http://${host ?? "a b\u00e9"}${target}`,
    headers: new Headers(host ? { host } : {}),
  }) as unknown as Request;

Deno.test("formatAccessLine() logs the request target as received, whatever the Host header", () => {
  const line = (request: Request) =>
    formatAccessLine(new Date(0), request, new Response(null, { status: 400 }), 0);
  assert.equal(
    line(served("x/weather/cities?", "/healthz")),
    "1970-01-01T00:00:00.000Z GET /healthz 400 0.00ms -",
  );
  assert.equal(
    line(served("a b", "/healthz?units=si")),
    "1970-01-01T00:00:00.000Z GET /healthz?units=si 400 0.00ms -",
  );
  assert.equal(
    line(served("localhost:5000", "/a/../b c\u0007")),
    "1970-01-01T00:00:00.000Z GET /a/../b%20c%07 400 0.00ms -",
  );
});

Deno.test("formatAccessLine() logs a URL that does not parse, escaped, rather than throwing", () => {
  assert.equal(
    formatAccessLine(new Date(0), served(null, "/healthz"), new Response(null, { status: 400 }), 0),
    "1970-01-01T00:00:00.000Z GET http://a%20b%E9/healthz 400 0.00ms -",
  );
});

Deno.test("withAccessLog() writes one line per request with the handler's status", async () => {
  const lines: string[] = [];
  let clock = 10;
  const logged = withAccessLog(
    () => new Response(null, { status: 204, headers: { "x-request-id": "r1" } }),
    (line) => lines.push(line),
    () => clock += 5,
  );
  const response = await logged(new Request("http://localhost/healthz", { method: "HEAD" }), undefined);
  assert.equal(response.status, 204);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z HEAD \/healthz 204 5\.00ms r1$/);
});

Deno.test("isoTime() writes what Date#toISOString() writes", () => {
  assert.equal(isoTime(0), "1970-01-01T00:00:00.000Z");
  assert.equal(isoTime(Date.UTC(2026, 10, 23, 12, 0, 5, 7)), "2026-11-23T12:00:05.007Z");
  // Runs of nearby times exercise the kept second; far and odd ones its fallback.
  const times = fc.oneof(
    fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }),
    fc.integer({ min: -8.64e15, max: 8.64e15 }),
    fc.double({ min: -1e13, max: 1e13, noNaN: true }),
  );
  fc.assert(fc.property(fc.array(times, { maxLength: 20 }), (list) => {
    for (const ms of list) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  }));
});

Deno.test("withAccessLog() answers synchronously when the handler does, and waits when it does not", async () => {
  const lines: string[] = [];
  const sync = withAccessLog(() => new Response("now"), (line) => lines.push(line));
  const answer = sync(new Request("http://localhost/weather/cities?units=si"), undefined);
  assert.ok(answer instanceof Response, "a synchronous answer is not wrapped in a promise");
  assert.equal(await answer.text(), "now");
  assert.match(lines[0]!, / GET \/weather\/cities\?units=si 200 /);

  const later = withAccessLog(
    () => Promise.resolve(new Response("later", { status: 503 })),
    (line) => lines.push(line),
  );
  const pending = later(new Request("http://localhost/get_weather"), undefined);
  assert.ok(pending instanceof Promise);
  assert.equal(lines.length, 1, "nothing is logged before the answer is ready");
  assert.equal(await (await pending).text(), "later");
  assert.match(lines[1]!, / GET \/get_weather 503 /);
});

Deno.test("BufferedLines writes lines in batches, by size and after a delay", async () => {
  const writes: string[] = [];
  {
    using log = new BufferedLines((text) => writes.push(text), { maxChars: 20, delayMs: 10 });
    log.push("one");
    log.push("two");
    assert.deepEqual(writes, [], "nothing written before the batch is due");
    log.push("a line long enough");
    assert.deepEqual(writes, ["one\ntwo\na line long enough\n"]);
    log.push("late");
    const deadline = Date.now() + 2000;
    while (writes.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(writes.slice(1), ["late\n"]);
    log.push("last");
  }
  assert.deepEqual(writes.slice(2), ["last\n"], "disposing flushes");
});

Deno.test("BufferedLines.flush() writes nothing when nothing is pending", () => {
  const writes: string[] = [];
  const log = new BufferedLines((text) => writes.push(text));
  log.flush();
  log.push("x");
  log.flush();
  log.flush();
  assert.deepEqual(writes, ["x\n"]);
});

Deno.test("BufferedLines with keepAlive writes a pending batch before the process exits, and without it does not", async () => {
  const module = new URL("../src/access_log.ts", import.meta.url).href;
  for (const keepAlive of [true, false]) {
    const code = `import { BufferedLines } from ${JSON.stringify(module)};
      const log = new BufferedLines((text) => console.log(text.trimEnd()), { keepAlive: ${keepAlive} });
      log.push("last words");`;
    const { code: exit, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-config", code],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(stderr), "", `keepAlive ${keepAlive}`);
    assert.equal(exit, 0);
    assert.equal(new TextDecoder().decode(stdout), keepAlive ? "last words\n" : "", `keepAlive ${keepAlive}`);
  }
});

Deno.test("withAccessLog() under Deno.serve logs the target as received when the Host header is bad", async () => {
  const lines: string[] = [];
  const handler = createHandler({ current: bundled });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    withAccessLog(handler, (line) => lines.push(line)),
  );
  const url = new URL(`http://127.0.0.1:${server.addr.port}/`);
  const cases: [host: string, target: string, status: number][] = [
    ["x/weather/cities?", "/healthz", 400],
    ["a b", "/weather/Tokyo?units=si", 400],
    [url.host, "/weather/Tokyo/../cities", 200],
  ];
  for (const [host, target, status] of cases) {
    const response = await rawRequest(url, `GET ${target} HTTP/1.1\r\nHost: ${host}`);
    assert.equal(response.status, status, host);
  }
  assert.deepEqual(lines.map((line) => line.split(" ").slice(1, 4).join(" ")), [
    "GET /healthz 400",
    "GET /weather/Tokyo?units=si 400",
    "GET /weather/Tokyo/../cities 200",
  ]);
});

Deno.test("formatAccessLine() never writes an API key: appid and apikey values are redacted", () => {
  const response = new Response(null, { status: 200, headers: { "x-request-id": "r" } });
  for (
    const [target, logged] of [
      ["/data/2.5/weather?q=Tokyo&appid=s3cr3t", "/data/2.5/weather?q=Tokyo&appid=REDACTED"],
      ["/data/2.5/weather?APPID=s3cr3t&q=Tokyo", "/data/2.5/weather?APPID=REDACTED&q=Tokyo"],
      [
        "/v1/forecast?latitude=1&longitude=2&apikey=k%20ey",
        "/v1/forecast?latitude=1&longitude=2&apikey=REDACTED",
      ],
      ["/weather/Tokyo?notappid=1", "/weather/Tokyo?notappid=1"],
      ["/data/2.5/weather?q=Tokyo&app%69d=s3cr3t", "/data/2.5/weather?q=Tokyo&app%69d=REDACTED"],
      ["/v1/forecast?aPiKeY=s3cr3t", "/v1/forecast?aPiKeY=REDACTED"],
      ["/v1/forecast?x=ap&ApPiD=s3cr3t", "/v1/forecast?x=ap&ApPiD=REDACTED"],
      ["/data/2.5/weather?q=Tokyo&%61ppid=s3cr3t", "/data/2.5/weather?q=Tokyo&%61ppid=REDACTED"],
      ["/data/2.5/weather?q=Tokyo&app+id=1", "/data/2.5/weather?q=Tokyo&app+id=1"],
    ]
  ) {
    const request = new Request(`http://127.0.0.1:5000${target}`, { headers: { host: "127.0.0.1:5000" } });
    const line = formatAccessLine(0, request, response, 1);
    assert.ok(line.includes(` GET ${logged} 200 `), line);
    assert.ok(!line.includes("s3cr3t") && !line.includes("k%20ey"), line);
    const parsed = formatAccessLine(0, new Request(`http://localhost${target}`), response, 1);
    assert.ok(!parsed.includes("s3cr3t"), parsed);
  }
});

Deno.test("hundredths() writes a duration as toFixed(2) does, ties and large values included", () => {
  for (
    const ms of [
      0,
      0.004,
      0.005,
      0.015,
      0.125,
      0.285,
      1.005,
      1.115,
      4.35,
      9.995,
      99.995,
      123456.785,
      1e13,
      1e16,
    ]
  ) {
    assert.equal(hundredths(ms), ms.toFixed(2), String(ms));
  }
  fc.assert(
    fc.property(
      fc.oneof(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 1000),
        fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 200),
      ),
      (ms) => hundredths(ms) === ms.toFixed(2),
    ),
    { numRuns: 20_000 },
  );
});
