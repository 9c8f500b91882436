import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalAddress, clientAddress, peerAddress } from "../src/client_address.ts";

const from = (hostname: string) => ({ remoteAddr: { hostname } });
const request = (headers: Record<string, string> = {}) => new Request("http://localhost/", { headers });

Deno.test("canonicalAddress() spells IPv4 and IPv6 addresses one way, mapped IPv4 as IPv4", () => {
  assert.equal(canonicalAddress("127.0.0.1"), "127.0.0.1");
  assert.equal(canonicalAddress(" 10.1.2.3 "), "10.1.2.3");
  assert.equal(canonicalAddress("::1"), "::1");
  assert.equal(canonicalAddress("[::1]"), "::1");
  assert.equal(canonicalAddress("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  assert.equal(canonicalAddress("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(canonicalAddress("::FFFF:7f00:1"), "127.0.0.1");
  fc.assert(fc.property(fc.ipV4(), (address) => canonicalAddress(address) === address));
  fc.assert(
    fc.property(
      fc.ipV6(),
      (address) => canonicalAddress(canonicalAddress(address)) === canonicalAddress(address),
    ),
  );
});

Deno.test("canonicalAddress() throws TypeError for what is not an IP address, naming it", () => {
  for (
    const bad of ["", "localhost", "1.2.3", "256.0.0.1", "010.0.0.1", "1.2.3.4/8", "::1::2", "fe80::1%eth0"]
  ) {
    assert.throws(() => canonicalAddress(bad, "trust-proxy address"), {
      name: "TypeError",
      message: `Invalid trust-proxy address ${JSON.stringify(bad)}: expected an IP address, like 127.0.0.1`,
    });
  }
});

Deno.test("peerAddress() is the connection's host, or unknown without one", () => {
  assert.equal(peerAddress(from("10.0.0.9")), "10.0.0.9");
  assert.equal(peerAddress(undefined), "unknown");
  assert.equal(peerAddress({ remoteAddr: { transport: "unix", path: "/tmp/s" } }), "unknown");
});

Deno.test("clientAddress() without trusted proxies is the peer, whatever the headers say", () => {
  for (const trusted of [undefined, []]) {
    const clientOf = clientAddress(trusted);
    const forged = request({ "x-real-ip": "1.1.1.1", "x-forwarded-for": "2.2.2.2" });
    assert.equal(clientOf(forged, from("127.0.0.1")), "127.0.0.1");
  }
});

Deno.test("clientAddress() believes a trusted proxy's X-Real-IP, else the last X-Forwarded-For entry", () => {
  const clientOf = clientAddress(["127.0.0.1", "::1"]);
  const proxy = from("127.0.0.1");
  assert.equal(
    clientOf(request({ "x-real-ip": " 10.0.0.7 ", "x-forwarded-for": "9.9.9.9" }), proxy),
    "10.0.0.7",
  );
  // What the client wrote comes first; the proxy appends the address it saw.
  assert.equal(clientOf(request({ "x-forwarded-for": "6.6.6.6, 10.0.0.8" }), proxy), "10.0.0.8");
  assert.equal(clientOf(request({ "x-forwarded-for": "10.0.0.8" }), from("::1")), "10.0.0.8");
  assert.equal(clientOf(request({ "x-forwarded-for": "10.0.0.8" }), from("::ffff:127.0.0.1")), "10.0.0.8");
  assert.equal(clientOf(request(), proxy), "127.0.0.1", "no header: the proxy itself");
  assert.equal(clientOf(request({ "x-forwarded-for": "1.1.1.1, " }), proxy), "127.0.0.1");
  assert.equal(clientOf(request({ "x-real-ip": "x".repeat(500) }), proxy).length, 64, "a bounded key");
});

Deno.test("clientAddress() ignores the forwarded headers of a peer it does not trust", () => {
  const clientOf = clientAddress(["127.0.0.1"]);
  const headers = { "x-real-ip": "10.0.0.7", "x-forwarded-for": "10.0.0.8" };
  assert.equal(clientOf(request(headers), from("192.168.1.20")), "192.168.1.20");
  assert.equal(clientOf(request(headers), from("::1")), "::1");
  assert.equal(clientOf(request(headers), undefined), "unknown");
});
