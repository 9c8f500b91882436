import assert from "node:assert/strict";
import { parseWrkOutput } from "../bench/wrk.ts";

const CLEAN = `Running 2s test @ http://127.0.0.1:8799/
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.06ms  559.18us   9.77ms   84.26%
    Req/Sec    22.88k     2.80k   26.47k    72.50%
  Latency Distribution
     50%    0.95ms
     75%    1.29ms
     90%    1.62ms
     99%    3.02ms
  91106 requests in 2.01s, 7.12MB read
Requests/sec:  45415.66
Transfer/sec:      3.55MB
`;

Deno.test("parseWrkOutput() reads requests, rate and latency percentiles in ms", () => {
  assert.deepEqual(parseWrkOutput(CLEAN), {
    requests: 91106,
    seconds: 2.01,
    requestsPerSecond: 45415.66,
    latency: { p50: 0.95, p75: 1.29, p90: 1.62, p99: 3.02 },
    socketErrors: 0,
    badStatus: 0,
  });
});

Deno.test("parseWrkOutput() reads microseconds, seconds and the error lines", () => {
  const text = CLEAN.replace("0.95ms", "812.50us").replace("3.02ms", "1.20s").replace(
    "Requests/sec",
    "  Socket errors: connect 0, read 3, write 1, timeout 2\n  Non-2xx or 3xx responses: 17\nRequests/sec",
  );
  const result = parseWrkOutput(text);
  assert.equal(result.latency.p50, 0.8125);
  assert.equal(result.latency.p99, 1200);
  assert.equal(result.socketErrors, 6);
  assert.equal(result.badStatus, 17);
});

Deno.test("parseWrkOutput() throws SyntaxError when wrk could not run", () => {
  assert.throws(() => parseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused\n"), SyntaxError);
});
