import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Dataset, loadDataset } from "../src/dataset.ts";
import { DataReloader, type DataReloaderOptions } from "../src/reloader.ts";
import { bundled, datasetOf, versionFile, waitFor } from "./_helpers.ts";

const text = (n: number) => JSON.stringify(versionFile(n));
const versionOf = async (n: number) => (await datasetOf(versionFile(n))).version;

/** A data file holding version 1 in a fresh directory, and a reloader over it (not yet watching). */
async function fixture(options: Partial<DataReloaderOptions> = {}) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "weather.json");
  await Deno.writeTextFile(path, text(1));
  const info: string[] = [];
  const errors: string[] = [];
  const reloader = new DataReloader(path, await loadDataset(path), {
    log: { info: (line) => info.push(line), error: (line) => errors.push(line) },
    ...options,
  });
  return {
    dir,
    path,
    reloader,
    info,
    errors,
    async [Symbol.asyncDispose]() {
      await reloader.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("DataReloader swaps in a valid edit of the watched file", async () => {
  await using f = await fixture();
  f.reloader.watch();
  const before = f.reloader.current;
  await Deno.writeTextFile(f.path, text(2));
  const v2 = await versionOf(2);
  await waitFor(() => f.reloader.current.version === v2, "version 2");
  assert.notEqual(f.reloader.current, before);
  assert.equal(f.reloader.current.cities[1]!.name, "Town 2");
  assert.equal(f.reloader.lastReloadError, null);
  assert.deepEqual(f.info, [`Reloaded 4 cities from weather.json, version ${v2}`]);
  assert.deepEqual(f.errors, []);
});

Deno.test("DataReloader keeps the last good data after an invalid edit and logs the startup message", async () => {
  await using f = await fixture();
  f.reloader.watch();
  const good = f.reloader.current;
  const duplicate = versionFile(3);
  duplicate.cities.push({ ...bundled.cities[1]!, name: "TOWN 3" });
  const bad = [
    '{"cities": [\n  {"name": "Tokyo",\n]}',
    JSON.stringify({ cities: [{ name: "Nowhere" }] }),
    JSON.stringify(duplicate),
    new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]),
  ];
  for (const [i, content] of bad.entries()) {
    if (typeof content === "string") await Deno.writeTextFile(f.path, content);
    else await Deno.writeFile(f.path, content);
    await waitFor(() => f.errors.length === i + 1, `the error for bad file ${i}`);
    const startup = await loadDataset(f.path).then(() => "loaded", (error: Error) => error.message);
    assert.equal(f.errors[i], startup);
    assert.match(startup, /^(Cannot parse|Invalid data file) ".*weather\.json"/);
    assert.equal(f.reloader.current, good, "the last good version keeps serving");
    assert.equal(f.reloader.lastReloadError, startup.replace(f.path, "weather.json"));
  }
  await Deno.writeTextFile(f.path, text(4));
  const v4 = await versionOf(4);
  await waitFor(() => f.reloader.current.version === v4, "version 4 after the fix");
  assert.equal(f.reloader.lastReloadError, null);
});

Deno.test("DataReloader survives the file being deleted, then replaced by rename", async () => {
  await using f = await fixture();
  f.reloader.watch();
  const good = f.reloader.current;
  await Deno.remove(f.path);
  await waitFor(() => f.reloader.lastReloadError, "the error for a deleted file");
  assert.equal(f.errors.at(-1), `Cannot read data file "${f.path}": no such file`);
  assert.equal(f.reloader.lastReloadError, 'Cannot read data file "weather.json": no such file');
  assert.equal(f.reloader.current, good);
  // An editor's save: write a sibling, then rename it over the file.
  const temporary = join(f.dir, ".weather.json.swp");
  await Deno.writeTextFile(temporary, text(5));
  await Deno.rename(temporary, f.path);
  const v5 = await versionOf(5);
  await waitFor(() => f.reloader.current.version === v5, "version 5 after the rename");
  assert.equal(f.reloader.lastReloadError, null);
  // Later edits are still seen: the watch is on the directory, not the replaced file.
  await Deno.writeTextFile(f.path, text(6));
  const v6 = await versionOf(6);
  await waitFor(() => f.reloader.current.version === v6, "version 6");
});

Deno.test("DataReloader restored to the same content clears the error and keeps the version", async () => {
  await using f = await fixture();
  f.reloader.watch();
  const good = f.reloader.current;
  await Deno.remove(f.path);
  await waitFor(() => f.reloader.lastReloadError, "the error for a deleted file");
  await Deno.writeTextFile(f.path, text(1));
  await waitFor(() => f.reloader.lastReloadError === null, "recovery");
  assert.equal(f.reloader.current, good, "same bytes, same version and loaded_at");
  assert.deepEqual(f.info, [`Reloaded 3 cities from weather.json, version ${good.version} (unchanged)`]);
});

Deno.test("DataReloader folds a burst of writes into few loads and ends on the last", async () => {
  let loads = 0;
  await using f = await fixture({
    load: (path) => {
      loads++;
      return loadDataset(path);
    },
  });
  f.reloader.watch();
  for (let n = 10; n < 30; n++) await Deno.writeTextFile(f.path, text(n));
  const last = await versionOf(29);
  await waitFor(() => f.reloader.current.version === last, "the last version of the burst");
  assert.ok(loads <= 3, `${loads} loads for 20 writes`);
  assert.deepEqual(f.errors, []);
});

Deno.test("DataReloader.reload() never runs two loads at once and ends on the latest", async () => {
  const pending: { resolve: (data: Dataset) => void }[] = [];
  let active = 0;
  let most = 0;
  const reloader = new DataReloader("unused.json", bundled, {
    log: { info() {}, error() {} },
    load: () => {
      most = Math.max(most, ++active);
      return new Promise<Dataset>((resolve) => pending.push({ resolve })).finally(() => active--);
    },
  });
  const first = reloader.reload();
  const second = reloader.reload();
  const third = reloader.reload();
  assert.equal(pending.length, 1);
  pending[0]!.resolve(await datasetOf(versionFile(1)));
  await waitFor(() => pending.length === 2, "the second load");
  const latest = await datasetOf(versionFile(2));
  pending[1]!.resolve(latest);
  await Promise.all([first, second, third]);
  assert.equal(pending.length, 2, "the calls made during a load share one more load");
  assert.equal(most, 1);
  assert.equal(reloader.current, latest);
  await reloader.close();
});

Deno.test("DataReloader says so when its directory is removed, and keeps the data", async () => {
  const f = await fixture();
  f.reloader.watch();
  const good = f.reloader.current;
  await Deno.writeTextFile(f.path, text(2));
  await waitFor(() => f.reloader.current !== good, "a reload, so the watch is surely on");
  await Deno.remove(f.dir, { recursive: true });
  await waitFor(() => f.errors.some((line) => line.startsWith("Stopped watching")), "the message");
  assert.equal(
    f.errors.find((line) => line.startsWith("Stopped watching")),
    `Stopped watching "${f.dir}": the directory was removed; live reload is off`,
  );
  assert.equal(f.reloader.current.cities[1]!.name, "Town 2");
  await f.reloader.close();
});

Deno.test("DataReloader.watch() throws a clear NotFound when the directory is missing", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.remove(dir);
  const reloader = new DataReloader(join(dir, "weather.json"), bundled, { log: { info() {}, error() {} } });
  assert.throws(() => reloader.watch(), {
    name: "NotFound",
    message: `Cannot watch "${dir}" for changes: no such directory`,
  });
  await reloader.close();
});

Deno.test("DataReloader.watch() takes a file URL, as for the bundled data", async () => {
  await using f = await fixture();
  const reloader = new DataReloader(pathToFileURL(f.path), f.reloader.current, {
    log: { info() {}, error() {} },
  });
  reloader.watch();
  await Deno.writeTextFile(f.path, text(7));
  const v7 = await versionOf(7);
  await waitFor(() => reloader.current.version === v7, "version 7");
  await reloader.close();
});

Deno.test("DataReloader keeps the last good scenarios after an edit breaks one, then takes the fixed edit", async () => {
  await using f = await fixture();
  f.reloader.watch();
  const stormy = (to: string) => {
    const file = versionFile(4);
    (file.cities[0] as Record<string, unknown>).scenarios = [{ from: "+1d", to, set: { weather_code: 95 } }];
    return JSON.stringify(file);
  };
  await Deno.writeTextFile(f.path, stormy("+2d"));
  await waitFor(() => f.reloader.current.cities[0]!.scenarios?.length === 1, "the scenario");
  const good = f.reloader.current;
  await Deno.writeTextFile(f.path, stormy("yesterday"));
  await waitFor(() => f.reloader.lastReloadError !== null, "the failed reload");
  assert.equal(f.reloader.current, good);
  assert.match(
    f.reloader.lastReloadError!,
    /cities\[0\]\.scenarios\[0\]\.to: expected a time like "\+1d12h"/,
  );
  await Deno.writeTextFile(f.path, stormy("+3d"));
  await waitFor(
    () => (f.reloader.current.cities[0]!.scenarios?.[0] as { to?: string } | undefined)?.to === "+3d",
    "the fixed scenario",
  );
  assert.equal(f.reloader.lastReloadError, null);
});
