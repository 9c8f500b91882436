// Live reload of the data file, end to end: the real server as a subprocess, the file rewritten
// under it while requests keep coming.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Dataset } from "../../src/dataset.ts";
import { datasetOf, ROOT, startServer, versionFile, waitFor } from "../_helpers.ts";

const decoder = new TextDecoder();

/** Every valid version the test may write, by content hash, with the exact answers it gives. */
class Versions {
  readonly byHash = new Map<string, { n: number; data: Dataset }>();
  readonly byNumber = new Map<number, Dataset>();

  async text(n: number): Promise<string> {
    const file = versionFile(n);
    const data = await datasetOf(file);
    this.byHash.set(data.version, { n, data });
    this.byNumber.set(n, data);
    return JSON.stringify(file);
  }

  /** The version number `path`'s answer `body` belongs to; throws if it matches none whole. */
  identify(path: string, body: string): number {
    if (path === "/healthz") {
      const health = JSON.parse(body);
      const known = this.byHash.get(health.version);
      assert.ok(known, `unknown version ${health.version}`);
      assert.equal(health.cities, known.data.cities.length, "cities count of the same version");
      return known.n;
    }
    if (path === "/weather/cities") {
      const n = Number(/"Town (\d+)"/.exec(body)?.[1]);
      assert.equal(body, decoder.decode(this.byNumber.get(n)?.cityList.body), "city list of one version");
      return n;
    }
    const n = Number(/"Version (\d+)"/.exec(body)?.[1]);
    assert.equal(
      body,
      decoder.decode(this.byNumber.get(n)?.cityWeather(0, "metric").body),
      "Tokyo of one version",
    );
    return n;
  }
}

const PATHS = ["/healthz", "/weather/cities", "/get_weather?city=Tokyo", "/weather/tokyo"];

Deno.test("server.ts reloads its data file under continuous requests, never failing or mixing versions", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "weather.json");
  const versions = new Versions();
  await Deno.writeTextFile(path, await versions.text(0));
  const server = await startServer(["--data", path, "--quiet"]);
  try {
    let running = true;
    const failures: string[] = [];
    const seen = new Set<number>();
    let answered = 0;
    // Each client asks in sequence, so the versions it sees may only move forward.
    const client = async () => {
      let latest = 0;
      for (let i = 0; running; i++) {
        const route = PATHS[i % PATHS.length]!;
        try {
          const response = await fetch(new URL(route, server.url));
          const body = await response.text();
          if (response.status !== 200) throw new Error(`status ${response.status}: ${body}`);
          const n = versions.identify(route, body);
          if (n < latest) throw new Error(`went back from version ${latest} to ${n}`);
          latest = n;
          seen.add(n);
          answered++;
        } catch (error) {
          failures.push(`${route}: ${(error as Error).message}`);
        }
        // A request every millisecond or so per client keeps the load continuous without
        // taking the cores the rest of the parallel suite runs on.
        if (i % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    const clients = Array.from({ length: 4 }, client);

    const health = async () => await (await fetch(new URL("/healthz", server.url))).json();
    const expectServed = async (n: number) => {
      const version = versions.byNumber.get(n)!.version;
      await waitFor(async () => (await health()).version === version, `version ${n} within a second`, 1000);
    };
    const expectError = async (pattern: RegExp) => {
      const error = await waitFor(async () => {
        const { last_reload_error: error } = await health();
        return typeof error === "string" && pattern.test(error) && error;
      }, `a reload error like ${pattern}`);
      assert.doesNotMatch(error, new RegExp(dir), "clients see the file name only");
    };

    for (let n = 1; n <= 6; n++) {
      // Valid: in place, or as editors save, by renaming a sibling over the file.
      const content = await versions.text(n);
      if (n % 2 === 0) await Deno.writeTextFile(path, content);
      else {
        await Deno.writeTextFile(join(dir, "weather.json.tmp"), content);
        await Deno.rename(join(dir, "weather.json.tmp"), path);
      }
      await expectServed(n);
      await Deno.writeTextFile(path, '{"cities": [');
      await expectError(/^Cannot parse "weather\.json" as JSON: unexpected end of input/);
      await Deno.writeTextFile(path, JSON.stringify({ cities: [{ name: "Nowhere" }] }));
      await expectError(/^Invalid data file "weather\.json": cities\[0\]\.country: /);
      const duplicate = versionFile(n);
      duplicate.cities.push({ ...(duplicate.cities[1] as object), name: `TOWN ${n}` });
      await Deno.writeTextFile(path, JSON.stringify(duplicate));
      await expectError(/: duplicate city "TOWN \d+", same as cities\[1\]\.name "Town \d+"$/);
      await Deno.remove(path);
      await expectError(/^Cannot read data file "weather\.json": no such file$/);
    }
    // A burst of rewrites, the file restored: the last one serves within a second.
    for (let n = 100; n < 110; n++) await Deno.writeTextFile(path, await versions.text(n));
    await expectServed(109);
    assert.equal((await health()).last_reload_error, null);

    running = false;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    assert.ok(answered > 100, `only ${answered} answers`);
    assert.ok(seen.size >= 5, `the clients saw versions ${[...seen]}`);

    const status = await server.stop();
    assert.equal(status.code, 0);
    const errors = server.stderr().trim().split("\n");
    assert.equal(errors.length, 6 * 4);
    assert.equal(
      errors[0],
      `error: Cannot parse "${path}" as JSON: unexpected end of input at line 1, column 13`,
    );
    assert.equal(errors[3], `error: Cannot read data file "${path}": no such file`);
    assert.match(server.stdout(), /^Reloaded 3 cities from weather\.json, version [0-9a-f]{16}$/m);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server.ts --no-watch keeps the data it started with", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "weather.json");
  const versions = new Versions();
  await Deno.writeTextFile(path, await versions.text(1));
  await using watching = await startServer(["--data", path, "--quiet"]);
  await using fixed = await startServer(["--data", path, "--quiet", "--no-watch"]);
  try {
    const version = async (server: typeof fixed) =>
      (await (await fetch(new URL("/healthz", server.url))).json()).version;
    const v1 = versions.byNumber.get(1)!.version;
    await Deno.writeTextFile(path, await versions.text(2));
    const v2 = versions.byNumber.get(2)!.version;
    await waitFor(async () => await version(watching) === v2, "the watching server to reload");
    // A reload takes the same time in both; give the other three times as long to prove it never comes.
    const deadline = performance.now() + 300;
    while (performance.now() < deadline) assert.equal(await version(fixed), v1);
  } finally {
    await watching.stop();
    await fixed.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("server.ts watches its bundled data file by default when run from source", async () => {
  // A copy of the project, so that editing its bundled file leaves this one alone.
  const copy = await Deno.makeTempDir();
  try {
    for (const name of ["server.ts", "deno.json", "deno.lock"]) {
      await Deno.copyFile(new URL(name, ROOT), join(copy, name));
    }
    const copyTree = async (folder: string): Promise<void> => {
      await Deno.mkdir(join(copy, folder));
      for await (const entry of Deno.readDir(new URL(folder, ROOT))) {
        const path = `${folder}/${entry.name}`;
        if (entry.isDirectory) await copyTree(path);
        else await Deno.copyFile(new URL(path, ROOT), join(copy, path));
      }
    };
    for (const folder of ["src", "data"]) await copyTree(folder);
    const versions = new Versions();
    await using server = await startServer(["--quiet"], join(copy, "server.ts"));
    await Deno.writeTextFile(join(copy, "data", "weather.json"), await versions.text(3));
    const v3 = versions.byNumber.get(3)!.version;
    await waitFor(
      async () => (await (await fetch(new URL("/healthz", server.url))).json()).version === v3,
      "the bundled file to reload",
    );
    await server.stop();
    assert.match(server.stdout(), /^Reloaded 5 cities from weather\.json, version /m);
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});
