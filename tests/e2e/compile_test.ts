// The standalone executables of scripts/compile.ts. Running them needs Deno's denort runtime
// (downloaded once from dl.deno.land into DENO_DIR, or named by DENORT_BIN); where it cannot be had
// those tests are ignored, with the reason in their name. What needs no runtime is checked anyway.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CLIENT, compileArgs, type Executable, outputName, SERVER, TARGETS } from "../../scripts/compile.ts";
import { VERSION } from "../../src/version.ts";
import { bundled, DATA_PATH, type Ran, ROOT, type ServerProcess, spawnServer } from "../_helpers.ts";

const decoder = new TextDecoder();

/** Why built executables cannot run here, or undefined when a denort runtime is at hand. */
async function missingRuntime(): Promise<string | undefined> {
  if (Deno.env.get("DENORT_BIN")) return undefined;
  // Where `deno compile` 2.9.6 keeps the runtime it downloaded (cli/standalone/binary.rs).
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdin: "null",
    stderr: "null",
  }).output();
  const { denoDir } = JSON.parse(decoder.decode(info.stdout)) as { denoDir: string };
  const zip = `${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
  try {
    await Deno.stat(zip);
    return undefined;
  } catch {
    return "no denort runtime; set DENORT_BIN";
  }
}

const missing = await missingRuntime();

/** Runs `deno compile` for `executable` into `outDir` from the project root, as the tasks do. */
async function compile(
  executable: Executable,
  outDir: string,
  env: Record<string, string> = {},
): Promise<Ran> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(executable, outDir),
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** The path `deno compile` wrote for a host build of `executable` into `outDir`. */
function builtPath(executable: Executable, outDir: string): string {
  return `${outDir}/${outputName(executable)}${Deno.build.os === "windows" ? ".exe" : ""}`;
}

/**
 * Where `needle` first occurs in `haystack` at or after `from`, or -1. The native search for the
 * first byte skips ahead; Buffer's own indexOf is JavaScript in Deno, and slow over 100 MB.
 */
function findBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (
    let at = haystack.indexOf(first, from);
    at !== -1 && at <= last;
    at = haystack.indexOf(first, at + 1)
  ) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
  }
  return -1;
}

/**
 * The metadata `deno compile` 2.9.6 writes into an executable: after the magic bytes "d3n0l4nd",
 * a little-endian u64 length and that much JSON. Throws when no such block is found, so a change
 * of layout fails the test rather than passing it.
 */
function bakedMetadata(
  binary: Buffer,
): { entrypoint_key: string; permissions: Record<string, unknown>; v8_flags?: string[] } {
  const magic = Buffer.from("d3n0l4nd");
  for (let at = findBytes(binary, magic); at !== -1; at = findBytes(binary, magic, at + 1)) {
    const start = at + magic.length + 8;
    if (start >= binary.length || binary[start] !== 0x7b) continue;
    const end = start + Number(binary.readBigUInt64LE(at + magic.length));
    if (end > binary.length) continue;
    try {
      const metadata = JSON.parse(binary.subarray(start, end).toString("utf8"));
      if (typeof metadata?.permissions === "object") return metadata;
    } catch { /* the magic string inside code, not a metadata block */ }
  }
  throw new Error("No deno compile metadata found in the executable");
}

// The documented grants (README, Standalone executables), everything else off and no prompt.
// `allow_import` is left out: it is Deno's default list of hosts for remote imports, and an
// executable loads modules only from itself.
const NOTHING_ELSE = {
  deny_env: null,
  ignore_env: null,
  deny_net: null,
  allow_ffi: null,
  deny_ffi: null,
  deny_read: null,
  ignore_read: null,
  allow_run: null,
  deny_run: null,
  allow_sys: null,
  deny_sys: null,
  allow_write: null,
  deny_write: null,
  deny_import: null,
  prompt: false,
};
const SERVER_PERMISSIONS = { ...NOTHING_ELSE, allow_net: [], allow_read: [], allow_env: ["HOST", "PORT"] };
const CLIENT_PERMISSIONS = {
  ...NOTHING_ELSE,
  allow_net: [],
  allow_read: null,
  allow_env: ["WEATHER_URL", "NO_COLOR"],
};

Deno.test("compileArgs() builds for the host into dist/ and names cross builds by target", () => {
  assert.deepEqual(compileArgs(SERVER, "dist").slice(-3), ["--output", "dist/weather-server", "server.ts"]);
  assert.ok(compileArgs(SERVER, "dist").includes("--no-prompt"));
  assert.ok(!compileArgs(CLIENT, "dist").includes("--target"));
  const names = TARGETS.map((target) => outputName(CLIENT, target));
  assert.deepEqual(names, [
    "weather-client-x86_64-unknown-linux-gnu",
    "weather-client-aarch64-unknown-linux-gnu",
    "weather-client-x86_64-pc-windows-msvc.exe",
    "weather-client-aarch64-pc-windows-msvc.exe",
    "weather-client-x86_64-apple-darwin",
    "weather-client-aarch64-apple-darwin",
  ]);
  const cross = compileArgs(SERVER, "out", "aarch64-apple-darwin");
  assert.deepEqual(cross.slice(-5), [
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "out/weather-server-aarch64-apple-darwin",
    "server.ts",
  ]);
});

// Runs the real `deno compile` of both tasks (type check, module graph, --include, permission
// flags) with this `deno` as a stand-in for the denort base binary, which only changes the
// executable code the result starts with. The results cannot run and are never run; their
// embedded data and metadata are read as bytes.
Deno.test("compile: both entries type-check and build; the server embeds data/weather.json; both carry the documented permissions (stand-in runtime, not run)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weather-compile-check-" });
  try {
    const data = Buffer.from(await Deno.readFile(DATA_PATH));
    for (
      const [executable, permissions] of [[SERVER, SERVER_PERMISSIONS], [CLIENT, CLIENT_PERMISSIONS]] as const
    ) {
      const ran = await compile(executable, dir, { DENORT_BIN: Deno.execPath() });
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(ran.stderr, new RegExp(`Compile ${executable.entry} to `));
      // Only the npm packages the entry imports: not the test-only fast-check.
      assert.ok(ran.stderr.includes("zod/4.6.7"), ran.stderr);
      assert.ok(!ran.stderr.includes("fast-check"), ran.stderr);

      const binary = Buffer.from(await Deno.readFile(builtPath(executable, dir)));
      assert.equal(
        findBytes(binary, data) !== -1,
        executable === SERVER,
        `${executable.name} embeds the data file`,
      );
      const metadata = bakedMetadata(binary);
      assert.equal(metadata.entrypoint_key, executable.entry);
      const { allow_import: _defaultImportHosts, ...granted } = metadata.permissions;
      assert.deepEqual(granted, permissions, executable.name);
      // The server runs with the serve task's young-generation size (see "Memory" in the README).
      assert.equal(
        metadata.v8_flags?.includes("--max-semi-space-size=8"),
        executable === SERVER,
        `${executable.name}: ${metadata.v8_flags}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs an executable to completion in `cwd`. */
async function run(
  path: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Ran> {
  const output = await new Deno.Command(path, { args, cwd, env: { NO_COLOR: "1", ...env }, stdin: "null" })
    .output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Starts the server executable in `cwd` and waits for its "Listening on" line. */
function startServerBinary(path: string, args: string[], cwd: string): Promise<ServerProcess> {
  return spawnServer(new Deno.Command(path, { args, cwd, stdin: "null", stdout: "piped", stderr: "piped" }));
}

const ignored = missing === undefined ? "" : ` (ignored: ${missing})`;

Deno.test({
  name: `compile: both executables build and run from another working directory${ignored}`,
  ignore: missing !== undefined,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "weather-compile-" });
    // A working directory with no data/ in it, away from the project and the executables.
    const cwd = await Deno.makeTempDir({ prefix: "weather-cwd-" });
    try {
      for (const executable of [SERVER, CLIENT]) {
        const ran = await compile(executable, dir);
        assert.equal(ran.code, 0, ran.stderr);
      }
      const server = builtPath(SERVER, dir);
      const client = builtPath(CLIENT, dir);

      await t.step("--version and --help print to stdout and exit 0", async () => {
        for (const [path, name] of [[server, "weather-server"], [client, "weather-client"]] as const) {
          const version = await run(path, ["--version"], cwd);
          assert.equal(version.code, 0);
          assert.equal(version.stdout, `${name} ${VERSION}\n`);
          assert.equal(version.stderr, "");
          const help = await run(path, ["--help"], cwd);
          assert.equal(help.code, 0);
          assert.match(help.stdout, /\n\nUsage: /);
          assert.equal(help.stderr, "");
        }
      });

      await t.step("the server serves its embedded data and the client reads it", async () => {
        const running = await startServerBinary(server, ["--port", "0", "--quiet"], cwd);
        try {
          assert.match(
            running.banner,
            /^Listening on http:\/\/127\.0\.0\.1:\d+\/ \(58 cities from weather\.json\)$/,
          );
          const url = running.url.href;
          const tokyo = await run(client, ["--url", url, "weather", "tokyo"], cwd);
          assert.equal(tokyo.code, 0);
          assert.equal(tokyo.stderr, "");
          assert.match(tokyo.stdout, /^Tokyo, JP {2}35\.68°N 139\.65°E {2}Asia\/Tokyo\n {2}Condition /);
          // The URL from the environment: the client may read WEATHER_URL.
          const cities = await run(client, ["cities", "--json"], cwd, { WEATHER_URL: url });
          assert.equal(cities.code, 0);
          assert.equal(cities.stderr, "");
          assert.deepEqual(JSON.parse(cities.stdout), { cities: bundled.cities.map((city) => city.name) });
          const unknown = await run(client, ["--url", url, "weather", "Tokio"], cwd);
          assert.equal(unknown.code, 1);
          assert.equal(unknown.stdout, "");
          assert.equal(unknown.stderr, 'error: Cannot find city "Tokio": did you mean "Tokyo"?\n');
        } finally {
          await running.stop();
        }
        assert.equal(running.stderr(), "");
      });

      const oneCity = JSON.stringify({ cities: [bundled.cities[0]] });

      await t.step("--data reads a file under the working directory, and one anywhere else", async () => {
        await Deno.writeTextFile(`${cwd}/mine.json`, oneCity);
        const outside = `${dir}/outside.json`;
        await Deno.writeTextFile(outside, oneCity);
        for (const [data, name] of [["mine.json", "mine.json"], [outside, "outside.json"]] as const) {
          const running = await startServerBinary(server, ["--port", "0", "--data", data], cwd);
          await running.stop();
          assert.match(
            running.banner,
            new RegExp(
              `^Listening on http://127\\.0\\.0\\.1:\\d+/ \\(1 city from ${name.replace(".", "\\.")}\\)$`,
            ),
          );
        }
      });

      await t.step("permission flags given at run time are arguments, not grants", async () => {
        const ran = await run(server, ["--allow-read", "--port", "0"], cwd);
        assert.equal(ran.code, 2);
        assert.equal(ran.stdout, "");
        assert.match(ran.stderr, /^error: Unknown option "--allow-read"\nUsage: /);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
