// The deno.json tasks as a user runs them: `deno task serve` and friends with the documented flags,
// and the signals a terminal or a process manager sends them. Each task runs in a process group
// of its own (setsid), as a shell's job does, so that a signal can go to the whole group, as Ctrl-C
// in a terminal sends it.
import assert from "node:assert/strict";
import { createHandler } from "../../src/handler.ts";
import { findNginx, NGINX_CANDIDATES } from "../../src/cluster.ts";
import {
  bigDataFile,
  bundled,
  readBody,
  readHead,
  ROOT,
  type ServerProcess,
  spawnServer,
  tempFile,
  waitFor,
} from "../_helpers.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const TASKS: Record<string, string> = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;

/** True when `command args` runs and succeeds here. */
async function runs(command: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

// A process group of the task's own needs setsid, and listing it ps, as on Linux; elsewhere
// (macOS has no setsid, Windows neither) these tests say so in their names and are ignored.
const GROUPS = Deno.build.os !== "windows" && await runs("setsid", ["--version"]) &&
  await runs("ps", ["-A", "-o", "pid="]);

/** A test that runs a task in a process group of its own; ignored, saying why, where that cannot be had. */
function groupTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: GROUPS ? name : `${name} (ignored: needs setsid and ps)`, ignore: !GROUPS, fn });
}

/** `deno task <args>` (or `deno task --eval <script>`), in a new process group led by the task runner where setsid is. */
function taskCommand(args: string[], env: Record<string, string> = {}): Deno.Command {
  // Not a group leader itself, setsid execs the task runner in place: the child's pid is the group's.
  // Without setsid the task runs in this process's group, which only the signal tests mind.
  const task = [Deno.execPath(), "task", "--quiet", ...args];
  return new Deno.Command(GROUPS ? "setsid" : task[0]!, {
    args: GROUPS ? task : task.slice(1),
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** The processes left in process group `group`, as `ps` lists them (pid, pgid, command). */
async function groupMembers(group: number): Promise<string[]> {
  const { stdout } = await new Deno.Command("ps", { args: ["-A", "-o", "pid=,pgid=,args="] }).output();
  return decoder.decode(stdout).split("\n").filter((line) => line.trim().split(/\s+/)[1] === String(group));
}

/** True once nothing listens on `url`'s port. */
async function portFreed(url: URL): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) })).close();
    return false;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return true;
    throw error;
  }
}

/** The serve:parallel task's command on port 0 instead of 5000, to run with `deno task --eval`. */
function parallelOnPortZero(): string {
  const command = TASKS["serve:parallel"]!;
  assert.match(command, / --port 5000 /);
  return command.replace(" --port 5000 ", " --port 0 ");
}

Deno.test(
  "deno task serve --host ::1 serves there, and deno task client --url http://[::1]:PORT reads it",
  async () => {
    await using server = await spawnServer(taskCommand(["serve", "--host", "::1", "--port", "0", "--quiet"]));
    assert.match(server.banner, /^Listening on http:\/\/\[::1\]:\d+\/ \(58 cities from weather\.json\)$/);
    const client = await taskCommand(["client", "--url", server.url.href, "cities", "--json"]).output();
    assert.equal(decoder.decode(client.stderr), "");
    assert.deepEqual(JSON.parse(decoder.decode(client.stdout)), {
      cities: bundled.cities.map((c) => c.name),
    });
    assert.equal(client.code, 0);
    assert.equal((await server.stop()).code, 0);
  },
);

Deno.test(
  "deno task serve -- --data /tmp/... reads a data file anywhere, after an npm-style --",
  async () => {
    await using file = await tempFile(JSON.stringify({ cities: [bundled.cities[0]] }));
    await using server = await spawnServer(taskCommand(["serve", "--", "--port", "0", "--data", file.path]));
    const name = file.path.split("/").pop()!;
    assert.match(
      server.banner,
      new RegExp(`^Listening on http://127\\.0\\.0\\.1:\\d+/ \\(1 city from ${name}\\)$`),
    );
    const tokyo = await fetch(new URL("/weather/Tokyo", server.url));
    assert.equal((await tokyo.json()).name, "Tokyo");
    assert.equal((await server.stop()).code, 0);
  },
);

Deno.test("deno task serve takes PORT=0 and HOST=localhost from the environment", async () => {
  await using server = await spawnServer(taskCommand(["serve", "--quiet"], { PORT: "0", HOST: "localhost" }));
  assert.match(server.banner, /^Listening on http:\/\/(127\.0\.0\.1|\[::1\]):\d+\//);
  const health = await fetch(new URL("/healthz", server.url));
  assert.equal(health.status, 200);
  await health.body?.cancel();
  assert.equal((await server.stop()).code, 0);
});

/** Starts `command`, begins a 12 MB answer and stops reading it: a request in flight. */
async function withRequestInFlight(
  command: (data: string) => Deno.Command,
  run: (server: ServerProcess, finish: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await using server = await spawnServer(command(await bigDataFile(dir)));
    const url = server.url;
    using conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    await conn.write(encoder.encode("GET /weather/cities HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const { status, length, body } = (await readHead(conn))!;
    assert.equal(status, 200);
    await run(server, async () => {
      const whole = await readBody(conn, body, length);
      assert.equal(JSON.parse(decoder.decode(whole)).cities.length, 40_000, "the whole answer");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

groupTest(
  "deno task serve answers the requests in flight on SIGINT to its process group, then exits 0",
  async () => {
    await withRequestInFlight(
      (data) => taskCommand(["serve", "--port", "0", "--quiet", "--data", data]),
      async (server, finish) => {
        Deno.kill(-server.child.pid, "SIGINT"); // Ctrl-C: the task runner and the server both get it
        await waitFor(() => server.stdout().includes("Shutting down"), "the shutdown line");
        await finish();
        const status = await server.child.status;
        await server.stop();
        assert.equal(status.code, 0);
        assert.deepEqual(server.stdout().trim().split("\n").slice(1), [
          "Shutting down on SIGINT: finishing the requests in flight (5 s at most); a second signal stops at once",
        ]);
        assert.deepEqual(await groupMembers(server.child.pid), [], "no process left behind");
      },
    );
  },
);

groupTest(
  "deno task serve stops on SIGTERM to the task runner: port freed, nothing left running",
  async () => {
    await using server = await spawnServer(taskCommand(["serve", "--port", "0", "--quiet"]));
    const members = await groupMembers(server.child.pid);
    assert.equal(members.length, 2, `the task runner and the server: ${members.join("; ")}`);
    const status = await server.stop(); // SIGTERM to the task runner
    assert.equal(status.code, 0);
    assert.ok(await portFreed(server.url), "the port is free");
    assert.deepEqual(await groupMembers(server.child.pid), [], "no process left behind");
  },
);

groupTest(
  "deno task serve:parallel finishes a request in flight on SIGINT to its process group, then exits 0",
  async () => {
    await using server = await spawnServer(
      taskCommand(["--eval", parallelOnPortZero()], { DENO_JOBS: "1", WEATHER_QUIET: "1" }),
    );
    using conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(server.url.port) });
    // Answered at once, but its body never ends: the request stays in flight until it does.
    await conn.write(
      encoder.encode("GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\nabc"),
    );
    const head = await readHead(conn);
    assert.equal(head?.status, 200);
    // The body may come in a read of its own: read all of it before expecting the end.
    await readBody(conn, head!.body, head!.length);
    Deno.kill(-server.child.pid, "SIGINT");
    await conn.write(encoder.encode("def"));
    assert.equal(
      await conn.read(new Uint8Array(1)),
      null,
      "the server closes the connection once it is done",
    );
    assert.equal((await server.child.status).code, 0, "not killed by the signal repeated");
    await server.stop();
    assert.deepEqual(await groupMembers(server.child.pid), [], "no process left behind");
  },
);

groupTest(
  "deno task serve:parallel stops on SIGTERM to the task runner: port freed, nothing left running",
  async () => {
    await using server = await spawnServer(
      taskCommand(["--eval", parallelOnPortZero()], { DENO_JOBS: "2", WEATHER_QUIET: "1" }),
    );
    // Both workers up (see serve_parallel_test.ts): a worker still starting would miss the signal.
    const workers = new Set<string>();
    await waitFor(
      async () => {
        const response = await fetch(new URL("/healthz", server.url), { headers: { connection: "close" } });
        await response.body?.cancel();
        workers.add(response.headers.get("serve-worker") ?? "");
        return workers.size === 2;
      },
      "both workers",
      20_000,
    );
    server.child.kill("SIGTERM");
    // One signal, as a process manager sends it: wait for the exit before stop(), which signals again.
    assert.equal((await server.child.status).code, 0);
    await server.stop();
    assert.ok(await portFreed(server.url), "the port is free");
    assert.deepEqual(await groupMembers(server.child.pid), [], "no process left behind");
  },
);

const NGINX = typeof await findNginx(NGINX_CANDIDATES) !== "string";

Deno.test({
  name:
    "deno task cluster answers a request in flight on SIGINT to its process group, then exits 0, leaving nothing" +
    (!GROUPS ? " (ignored: needs setsid and ps)" : !NGINX ? " (ignored: nginx not installed)" : ""),
  ignore: !GROUPS || !NGINX,
  fn: async () => {
    await using cluster = await spawnServer(
      taskCommand(["cluster", "--port", "0", "--instances", "1", "--", "--quiet"]),
    );
    await waitFor(() => cluster.stdout().includes("\nProcesses: "), "the Processes line");
    const processes = /^Processes: nginx (\d+), instance 1 (\d+) /m.exec(cluster.stdout());
    assert.ok(processes, cluster.stdout());
    const slow = fetch(new URL("/weather/Tokyo", cluster.url), { headers: { prefer: "delay=500" } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    Deno.kill(-cluster.child.pid, "SIGINT"); // Ctrl-C: the task runner and the cluster, not its children
    const answer = await slow;
    assert.equal(answer.status, 200);
    await answer.body?.cancel();
    assert.equal((await cluster.child.status).code, 0);
    await cluster.stop();
    assert.deepEqual(await groupMembers(cluster.child.pid), [], "no process left in the group");
    const { stdout } = await new Deno.Command("ps", {
      args: ["-o", "pid=", "-p", `${processes[1]},${processes[2]}`],
    })
      .output();
    assert.equal(decoder.decode(stdout).trim(), "", "nginx and the instance have stopped");
  },
});

/** What `flags` grant, as `Deno.permissions.query` answers for each of `descriptors`, in a subprocess. */
async function granted(flags: string[], descriptors: Deno.PermissionDescriptor[]): Promise<string[]> {
  await using script = await tempFile(
    `const all = ${JSON.stringify(descriptors)};
    console.log(JSON.stringify(await Promise.all(all.map(async (d) => (await Deno.permissions.query(d)).state))));`,
    ".ts",
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...flags, script.path],
    stdin: "null",
  }).output();
  assert.equal(decoder.decode(output.stderr), "");
  return JSON.parse(decoder.decode(output.stdout));
}

/** The permission flags of task `name`. */
function taskFlags(name: string): string[] {
  return TASKS[name]!.split(" ").filter((word) => /^--(allow|deny)-/.test(word));
}

Deno.test("the serve tasks grant what every documented flag needs, and nothing to write, run, FFI or sys", async () => {
  for (
    const [task, variables] of [["serve", ["HOST", "PORT"]], ["dev", ["HOST", "PORT"]], [
      "serve:parallel",
      [
        "WEATHER_DATA",
        "WEATHER_QUIET",
        "WEATHER_NOW",
        "WEATHER_SEED",
        "WEATHER_API_KEYS",
        "WEATHER_UPSTREAM",
      ],
    ]] as const
  ) {
    const states = await granted(taskFlags(task), [
      { name: "net", host: "0.0.0.0:8080" },
      { name: "net", host: "[::1]:5000" },
      { name: "net", host: "localhost:5000" },
      { name: "read", path: "/tmp/x.json" },
      { name: "read", path: "./my.json" },
      ...variables.map((variable) => ({ name: "env", variable }) as const),
      { name: "env", variable: "HOME" },
      { name: "write", path: "/tmp/x.json" },
      { name: "run", command: "sh" },
      { name: "ffi" },
      { name: "sys", kind: "hostname" },
    ]);
    assert.deepEqual(states, [
      ...Array(5 + variables.length).fill("granted"),
      ...Array(5).fill("prompt"),
    ], task);
  }
});

Deno.test("the cluster task may run Deno and nginx, reach 127.0.0.1, read deploy/, write /tmp, and no more", async () => {
  const states = await granted(taskFlags("cluster"), [
    { name: "run", command: "deno" },
    { name: "run", command: "nginx" },
    { name: "run", command: "/usr/sbin/nginx" },
    { name: "net", host: "127.0.0.1:5000" },
    { name: "read", path: new URL("deploy/nginx.conf", ROOT).pathname },
    { name: "write", path: "/tmp/weather-cluster-x/nginx.conf" },
    { name: "sys", kind: "uid" },
    { name: "run", command: "sh" },
    { name: "net", host: "0.0.0.0:80" },
    { name: "read", path: new URL("data/weather.json", ROOT).pathname },
    // Outside /tmp, wherever the checkout is (a clone under /tmp is inside the grant).
    { name: "write", path: "/etc/weather-cluster.conf" },
    { name: "sys", kind: "hostname" },
    { name: "env", variable: "HOME" },
    { name: "ffi" },
  ]);
  assert.deepEqual(states, [...Array(7).fill("granted"), ...Array(7).fill("prompt")]);
});

Deno.test("the client task grants any --url, its two variables, and nothing else", async () => {
  const states = await granted(taskFlags("client"), [
    { name: "net", host: "192.168.1.10:5000" },
    { name: "net", host: "[::1]:5000" },
    { name: "env", variable: "WEATHER_URL" },
    { name: "env", variable: "NO_COLOR" },
    { name: "env", variable: "HOME" },
    { name: "read", path: "/etc/passwd" },
    { name: "write", path: "/tmp/x" },
    { name: "run", command: "sh" },
  ]);
  assert.deepEqual(states, [
    "granted",
    "granted",
    "granted",
    "granted",
    "prompt",
    "prompt",
    "prompt",
    "prompt",
  ]);
});

Deno.test("the record task grants any upstream, reading and writing anywhere, and nothing to run, FFI, sys or env", async () => {
  const states = await granted(taskFlags("record"), [
    { name: "net", host: "api.open-meteo.com:443" },
    { name: "net", host: "127.0.0.1:5001" },
    { name: "read", path: "/tmp/cities.json" },
    { name: "write", path: "/tmp/live.json" },
    { name: "run", command: "sh" },
    { name: "ffi" },
    { name: "sys", kind: "hostname" },
    { name: "env", variable: "HOME" },
  ]);
  assert.deepEqual(states, [...Array(4).fill("granted"), ...Array(4).fill("prompt")]);
});

Deno.test("deno task serve --upstream http://127.0.0.1:PORT answers live weather under the task's grants", async () => {
  await using upstream = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    createHandler({ current: bundled }, { frozenClock: Date.parse("2026-11-23T12:00:00Z") }),
  );
  const base = `http://127.0.0.1:${upstream.addr.port}`;
  await using server = await spawnServer(
    taskCommand(["serve", "--port", "0", "--quiet", "--upstream", base, "--upstream-ttl", "60"]),
  );
  assert.match(server.banner, new RegExp(`; live weather from ${base.replaceAll(".", "\\.")}\\)$`));
  const response = await fetch(new URL("/data/2.5/weather?q=Tokyo&appid=k", server.url));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-weather-source"), "upstream");
  assert.equal((await response.json()).name, "Tokyo");
  assert.equal((await server.stop()).code, 0);
  assert.equal(server.stderr(), "");
});
