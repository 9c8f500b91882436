import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Writes `data` to `path` whole or not at all: into a new file beside it (same directory, a unique
 * name), flushed to disk, then renamed over `path`, so that a reader (the server's live reload, an
 * editor) sees the old file or the new one, never part of one. An existing file's permission bits
 * are kept. On any failure the temporary file is removed and `path` is untouched; only a kill can
 * leave a `.NAME.*.tmp` file behind, and never at `path`. Throws the file system's errors.
 *
 * @example
 * ```ts
 * await writeFileAtomic("data/live.json", JSON.stringify(file));
 * ```
 */
export async function writeFileAtomic(path: string | URL, data: string | Uint8Array): Promise<void> {
  const target = resolve(path instanceof URL ? fileURLToPath(path) : path);
  const directory = dirname(target);
  const temporary = join(directory, `.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  let mode: number | null = null;
  try {
    mode = (await Deno.stat(target)).mode;
  } catch { /* a new file */ }
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(temporary, { write: true, createNew: true });
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let written = 0; written < bytes.length;) written += await file.write(bytes.subarray(written));
    await file.sync();
    file.close();
    file = undefined;
    if (mode !== null && Deno.build.os !== "windows") await Deno.chmod(temporary, mode & 0o7777);
    await Deno.rename(temporary, target);
  } catch (error) {
    try {
      file?.close();
    } catch { /* already closed */ }
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  // The rename itself is durable once the directory is flushed too; where a directory cannot be
  // opened or flushed (Windows), the file system's own ordering is what there is.
  try {
    using dir = await Deno.open(directory, { read: true });
    await dir.sync();
  } catch { /* not supported here */ }
}
