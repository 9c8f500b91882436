// The atomic writer: a file is replaced whole or not at all, also when the writer is killed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../src/atomic_file.ts";
import { ROOT } from "./_helpers.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();

Deno.test("writeFileAtomic() replaces a file whole, keeps its permissions and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "weather.json");
    await writeFileAtomic(path, "new");
    assert.equal(await Deno.readTextFile(path), "new");
    await Deno.chmod(path, 0o600);
    await writeFileAtomic(new URL(`file://${path}`), new TextEncoder().encode("newer"));
    assert.equal(await Deno.readTextFile(path), "newer");
    if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(names(dir), ["weather.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() leaves everything as it was when it cannot write", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(writeFileAtomic(join(dir, "missing", "x.json"), "x"), Deno.errors.NotFound);
    // A directory where the file should go: the rename fails, the directory stays, no temporary file.
    await Deno.mkdir(join(dir, "taken"));
    await Deno.writeTextFile(join(dir, "taken", "inside"), "kept");
    await assert.rejects(writeFileAtomic(join(dir, "taken"), "x"));
    assert.equal(await Deno.readTextFile(join(dir, "taken", "inside")), "kept");
    assert.deepEqual(names(dir), ["taken"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() killed at any moment leaves the old file or the new one, whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "weather.json");
    const script = join(dir, "writer.ts");
    // Two 8 MB contents written in turn, each telling its kind at both ends.
    await Deno.writeTextFile(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(new URL("src/atomic_file.ts", ROOT).href)};
const [a, b] = ["a", "b"].map((c) => c + c.repeat(8_000_000) + c);
await writeFileAtomic(${JSON.stringify(path)}, a);
console.log("ready");
for (let i = 1; ; i++) await writeFileAtomic(${JSON.stringify(path)}, i % 2 ? b : a);
`,
    );
    let interrupted = 0;
    for (const delay of [0, 1, 3, 7, 15, 30, 60]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", `--allow-read=${dir}`, `--allow-write=${dir}`, script],
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.getReader();
      await reader.read(); // "ready": a whole file is in place
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill("SIGKILL");
      await reader.cancel();
      await child.status;
      const text = await Deno.readTextFile(path);
      assert.equal(text.length, 8_000_002, `whole after a kill ${delay} ms in`);
      assert.ok(/^(a+|b+)$/.test(text), `one content after a kill ${delay} ms in`);
      // Leftovers are temporary files beside it, never a part of the file itself.
      for (const name of names(dir)) {
        assert.match(name, /^(weather\.json|writer\.ts|\.weather\.json\.\w+\.tmp)$/);
        if (name.endsWith(".tmp")) interrupted++, await Deno.remove(join(dir, name));
      }
    }
    assert.ok(interrupted > 0, "some kill landed during a write");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
