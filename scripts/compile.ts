// Builds the standalone executables with `deno compile`: `deno task compile` for this machine,
// `deno task compile:all` for every target Deno supports. The flags here are the only place the
// executables' permissions are set; docs/permissions.md explains each one, and
// tests/e2e/compile_test.ts checks the built files against that list.

/** The targets `deno compile --target` accepts in Deno 2.9.6. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-pc-windows-msvc",
  "aarch64-pc-windows-msvc",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/** An executable to build: its file name, entry module and `deno compile` flags. */
export interface Executable {
  name: string;
  entry: string;
  flags: readonly string[];
}

// Both: a permission not granted fails at once instead of prompting on a terminal, and only the
// npm packages the entry imports are embedded (not the test-only ones in deno.lock).
const COMMON_FLAGS = ["--no-prompt", "--exclude-unused-npm"];

/**
 * The V8 flags the server runs with, here and in deno.json's serve, dev and serve:parallel tasks:
 * 8 MB young-generation semi-spaces (see "Memory" in the README).
 */
export const SERVER_V8_FLAGS = "--max-semi-space-size=8";

/** The server: listens on any `--host`, reads a `--data` file anywhere (docs/permissions.md). */
export const SERVER: Executable = {
  name: "weather-server",
  entry: "server.ts",
  flags: [
    `--v8-flags=${SERVER_V8_FLAGS}`,
    "--allow-net",
    "--allow-read",
    "--allow-env=HOST,PORT",
    "--include",
    "data/weather.json",
  ],
};

/** The client: connects to any `--url`, reads no files. */
export const CLIENT: Executable = {
  name: "weather-client",
  entry: "client.ts",
  flags: ["--allow-net", "--allow-env=WEATHER_URL,NO_COLOR"],
};

/** The output file name: the target in it for a cross build, `.exe` for Windows. */
export function outputName(executable: Executable, target?: Target): string {
  if (target === undefined) return executable.name;
  return `${executable.name}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The `deno compile` arguments that build `executable` into `outDir`, for `target` or the host.
 * Run them from the project root: the entry and included paths are relative to it.
 *
 * @example
 * ```ts
 * compileArgs(SERVER, "dist"); // ["compile", "--no-prompt", ..., "--output", "dist/weather-server", "server.ts"]
 * ```
 */
export function compileArgs(executable: Executable, outDir: string, target?: Target): string[] {
  return [
    "compile",
    ...COMMON_FLAGS,
    ...executable.flags,
    ...(target === undefined ? [] : ["--target", target]),
    "--output",
    `${outDir}/${outputName(executable, target)}`,
    executable.entry,
  ];
}

const USAGE = "Usage: scripts/compile.ts [--all]";
const ROOT = new URL("../", import.meta.url);

async function main(args: string[]): Promise<number> {
  if (args.length > 1 || (args.length === 1 && args[0] !== "--all")) {
    console.error(`error: Unexpected arguments ${JSON.stringify(args.join(" "))}\n${USAGE}`);
    return 2;
  }
  const targets: (Target | undefined)[] = args[0] === "--all" ? [...TARGETS] : [undefined];
  const built: string[] = [];
  for (const target of targets) {
    for (const executable of [SERVER, CLIENT]) {
      const compile = compileArgs(executable, "dist", target);
      console.error(`deno ${compile.join(" ")}`);
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: compile,
        cwd: ROOT,
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn().status;
      if (code !== 0) {
        console.error(
          "error: deno compile failed. It needs its denort runtime: Deno downloads it once from " +
            "dl.deno.land, or takes the file named by DENORT_BIN (see README, Standalone executables)",
        );
        return 1;
      }
      // `deno compile` adds .exe itself when building for a Windows host.
      const exe = target === undefined && Deno.build.os === "windows" ? ".exe" : "";
      built.push(`dist/${outputName(executable, target)}${exe}`);
    }
  }
  for (const path of built) {
    const { size } = await Deno.stat(new URL(path, ROOT));
    console.log(`${path}  ${(size / 1024 / 1024).toFixed(1)} MiB`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
