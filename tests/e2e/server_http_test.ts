// HTTP behaviour over a real socket: compression, conditional requests and bodies on GET.
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { rawRequest, startServer } from "../_helpers.ts";

const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

Deno.test("server.ts compresses JSON with gzip and br, both decoding to the same body", async () => {
  await using server = await startServer(["--quiet"]);
  const get = (encoding: string) =>
    rawRequest(server.url, `GET /openapi.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${encoding}`);
  const plain = await get("identity");
  const gzip = await get("gzip");
  const br = await get("br");
  assert.equal(plain.headers.get("content-encoding"), undefined);
  assert.equal(gzip.headers.get("content-encoding"), "gzip");
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.match(gzip.headers.get("vary")!, /Accept-Encoding/);
  assert.match(br.headers.get("vary")!, /Accept-Encoding/);
  assert.ok(gzip.body.length < plain.body.length && br.body.length < plain.body.length);
  const json = decode(plain.body);
  assert.deepEqual(decode(gunzipSync(gzip.body)), json);
  assert.deepEqual(decode(brotliDecompressSync(br.body)), json);
  // The ETag turns weak on compressed variants, and revalidating with it still gives 304.
  const etag = plain.headers.get("etag")!;
  assert.equal(gzip.headers.get("etag"), `W/${etag}`);
  for (const tag of [etag, gzip.headers.get("etag")!]) {
    const revalidated = await rawRequest(
      server.url,
      `GET /openapi.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nIf-None-Match: ${tag}`,
    );
    assert.equal(revalidated.status, 304, tag);
    assert.equal(revalidated.body.length, 0);
    assert.equal(revalidated.headers.get("etag"), etag);
  }
});

Deno.test("server.ts answers HEAD with the GET's length and no body", async () => {
  await using server = await startServer(["--quiet"]);
  const get = await rawRequest(server.url, "GET /weather/Tokyo HTTP/1.1\r\nHost: x");
  const head = await rawRequest(server.url, "HEAD /weather/Tokyo HTTP/1.1\r\nHost: x");
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers.get("content-length"), String(get.body.length));
  assert.equal(head.headers.get("etag"), get.headers.get("etag"));
});

Deno.test("server.ts ignores a body sent with GET and keeps serving", async () => {
  await using server = await startServer(["--quiet"]);
  const body = new Uint8Array(1_000_000).fill(120);
  const answered = await rawRequest(
    server.url,
    `GET /weather/Lima HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}`,
    body,
  );
  assert.equal(answered.status, 200);
  assert.equal(decode(answered.body).name, "Lima");
  const after = await fetch(new URL("/healthz", server.url));
  assert.equal(after.status, 200);
  assert.equal((await after.json()).status, "ok");
});

Deno.test("server.ts logs the request id it answered with", async () => {
  const server = await startServer();
  const response = await fetch(new URL("/healthz", server.url), { headers: { "x-request-id": "trace-99" } });
  await response.body?.cancel();
  await server.stop();
  assert.equal(response.headers.get("x-request-id"), "trace-99");
  assert.match(server.stderr(), / GET \/healthz 200 \d+\.\d\dms trace-99\n$/);
});
