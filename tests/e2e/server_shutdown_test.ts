// Graceful shutdown of the real server: SIGINT and SIGTERM finish the requests in flight, close
// idle connections and exit 0; a second signal exits at once.
import assert from "node:assert/strict";
import { bigDataFile, readBody, readHead, startServer, waitFor } from "../_helpers.ts";

const encoder = new TextEncoder();

Deno.test("server.ts finishes a request in flight on SIGTERM, then exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using server = await startServer(["--data", await bigDataFile(dir), "--quiet"]);
    let exited = false;
    server.child.status.then(() => exited = true);
    const port = Number(server.url.port);
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(encoder.encode("GET /weather/cities HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const { status, length, body } = (await readHead(conn))!;
    assert.equal(status, 200);
    assert.ok(length > 10_000_000, `an answer of ${length} bytes`);

    // The answer has begun and this client has stopped reading: the request is in flight.
    server.child.kill("SIGTERM");
    await waitFor(() => server.stdout().includes("Shutting down"), "the shutdown line");
    assert.equal(exited, false, "the server must wait for the answer it is still sending");
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }), "no new connections");

    const whole = await readBody(conn, body, length);
    assert.equal(JSON.parse(new TextDecoder().decode(whole)).cities.length, 40_000);
    assert.equal(await conn.read(new Uint8Array(1)), null, "then the server closes the connection");
    const exit = await server.stop();
    assert.equal(exit.code, 0);
    assert.deepEqual(server.stdout().trim().split("\n").slice(1), [
      "Shutting down on SIGTERM: finishing the requests in flight (5 s at most); a second signal stops at once",
    ]);
    assert.equal(server.stderr(), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server.ts exits 0 promptly on SIGINT with idle keep-alive connections open", async () => {
  await using server = await startServer(["--quiet"]);
  const port = Number(server.url.port);
  const idle: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      idle.push(conn);
      await conn.write(encoder.encode("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      const { status, length, body } = (await readHead(conn))!;
      assert.equal(status, 200);
      await readBody(conn, body, length);
    }
    using silent = await Deno.connect({ hostname: "127.0.0.1", port }); // connected, never asked
    const start = performance.now();
    server.child.kill("SIGINT");
    const exit = await server.child.status;
    const took = performance.now() - start;
    assert.equal(exit.code, 0);
    assert.ok(took < 3000, `shutdown took ${took} ms`);
    for (const conn of idle) assert.equal(await conn.read(new Uint8Array(1)), null);
    // Still in the listen queue when the listener closed, the silent one may be reset instead.
    await silent.read(new Uint8Array(1)).then(
      (read) => assert.equal(read, null),
      (error) => assert.ok(error instanceof Deno.errors.ConnectionReset, String(error)),
    );
    await server.stop();
    assert.match(
      server.stdout(),
      /\nShutting down on SIGINT: finishing the requests in flight \(5 s at most\); .*\n$/,
    );
  } finally {
    for (const conn of idle) conn.close();
  }
});

Deno.test("server.ts stops at once on a second signal while a request is still in flight", async () => {
  await using server = await startServer(["--quiet"]);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(server.url.port) });
  // Answered at once, but its body never ends: the request stays in flight.
  await conn.write(
    encoder.encode("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc"),
  );
  assert.equal((await readHead(conn))?.status, 200);
  server.child.kill("SIGTERM");
  await waitFor(() => server.stdout().includes("Shutting down"), "the shutdown line");
  server.child.kill("SIGINT");
  const exit = await server.child.status;
  assert.equal(exit.code, 130, "128 + SIGINT, as a shell reports a process it interrupted");
});

Deno.test("server.ts stops anyway --grace ms after the signal when a client never finishes its request", async () => {
  await using server = await startServer(["--quiet", "--grace", "300"]);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(server.url.port) });
  // The answer goes out at once, but the body never ends: the connection stays busy.
  await conn.write(
    encoder.encode("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc"),
  );
  assert.equal((await readHead(conn))?.status, 200);
  const start = performance.now();
  server.child.kill("SIGTERM");
  const exit = await server.child.status;
  const took = performance.now() - start;
  assert.equal(exit.code, 1);
  // A timer never fires early: the grace ran out whole before the server gave up.
  assert.ok(took >= 300, `stopped after ${took} ms`);
  await server.stop();
  assert.equal(
    server.stdout().trim().split("\n").slice(1).join("\n"),
    "Shutting down on SIGTERM: finishing the requests in flight (0.3 s at most); a second signal stops at once",
  );
  assert.equal(server.stderr(), "error: Requests still in flight 0.3 s after SIGTERM: stopping anyway\n");
});

Deno.test("server.ts --drain answers on with Connection: close for that long after a signal, then stops", async () => {
  await using server = await startServer(["--quiet", "--drain", "400"]);
  const port = Number(server.url.port);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const ask = async () => {
    await conn.write(encoder.encode("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const head = (await readHead(conn))!;
    await readBody(conn, head.body, head.length);
    return head;
  };
  assert.doesNotMatch((await ask()).head, /\r\nconnection: close/i, "keep-alive before the signal");
  let exited = false;
  server.child.status.then(() => exited = true);
  server.child.kill("SIGTERM");
  await waitFor(() => server.stdout().includes("Shutting down"), "the shutdown line");
  const draining = await ask();
  assert.equal(draining.status, 200, "still answering");
  assert.match(draining.head, /\r\nconnection: close/i, "asking the client to close");
  assert.equal(exited, false);
  assert.equal((await server.stop()).code, 0);
  assert.deepEqual(server.stdout().trim().split("\n").slice(1), [
    "Shutting down on SIGTERM: answering 400 ms with Connection: close, then finishing the requests in flight " +
    "(5 s at most); a second signal stops at once",
  ]);
});
