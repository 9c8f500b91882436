// `scripts/cluster.ts` as a user runs it: its flags and messages, the processes it runs (nginx as
// the current user, its files in a temporary directory), live reload through nginx, and stopping.
import assert from "node:assert/strict";
import { CLUSTER_HELP, CLUSTER_USAGE } from "../../src/cli_args.ts";
import { loadDataset } from "../../src/dataset.ts";
import { rawRequest, ROOT, tempFile, versionFile, waitFor } from "../_helpers.ts";
import { alive, childrenOf, CLUSTER_GRANTS, clusterCommand, clusterTest, startCluster } from "../_cluster.ts";

const decoder = new TextDecoder();

/** Runs the cluster with `args` to its end: status and output, asserted separately. */
async function run(args: string[]) {
  const { code, stdout, stderr } = await clusterCommand(args).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("cluster --help prints the help to stdout and exits 0", async () => {
  const { code, stdout, stderr } = await run(["--help"]);
  assert.equal(stdout, `${CLUSTER_HELP}\n`);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.match(CLUSTER_HELP, /\nUsage: deno task cluster \[--instances N\] .* \[-- SERVER FLAGS\.\.\.\]\n/);
});

Deno.test("cluster rejects bad flags, its own and the servers', with the usage line and exit 2", async () => {
  const cases = [
    [["--instances", "0"], 'Invalid instance count "0": expected 1 to 64'],
    [["--port", "http"], 'Invalid port "http": expected an integer from 0 to 65535'],
    [["--rate-limit", "lots"], 'Invalid rate-limit "lots": expected N/s or N/min, like 10/s'],
    [["--instnaces", "2"], 'Unknown option "--instnaces"'],
    [["--", "--fail-rate", "2"], 'Invalid fail-rate "2": expected a number from 0 to 1'],
    [
      ["--", "--port", "5001"],
      'Server flag "--port" is the cluster\'s to set: instances listen on ports of ' +
      "their own; give --port before -- for nginx",
    ],
    [["--", "--data", "x.json"], 'Server flag "--data" is the cluster\'s to set: give --data before --'],
  ] as const;
  await Promise.all(cases.map(async ([args, message]) => {
    const { code, stdout, stderr } = await run([...args]);
    assert.equal(stdout, "");
    assert.equal(stderr, `error: ${message}\n${CLUSTER_USAGE}\n`, args.join(" "));
    assert.equal(code, 2);
  }));
});

Deno.test("cluster says how to install nginx when it cannot find it, and exits 1", async () => {
  // Any program may be run here, so that a missing one is missing rather than not granted.
  const grants = CLUSTER_GRANTS.map((grant) => grant.startsWith("--allow-run=") ? "--allow-run" : grant);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...grants, "scripts/cluster.ts", "--nginx", "/nonexistent/nginx"],
    cwd: ROOT,
    stdin: "null",
  }).output();
  assert.equal(decoder.decode(output.stdout), "");
  assert.equal(
    decoder.decode(output.stderr),
    'error: Cannot find nginx (tried /nonexistent/nginx): install it with "apt-get install nginx" (Debian, ' +
      'Ubuntu) or "brew install nginx" (macOS), or name it with --nginx PATH\n',
  );
  assert.equal(output.code, 1);
});

Deno.test("cluster names the grant it lacks to run an nginx elsewhere, and exits 1", async () => {
  const { code, stdout, stderr } = await run(["--nginx", "/opt/nginx/sbin/nginx"]);
  assert.equal(stdout, "");
  assert.equal(
    stderr,
    'error: Cannot run "/opt/nginx/sbin/nginx": permission denied (grant it with --allow-run=/opt/nginx/sbin/nginx)\n',
  );
  assert.equal(code, 1);
});

clusterTest("cluster exits 1 when an instance cannot start, with the server's reason", async () => {
  await using broken = await tempFile("{ not json");
  const { code, stdout, stderr } = await run(["--port", "0", "--data", broken.path]);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /^error: Cannot parse ".*" as JSON: .*\nerror: Instance 1 did not start: it exited with status 1\n$/,
  );
  assert.equal(code, 1);
});

clusterTest("cluster exits 1 when nginx cannot listen, with nginx's reason", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { code, stdout, stderr } = await run(["--port", String(taken.addr.port), "--instances", "1"]);
  assert.equal(stdout, "");
  assert.match(stderr, /\[emerg\] .*bind\(\) to 127\.0\.0\.1:\d+ failed \(98: Address already in use\)/);
  assert.match(stderr, /\nerror: nginx did not start: it exited with status 1\n$/);
  assert.equal(code, 1);
});

clusterTest(
  "cluster runs nginx and its instances as the current user, its files in a directory it removes",
  async () => {
    await using server = await startCluster(["--instances", "2", "--", "--quiet"]);
    const { cluster, nginx, instances } = server.processes();
    assert.match(
      server.banner,
      /^Listening on http:\/\/127\.0\.0\.1:\d+\/ \(nginx [\d.]+ in front of 2 instances of 58 cities from weather\.json\)$/,
    );
    const user = decoder.decode((await new Deno.Command("id", { args: ["-un"] }).output()).stdout).trim();
    const children = await childrenOf(cluster);
    assert.deepEqual(
      children.map(({ pid }) => pid).toSorted(),
      [nginx, ...instances.map(({ pid }) => pid)].toSorted(),
    );
    const master = children.find(({ pid }) => pid === nginx)!;
    const dir = /-p (\/tmp\/weather-cluster-\w+)\//.exec(master.command)?.[1];
    assert.ok(dir, master.command);
    const workers = await childrenOf(nginx);
    assert.ok(workers.length >= 2, "workers and the cache manager");
    for (const process of [master, ...workers]) assert.equal(process.user, user, process.command);
    for (const instance of children.filter(({ pid }) => pid !== nginx)) {
      assert.match(
        instance.command,
        / --allow-net --allow-read --allow-env=HOST,PORT .*server\.ts --host 127\.0\.0\.1 /,
      );
      assert.match(instance.command, / --trust-proxy 127\.0\.0\.1 --drain 500 .*--quiet$/);
    }
    assert.ok((await Deno.stat(`${dir}/nginx.conf`)).isFile);
    assert.equal((await server.stop()).code, 0);
    for (const pid of [nginx, ...instances.map(({ pid }) => pid)]) {
      assert.equal(
        await alive(pid),
        false,
        `${pid} stopped`,
      );
    }
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound, "the directory is gone");
  },
);

clusterTest(
  "cluster answers the requests in flight on SIGTERM, stops nginx and the instances, and exits 0",
  async () => {
    await using cluster = await startCluster(["--instances", "2", "--", "--quiet"]);
    const { nginx, instances } = cluster.processes();
    // Prefer goes past the cache to an instance, which waits 600 ms before it answers.
    const slow = rawRequest(cluster.url, `GET /weather/Tokyo HTTP/1.1\r\nHost: x\r\nPrefer: delay=600`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    Deno.kill(cluster.processes().cluster, "SIGTERM");
    await waitFor(() => cluster.stdout().includes("Shutting down"), "the shutdown line");
    const answer = await slow;
    assert.equal(answer.status, 200, "answered");
    assert.equal(answer.headers.get("preference-applied"), "delay=600");
    const status = await cluster.child.status;
    assert.equal(status.code, 0);
    assert.deepEqual(cluster.stdout().trim().split("\n").slice(2), [
      "Shutting down on SIGTERM: nginx finishes the requests in flight, then the instances stop; " +
      "a second signal stops at once",
    ]);
    for (const pid of [nginx, ...instances.map(({ pid }) => pid)]) assert.equal(await alive(pid), false);
  },
);

clusterTest("cluster stops at once on a second signal, with a request still in flight", async () => {
  await using cluster = await startCluster(["--instances", "1", "--", "--quiet"]);
  const { nginx, instances } = cluster.processes();
  const slow = rawRequest(cluster.url, `GET /weather/Tokyo HTTP/1.1\r\nHost: x\r\nPrefer: delay=5000`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const pid = cluster.processes().cluster;
  Deno.kill(pid, "SIGTERM");
  await waitFor(() => cluster.stdout().includes("Shutting down"), "the shutdown line");
  Deno.kill(pid, "SIGINT");
  assert.equal((await cluster.child.status).code, 130);
  await slow.catch(() => {}); // cut off, whatever it got
  for (const pid of [nginx, ...instances.map(({ pid }) => pid)]) assert.equal(await alive(pid), false);
});

clusterTest(
  "cluster: a data file edit reaches every instance within a second, and cached answers follow it",
  async () => {
    await using data = await tempFile(JSON.stringify(versionFile(1)));
    await using cluster = await startCluster([
      "--instances",
      "2",
      "--data",
      data.path,
      "--",
      "--max-age",
      "1",
      "--quiet",
    ]);
    const ports = cluster.processes().instances.map(({ port }) => `127.0.0.1:${port}`).toSorted();
    const tokyo = async () => {
      const answer = await rawRequest(cluster.url, `GET /weather/Tokyo HTTP/1.1\r\nHost: x`);
      return JSON.parse(decoder.decode(answer.body)).current.condition as string;
    };
    assert.equal(await tokyo(), "Version 1");
    assert.equal(await tokyo(), "Version 1", "from the cache");

    await Deno.writeTextFile(data.path, JSON.stringify(versionFile(2)));
    const edited = performance.now();
    const { version } = await loadDataset(data.path);
    const seen = new Map<string, string>();
    await waitFor(
      async () => {
        const answer = await rawRequest(cluster.url, `GET /healthz HTTP/1.1\r\nHost: x`);
        seen.set(answer.headers.get("x-upstream")!, JSON.parse(decoder.decode(answer.body)).version);
        return [...seen.keys()].length === 2 && [...seen.values()].every((seen) => seen === version);
      },
      "the new version from both instances",
      5000,
    );
    const reloaded = performance.now() - edited;
    assert.deepEqual([...seen.keys()].toSorted(), ports);
    assert.ok(reloaded < 1500, `every instance serves the edit ${Math.round(reloaded)} ms after it`);

    // max-age is 1 s, which nginx counts in whole seconds: within 2 s the cache has the new data,
    // and nothing older comes after.
    await waitFor(async () => await tokyo() === "Version 2", "the new data through the cache", 2500);
    for (let i = 0; i < 20; i++) assert.equal(await tokyo(), "Version 2");
    assert.equal(
      cluster.stdout().match(/^instance \d: Reloaded 4 cities from /gm)?.length,
      2,
      cluster.stdout(),
    );
    assert.equal((await cluster.stop()).code, 0);
  },
);
