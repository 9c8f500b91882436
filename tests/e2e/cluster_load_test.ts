// The cluster under wrk load: an instance killed and started again, and a rolling restart, with
// no failed request. Failover and retries are nginx's; the cluster only runs the processes.
import assert from "node:assert/strict";
import { waitFor } from "../_helpers.ts";
import { alive, clusterTest, startCluster, wrkCounts } from "../_cluster.ts";

/** Every kind of route, a form POST to Open-Meteo among them. */
const PATHS = [
  "/weather/Tokyo",
  "/get_forecast?city=Lima&days=2&hours=6",
  "/v1/forecast?latitude=52.52&longitude=13.405&current=temperature_2m&hourly=temperature_2m",
  "/v1/forecast latitude=35.68&longitude=139.65&daily=temperature_2m_max",
  "/data/2.5/weather?q=London,uk&appid=load",
  "/v1/search?name=Berlin",
];

clusterTest(
  "cluster: an instance killed under load is started again; no request fails but one the kill cut mid-write, no 5xx but simulated 503s",
  async () => {
    // No caching (max-age 0), so that every request reaches an instance and meets --fail-rate.
    await using cluster = await startCluster([
      "--instances",
      "2",
      "--",
      "--max-age",
      "0",
      "--fail-rate",
      "0.05",
      "--seed",
      "3",
      "--quiet",
    ]);
    const [first] = cluster.processes().instances;
    const load = wrkCounts(cluster.url, PATHS, 4);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    Deno.kill(first!.pid, "SIGKILL");
    await waitFor(() => cluster.stdout().includes("instance 1: started again"), "instance 1 again", 15_000);
    const { requests, statuses, errors } = await load;
    // Deno sends an answer's head and its body in two writes: a SIGKILL between them cuts that
    // one answer, which nginx cannot send elsewhere once the head has gone on. Only those may
    // fail, each named in nginx's log by the killed instance's port; any other is a failure.
    const cut =
      cluster.stderr().split("\n").filter((line) =>
        line.includes("upstream prematurely closed connection while reading upstream") &&
        line.includes(`upstream: "http://127.0.0.1:${first!.port}/`)
      ).length;
    const { read, ...others } = errors;
    assert.deepEqual(others, { connect: 0, write: 0, timeout: 0 }, cluster.stderr());
    assert.ok(read <= cut, `${read} failed reads, ${cut} answers cut:\n${cluster.stderr()}`);
    assert.ok(cut <= 2, `${cut} answers cut by the kill:\n${cluster.stderr()}`);
    assert.deepEqual(Object.keys(statuses).toSorted(), ["200", "503"], JSON.stringify(statuses));
    assert.ok(requests > 1000, `${requests} requests`);
    const share = statuses["503"]! / requests;
    assert.ok(share > 0.02 && share < 0.1, `simulated outages: ${share} of the answers, --fail-rate 0.05`);
    assert.match(
      cluster.stderr(),
      new RegExp(`error: Instance 1 \\(pid ${first!.pid}\\) exited on SIGKILL: starting it again\\n`),
    );
    const again = cluster.stdout().match(/instance 1: started again, pid (\d+)/)!;
    assert.ok(await alive(Number(again[1])), "the new instance runs");
    assert.equal((await cluster.stop()).code, 0);
  },
  { wrk: true },
);

clusterTest(
  "cluster: SIGHUP restarts the instances one at a time under load, with no failed request",
  async () => {
    await using cluster = await startCluster(["--instances", "2", "--", "--max-age", "0", "--quiet"]);
    const before = cluster.processes().instances.map(({ pid }) => pid);
    const load = wrkCounts(cluster.url, PATHS, 5);
    await new Promise((resolve) => setTimeout(resolve, 700));
    Deno.kill(cluster.processes().cluster, "SIGHUP");
    await waitFor(() => cluster.stdout().includes("Restarted 2 instances"), "the restart", 15_000);
    const { requests, statuses, socketErrors, errors } = await load;
    assert.equal(
      socketErrors,
      0,
      `no failed connection or read: ${JSON.stringify(errors)}\n${cluster.stderr()}`,
    );
    assert.deepEqual(Object.keys(statuses), ["200"], JSON.stringify(statuses));
    assert.ok(requests > 1000, `${requests} requests`);
    const replaced = [...cluster.stdout().matchAll(/instance (\d): replaced, pid (\d+) → (\d+)/g)];
    assert.deepEqual(replaced.map(([, slot, old]) => [Number(slot), Number(old)]), [[1, before[0]], [
      2,
      before[1],
    ]]);
    for (const pid of before) assert.equal(await alive(pid), false, `the old instance ${pid} has stopped`);
    assert.doesNotMatch(cluster.stderr(), /^error: /m);
    assert.equal((await cluster.stop()).code, 0);
  },
  { wrk: true },
);

clusterTest(
  "cluster: with one instance, SIGHUP starts the replacement beside it on its port, with no failed request",
  async () => {
    await using cluster = await startCluster(["--instances", "1", "--", "--max-age", "0", "--quiet"]);
    const load = wrkCounts(cluster.url, PATHS, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    Deno.kill(cluster.processes().cluster, "SIGHUP");
    await waitFor(() => cluster.stdout().includes("Restarted 1 instance\n"), "the restart", 15_000);
    const { statuses, socketErrors, errors } = await load;
    assert.equal(socketErrors, 0, `${JSON.stringify(errors)}\n${cluster.stderr()}`);
    assert.deepEqual(Object.keys(statuses), ["200"], JSON.stringify(statuses));
    assert.equal((await cluster.stop()).code, 0);
  },
  { wrk: true, linux: true },
);
