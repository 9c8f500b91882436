// Raw bytes at the real server over a socket: malformed request lines, bad Host headers,
// oversized headers, big bodies on a GET and half-sent requests. None may crash it, draw a 5xx or
// a handler error, or harm the requests after it.
import assert from "node:assert/strict";
import { ProblemSchema } from "../../src/schema.ts";
import { readBody, readHead, type ServerProcess, startServer, writeAll } from "../_helpers.ts";

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Sends raw `request` bytes on a new connection and reads one answer; null status if none came. */
async function exchange(server: ServerProcess, request: Uint8Array | (() => Uint8Array[])) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(server.url.port) });
  // The server may answer and close before it has read everything: writing may then fail.
  const writing = (async () => {
    for (const part of request instanceof Uint8Array ? [request] : request()) await writeAll(conn, part);
  })().catch(() => {});
  try {
    const head = await readHead(conn);
    if (head === null) return { status: null, type: "", body: "" };
    const body = new TextDecoder().decode(await readBody(conn, head.body, head.length));
    const type = /\r\ncontent-type: *([^\r]*)/i.exec(head.head)?.[1] ?? "";
    return { status: head.status, type, body };
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionReset) return { status: null, type: "", body: "" };
    throw error;
  } finally {
    conn.close();
    await writing;
  }
}

/** The server still answers a normal request, and has logged no error. */
async function assertHealthy(server: ServerProcess) {
  const response = await fetch(new URL("/healthz", server.url));
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, "ok");
  assert.equal(server.stderr(), "", "no handler errors");
}

Deno.test("server.ts answers malformed request lines with a 4xx or a closed connection", async () => {
  await using server = await startServer(["--quiet"]);
  const requests = [
    "GARBAGE\r\n\r\n",
    "GET\r\n\r\n",
    "GET /healthz\r\n\r\n",
    "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
    "GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    "GET  /healthz  HTTP/1.1\r\nHost: x\r\n\r\n",
    "\x00\x01\x02\x03\r\n\r\n",
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // a TLS ClientHello
    "GET /heal\x00thz HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /caf\xe9 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /a\x7fb HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET weather/cities HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET ftp://x/weather/cities HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /weather/%E0%A4 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /weather/% HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /get_weather?city=%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
    "GET /healthz HTTP/1.1\r\n Folded: header\r\n\r\n",
    "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n\r\n",
    "BREW /weather/cities HTTP/1.1\r\nHost: x\r\n\r\n",
    "get /weather/cities HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /healthz HTTP/1.1\nHost: x\n\n",
    "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
  ];
  for (const request of requests) {
    const { status, type, body } = await exchange(server, latin1(request));
    const what = JSON.stringify(request);
    if (status === null) continue; // closed without an answer
    assert.ok(status >= 200 && status < 500, `${what}: ${status}`);
    if (body !== "") {
      // Hyper answers a request it cannot parse with an empty 400; all else is the handler's JSON.
      const json = JSON.parse(body);
      if (status >= 400) {
        assert.match(type, /^application\/problem\+json/, what);
        ProblemSchema.parse(json);
      }
    }
  }
  await assertHealthy(server);
  assert.equal((await server.stop()).code, 0, "and shuts down cleanly");
});

Deno.test("server.ts answers a Host header that is not a host with a 400 problem", async () => {
  await using server = await startServer(["--quiet"]);
  for (const host of ["a b", "x/weather/cities?a=", "[::1", "x:99999", "a#b", "a\\b", "x@y"]) {
    const { status, type, body } = await exchange(
      server,
      new TextEncoder().encode(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
    );
    assert.equal(status, 400, host);
    assert.match(type, /^application\/problem\+json/);
    const problem = ProblemSchema.parse(JSON.parse(body));
    assert.equal(problem.code, "bad_request");
    assert.equal(
      problem.detail,
      `Invalid Host header ${JSON.stringify(host)}: expected a host and an optional port`,
    );
  }
  await assertHealthy(server);
  assert.equal((await server.stop()).code, 0, "and shuts down cleanly");
});

Deno.test("server.ts refuses oversized request lines and headers without harm to later requests", async () => {
  await using server = await startServer(["--quiet"]);
  const requests = [
    `GET /weather/${"a".repeat(1_000_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(1 << 20)}\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\n${
      Array.from({ length: 20_000 }, (_, i) => `X-H${i}: v\r\n`).join("")
    }\r\n`,
  ];
  for (const request of requests) {
    const { status } = await exchange(server, latin1(request));
    if (status !== null) assert.ok(status >= 400 && status < 500, `${request.slice(0, 40)}: ${status}`);
    await assertHealthy(server);
  }
  assert.equal((await server.stop()).code, 0, "and shuts down cleanly");
});

Deno.test("server.ts answers a GET carrying a 10 MB body, and serves the next request", async () => {
  await using server = await startServer(["--quiet"]);
  const body = new Uint8Array(10 * 1024 * 1024).fill(0x41);
  const sized = await exchange(server, () => [
    latin1(`GET /weather/cities HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  ]);
  assert.equal(sized.status, 200);
  assert.equal(JSON.parse(sized.body).cities[0], "Tokyo");
  await assertHealthy(server);
  const chunk = body.subarray(0, 1 << 20);
  const chunked = await exchange(server, () => [
    latin1("GET /weather/Tokyo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ...Array.from({ length: 10 }, () => [latin1("100000\r\n"), chunk, latin1("\r\n")]).flat(),
    latin1("0\r\n\r\n"),
  ]);
  assert.equal(chunked.status, 200);
  assert.equal(JSON.parse(chunked.body).name, "Tokyo");
  await assertHealthy(server);
  assert.equal((await server.stop()).code, 0, "and shuts down cleanly");
});

Deno.test("server.ts serves others while a client holds a half-sent request", async () => {
  await using server = await startServer(["--quiet"]);
  const port = Number(server.url.port);
  const slow = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(slow, latin1("GET /weather/cities HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  for (let i = 0; i < 20; i++) await assertHealthy(server);
  await writeAll(slow, latin1("done\r\n\r\n"));
  const head = await readHead(slow);
  assert.equal(head?.status, 200, "and the slow one is answered once it is whole");
  await readBody(slow, head!.body, head!.length);
  slow.close();
  assert.equal((await server.stop()).code, 0, "and shuts down cleanly");
});
