import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Dataset, loadDataset } from "./dataset.ts";
import type { DatasetSource } from "./handler.ts";

/** Where a {@linkcode DataReloader} reports; the entry decides how to print. */
export interface ReloadLogger {
  /** A new version of the data is serving. */
  info(message: string): void;
  /** A reload failed (the loader's message, as the startup check gives it) or watching stopped. */
  error(message: string): void;
}

/** Options of {@linkcode DataReloader}. */
export interface DataReloaderOptions {
  /** Where to report reloads and their failures. */
  log: ReloadLogger;
  /** Quiet time after the last change before reloading, in milliseconds; default 100. */
  debounce?: number;
  /** Longest wait from the first change of a burst that never goes quiet, in milliseconds; default 1000. */
  maxDelay?: number;
  /** Reads and validates the file; default {@linkcode loadDataset}. */
  load?: (path: string | URL) => Promise<Dataset>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A {@linkcode DatasetSource} that reloads its data file when it changes. A new version is read and
 * fully validated off to the side, then swapped in with one assignment, so each request sees one
 * whole version. A failed reload keeps the last good data and is kept in `lastReloadError` until
 * a later reload succeeds.
 *
 * @example
 * ```ts
 * const path = "data/weather.json";
 * const source = new DataReloader(path, await loadDataset(path), { log: { info() {}, error() {} } });
 * source.watch();
 * const handler = createHandler(source);
 * // ... on shutdown:
 * await source.close();
 * ```
 */
export class DataReloader implements DatasetSource, AsyncDisposable {
  readonly #path: string | URL;
  readonly #log: ReloadLogger;
  readonly #debounce: number;
  readonly #maxDelay: number;
  readonly #load: (path: string | URL) => Promise<Dataset>;
  #current: Dataset;
  #error: string | null = null;
  #watcher: Deno.FsWatcher | undefined;
  #watching: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #burstStart: number | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  /** Serves `initial`, loaded from `path`, until a reload replaces it. */
  constructor(path: string | URL, initial: Dataset, options: DataReloaderOptions) {
    this.#path = path;
    this.#current = initial;
    this.#log = options.log;
    this.#debounce = options.debounce ?? 100;
    this.#maxDelay = options.maxDelay ?? 1000;
    this.#load = options.load ?? loadDataset;
  }

  /** The version serving now. */
  get current(): Dataset {
    return this.#current;
  }

  /**
   * The message of the latest reload if it failed, else null. It names the file by its last part
   * only, as `Dataset.fileName` does, since it is shown to clients.
   */
  get lastReloadError(): string | null {
    return this.#error;
  }

  /**
   * Starts watching the file's directory (not the file: editors and `mv` replace a file by rename,
   * after which a watch on the file itself goes silent). Throws when the directory cannot be
   * watched, as for a file embedded in a compiled binary, or without read permission on it.
   */
  watch(): void {
    if (this.#watcher !== undefined || this.#closed) return;
    const file = this.#path instanceof URL ? fileURLToPath(this.#path) : this.#path;
    const directory = dirname(file);
    const name = basename(file);
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(directory, { recursive: false });
    } catch (error) {
      throw watchError(directory, error);
    }
    this.#watcher = watcher;
    this.#watching = (async () => {
      try {
        for await (const event of watcher) {
          // "access" events are reads and closes, including this reloader's own reads.
          if (event.kind === "access") continue;
          if (event.kind === "remove" && event.paths.includes(resolve(directory))) {
            // The watch died with the directory; one made anew under the same name is not seen.
            this.#log.error(`Stopped watching "${directory}": the directory was removed; live reload is off`);
            watcher.close();
            break;
          }
          if (event.paths.some((path) => basename(path) === name)) this.#schedule();
        }
      } catch (error) {
        if (!this.#closed) this.#log.error(`Stopped watching "${directory}": ${messageOf(error)}`);
      }
    })();
  }

  /**
   * Reads the file now and swaps it in if it is valid and new. Loads never overlap: a call during
   * a load runs one more load after it. Resolves when the data reflects the file as of the call.
   */
  reload(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#loadOnce();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops watching and waits for a load in progress; the data last loaded stays available. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      this.#watcher?.close();
    } catch { /* already closed */ }
    await this.#watching;
    await this.#running;
  }

  /** Same as {@linkcode DataReloader.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #schedule(): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#burstStart ??= now;
    clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.#debounce, this.#burstStart + this.#maxDelay - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#burstStart = undefined;
      void this.reload();
    }, wait);
  }

  async #loadOnce(): Promise<void> {
    let next: Dataset;
    try {
      next = await this.#load(this.#path);
    } catch (error) {
      const message = messageOf(error);
      this.#log.error(message);
      const label = this.#path instanceof URL ? decodeURIComponent(this.#path.pathname) : this.#path;
      this.#error = message.replaceAll(`"${label}"`, `"${basename(label)}"`);
      return;
    }
    const recovered = this.#error !== null;
    this.#error = null;
    if (next.version === this.#current.version) {
      // Same bytes as serving (a touch, or a file restored as it was): keep the loaded version.
      if (recovered) this.#log.info(`Reloaded ${describe(this.#current)} (unchanged)`);
      return;
    }
    this.#current = next;
    this.#log.info(`Reloaded ${describe(next)}`);
  }
}

function describe(data: Dataset): string {
  return `${data.cities.length} cities from ${data.fileName}, version ${data.version}`;
}

function watchError(directory: string, error: unknown): Error {
  const prefix = `Cannot watch "${directory}" for changes`;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new Deno.errors.NotCapable(`${prefix}: permission denied (grant it with --allow-read)`);
  }
  if (error instanceof Deno.errors.NotFound) return new Deno.errors.NotFound(`${prefix}: no such directory`);
  return new Error(`${prefix}: ${messageOf(error).replace(/ \(os error \d+\).*$/s, "")}`, { cause: error });
}
