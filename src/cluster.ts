// A cluster: N server instances on loopback ports and nginx in front of them, started, watched,
// restarted one at a time, and stopped. nginx does the balancing, failover and caching; this only
// runs the processes.
import { nginxConfig, type NginxSettings } from "./nginx_config.ts";
import type { Printer } from "./server_wiring.ts";

/** A program and its arguments. */
export interface ProgramCall {
  command: string;
  args: string[];
}

/** Options of {@linkcode Cluster}. */
export interface ClusterOptions {
  /** How many instances run behind nginx. */
  instances: number;
  /**
   * How to start an instance on 127.0.0.1:`port` (0 for any free one): a server that prints
   * `Listening on URL` first, serves `/healthz`, and stops on SIGTERM after its requests in flight.
   */
  instance(port: number): ProgramCall;
  /** The nginx program. */
  nginx: string;
  /** The text of `deploy/nginx.conf`. */
  template: string;
  /** nginx's settings but its directory and the instances' ports, which the cluster fills in. */
  settings: Omit<NginxSettings, "dir" | "ports">;
  /** An empty directory of the cluster's own: nginx's configuration, pid file, temporary files and cache. */
  dir: string;
  /** Where the cluster's lines go: events to `log`, warnings and errors to `error`. */
  print: Printer;
  /**
   * Start a replacement beside the instance it replaces, on the same port (which the instances
   * must share with SO_REUSEPORT), rather than after it has stopped. @default false
   */
  overlap?: boolean;
  /** Milliseconds an instance or nginx may take to start. @default 30000 */
  startTimeout?: number;
  /** Milliseconds nginx may take to finish its requests in flight when the cluster stops. @default 5000 */
  grace?: number;
}

/** The reason a cluster could not start; what went wrong in detail was printed before. */
export class ClusterError extends Error {
  override name = "ClusterError";
}

/** Calls `line` with each line of `stream` as it comes, and resolves at its end. */
async function eachLine(stream: ReadableStream<Uint8Array>, line: (text: string) => void): Promise<void> {
  let rest = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) line(part);
    }
  } catch { /* the process is gone */ }
  if (rest !== "") line(rest);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How a process ended, for a message: "with status 1", "on SIGKILL". */
export function describeExit(status: Deno.CommandStatus): string {
  return status.signal === null ? `with status ${status.code}` : `on ${status.signal}`;
}

/** A port free on 127.0.0.1 now: the system's choice for a socket opened and closed at once. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Where the cluster looks for nginx when not told: on PATH, then where Debian and Ubuntu put it. */
export const NGINX_CANDIDATES: readonly string[] = ["nginx", "/usr/sbin/nginx"];

/**
 * The first of `candidates` that runs as nginx, with its version ("1.22.1"); or, when none does,
 * the message to print: how to install nginx, or the grant that is missing.
 */
export async function findNginx(
  candidates: readonly string[],
): Promise<{ path: string; version: string } | string> {
  for (const path of candidates) {
    let output;
    try {
      output = await new Deno.Command(path, { args: ["-v"], stdin: "null", stdout: "null" }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        return `Cannot run "${path}": permission denied (grant it with --allow-run=${path})`;
      }
      throw error;
    }
    const version = /nginx\/(\S+)/.exec(new TextDecoder().decode(output.stderr))?.[1];
    if (output.success && version !== undefined) return { path, version };
  }
  const tried = candidates.map((path) => path.includes("/") ? path : `${path} on PATH`).join(" and ");
  return `Cannot find nginx (tried ${tried}): install it with "apt-get install nginx" (Debian, Ubuntu) ` +
    `or "brew install nginx" (macOS), or name it with --nginx PATH`;
}

/** One running server instance. */
class Instance {
  /** Set before the cluster stops it, so that its exit is not taken for a crash. */
  stopping = false;
  /** What its banner says after the URL: "58 cities from weather.json; ...". */
  description = "";

  private constructor(
    readonly slot: number,
    readonly port: number,
    readonly child: Deno.ChildProcess,
    readonly output: Promise<void>,
  ) {}

  get pid(): number {
    return this.child.pid;
  }

  /**
   * Starts instance `slot` with `call` and waits until it listens and answers `/healthz`. Throws
   * `ClusterError` when it exits first or takes longer than `timeout` ms (then it is killed).
   */
  static async start(
    slot: number,
    call: ProgramCall,
    print: Printer,
    timeout: number,
    children: Set<Deno.ChildProcess>,
  ): Promise<Instance> {
    const child = new Deno.Command(call.command, {
      args: call.args,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit", // the access log and the server's errors, as they are
      // Its own session: a Ctrl-C at the terminal reaches the cluster, which stops it in order.
      detached: true,
    }).spawn();
    children.add(child);
    void child.status.then(() => children.delete(child));
    let banner: (line: string | undefined) => void;
    const first = new Promise<string | undefined>((resolve) => banner = resolve);
    const started: { instance?: Instance } = {};
    const output = eachLine(child.stdout, (line) => {
      const instance = started.instance;
      if (instance === undefined) return banner(line);
      // Its own shutdown line says nothing when the cluster stopped it.
      if (instance.stopping && line.startsWith("Shutting down on ")) return;
      print.log(`instance ${slot}: ${line}`);
    }).then(() => banner(undefined));
    const status = child.status;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) =>
      timer = setTimeout(() => resolve("timeout"), timeout)
    );
    const fail = async (why: string): Promise<never> => {
      clearTimeout(timer);
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await status;
      await output;
      throw new ClusterError(`Instance ${slot} did not start: ${why}`);
    };
    const line = await Promise.race([first, timedOut]);
    if (line === "timeout") return fail(`no "Listening on" line in ${timeout / 1000} s`);
    const match = line === undefined ? null : /^Listening on (http:\/\/\S+) \((.*)\)$/.exec(line);
    if (match === null) {
      // Its output ended: it is exiting, and how it exits says why, even on a loaded machine. Another
      // first line: it may still be running.
      let waited: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        status,
        new Promise<undefined>((resolve) =>
          waited = setTimeout(() => resolve(undefined), line === undefined ? 5000 : 100)
        ),
      ]);
      clearTimeout(waited);
      if (ended) return fail(`it exited ${describeExit(ended)}`);
      return fail(
        line === undefined ? "its output ended before its banner" : `it printed ${JSON.stringify(line)}`,
      );
    }
    const instance = started.instance = new Instance(slot, Number(new URL(match[1]!).port), child, output);
    instance.description = match[2]!;
    // Listening, with its data loaded; one answer from /healthz shows it serves.
    for (;;) {
      const answer = await Promise.race([
        fetch(`http://127.0.0.1:${instance.port}/healthz`).then(async (response) => {
          await response.body?.cancel();
          return response.ok;
        }, () => false),
        timedOut,
      ]);
      if (answer === true) break;
      if (answer === "timeout") return fail(`/healthz did not answer in ${timeout / 1000} s`);
      await sleep(50);
    }
    clearTimeout(timer);
    return instance;
  }

  /** Stops it with SIGTERM (it finishes its requests in flight) and waits for its exit. */
  async stop(): Promise<Deno.CommandStatus> {
    this.stopping = true;
    try {
      this.child.kill("SIGTERM");
    } catch { /* already gone */ }
    const status = await this.child.status;
    await this.output;
    return status;
  }
}

/**
 * Runs a cluster: `start()` starts the instances, then nginx in front of them; `restart()`
 * replaces the instances one at a time; an instance that exits on its own is started again on
 * its port; `stop()` lets nginx finish its requests in flight, then stops the instances.
 * `finished` resolves with the exit status once the cluster has stopped, also when nginx ends
 * on its own (status 1).
 *
 * @example
 * ```ts
 * const cluster = new Cluster({ instances: 2, instance: (port) => ({ command: "deno", args: [...] }), ... });
 * const url = await cluster.start();
 * Deno.addSignalListener("SIGHUP", () => void cluster.restart());
 * ```
 */
export class Cluster {
  readonly #options: ClusterOptions;
  readonly #slots: Instance[] = [];
  /** The operation running on each slot: a restart and a recovery never overlap on one slot. */
  readonly #busy: Promise<unknown>[] = [];
  #nginx: Deno.ChildProcess | undefined;
  #nginxOutput: Promise<void> | undefined;
  #url: URL | undefined;
  #stopping: Promise<number> | undefined;
  #restarting: Promise<void> | undefined;
  #restartAgain = false;
  readonly #finished: PromiseWithResolvers<number> = Promise.withResolvers();
  /** Every instance process alive, also while it starts. */
  readonly #children = new Set<Deno.ChildProcess>();

  constructor(options: ClusterOptions) {
    this.#options = options;
  }

  /** The exit status, once the cluster has stopped: 0 after a clean `stop()`, else 1. */
  get finished(): Promise<number> {
    return this.#finished.promise;
  }

  /** The processes running now, for the start-up line: nginx's pid, then each instance's. */
  get processes(): { nginx: number | undefined; instances: { slot: number; pid: number; port: number }[] } {
    return {
      nginx: this.#nginx?.pid,
      instances: this.#slots.map(({ slot, pid, port }) => ({ slot, pid, port })),
    };
  }

  /** What the first instance said about itself: its data and controls. */
  get description(): string {
    return this.#slots[0]?.description ?? "";
  }

  #startInstance(slot: number, port: number): Promise<Instance> {
    const { instance, print, startTimeout = 30_000 } = this.#options;
    return Instance.start(slot, instance(port), print, startTimeout, this.#children);
  }

  /** Runs `operation` on `slot` once what runs there has finished. */
  #onSlot<T>(slot: number, operation: () => Promise<T>): Promise<T> {
    const next = (this.#busy[slot - 1] ?? Promise.resolve()).then(operation, operation);
    this.#busy[slot - 1] = next.catch(() => {});
    return next;
  }

  /** Puts `instance` in its slot and starts it again whenever it exits without being asked to. */
  #place(instance: Instance): void {
    this.#slots[instance.slot - 1] = instance;
    void instance.child.status.then((status) => {
      if (instance.stopping || this.#stopping) return;
      this.#options.print.error(
        `error: Instance ${instance.slot} (pid ${instance.pid}) exited ${
          describeExit(status)
        }: starting it again`,
      );
      void this.#onSlot(instance.slot, () => this.#recover(instance));
    });
  }

  /** Starts `dead`'s slot again on its port, waiting longer after each failed try. */
  async #recover(dead: Instance): Promise<void> {
    for (let attempt = 0; this.#slots[dead.slot - 1] === dead && !this.#stopping; attempt++) {
      if (attempt > 0) await sleep(Math.min(30_000, 500 * 2 ** attempt));
      if (this.#stopping) return;
      try {
        const fresh = await this.#startInstance(dead.slot, dead.port);
        if (this.#stopping) return void await fresh.stop();
        this.#place(fresh);
        this.#options.print.log(`instance ${dead.slot}: started again, pid ${fresh.pid}`);
      } catch (error) {
        if (this.#stopping) return;
        this.#options.print.error(`error: ${(error as Error).message}; trying again`);
      }
    }
  }

  /**
   * Starts the instances, then nginx, and returns the URL nginx serves. Throws `ClusterError`
   * (after stopping what it started) when an instance or nginx does not start.
   */
  async start(): Promise<URL> {
    const { instances } = this.#options;
    try {
      // One at a time: instances starting together on two cores only take longer each.
      for (let slot = 1; slot <= instances && !this.#stopping; slot++) {
        this.#place(await this.#startInstance(slot, 0));
      }
      if (!this.#stopping) this.#url = await this.#startNginx();
    } catch (error) {
      if (this.#stopping) throw new ClusterError("Stopped on a signal while starting");
      await this.stop(1);
      throw error;
    }
    if (this.#url === undefined) throw new ClusterError("Stopped on a signal while starting");
    return this.#url;
  }

  async #startNginx(): Promise<URL> {
    const { settings, dir, template } = this.#options;
    const ports = this.#slots.map((instance) => instance.port);
    // Port 0: nginx cannot tell which port it got, so it is given one free now, and another if
    // something takes it first.
    for (let attempt = 1;; attempt++) {
      const port = settings.listen.port === 0 ? freePort() : settings.listen.port;
      const listen = { host: settings.listen.host, port };
      await Deno.writeTextFile(
        `${dir}/nginx.conf`,
        nginxConfig(template, { ...settings, listen, dir, ports }),
      );
      const outcome = await this.#spawnNginx();
      if (outcome === "ready") {
        const shown = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
        return new URL(`http://${shown}:${port}/`);
      }
      if (!(settings.listen.port === 0 && outcome.inUse && attempt < 5)) {
        throw new ClusterError(`nginx did not start: it exited ${describeExit(outcome.status)}`);
      }
    }
  }

  /** Starts nginx on the configuration in the directory, and waits until its workers run. */
  async #spawnNginx(): Promise<"ready" | { status: Deno.CommandStatus; inUse: boolean }> {
    const { nginx, dir, print, startTimeout = 30_000 } = this.#options;
    const child = new Deno.Command(nginx, {
      // -e: the log for what nginx says before it has read its configuration.
      args: ["-p", `${dir}/`, "-c", `${dir}/nginx.conf`, "-e", "stderr"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      detached: true,
    }).spawn();
    let ready: () => void;
    const started = new Promise<"ready">((resolve) => ready = () => resolve("ready"));
    let inUse = false;
    this.#nginxOutput = eachLine(child.stderr, (line) => {
      if (line.includes("start worker processes")) ready();
      if (line.includes("Address already in use")) inUse = true;
      // Its notices (start, reload, exit of workers) and info lines (each 429) are its business.
      if (!/\[(?:debug|info|notice)\]/.test(line)) print.error(line);
    });
    this.#nginx = child;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      started,
      child.status,
      new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), startTimeout)),
    ]);
    clearTimeout(timer);
    if (outcome === "ready") {
      void child.status.then((status) => {
        if (this.#stopping) return;
        print.error(`error: nginx exited ${describeExit(status)}: stopping the cluster`);
        void this.stop(1);
      });
      return "ready";
    }
    if (outcome === "timeout") {
      try {
        child.kill("SIGTERM");
      } catch { /* it has just exited */ }
    }
    const status = await child.status;
    await this.#nginxOutput;
    this.#nginx = undefined;
    return { status, inUse };
  }

  /**
   * Replaces every instance, one at a time: with `overlap` the replacement starts beside the old
   * instance on its port before the old one stops; without, after. A restart asked for while one
   * runs follows it. A replacement that does not start stops the restart, the old instance
   * serving on (with `overlap`) or being started again.
   */
  restart(): Promise<void> {
    if (this.#stopping || this.#url === undefined) return Promise.resolve();
    if (this.#restarting) {
      this.#restartAgain = true;
      return this.#restarting;
    }
    const run = async () => {
      do {
        this.#restartAgain = false;
        await this.#restartAll();
      } while (this.#restartAgain && !this.#stopping);
      this.#restarting = undefined;
    };
    return this.#restarting = run();
  }

  async #restartAll(): Promise<void> {
    const { print, overlap = false } = this.#options;
    const count = this.#slots.length;
    print.log(`Restarting the ${count} instance${count === 1 ? "" : "s"} one at a time`);
    for (let slot = 1; slot <= count; slot++) {
      if (this.#stopping) return;
      try {
        await this.#onSlot(slot, async () => {
          const old = this.#slots[slot - 1]!;
          if (!overlap) await this.#retire(old);
          const fresh = await this.#startInstance(slot, old.port).catch((error) => {
            // Without overlap the slot is empty: start it again as after a crash.
            if (!overlap) void this.#onSlot(slot, () => this.#recover(old));
            throw error;
          });
          if (this.#stopping) return void await fresh.stop();
          this.#place(fresh);
          if (overlap) await this.#retire(old);
          print.log(`instance ${slot}: replaced, pid ${old.pid} → ${fresh.pid}`);
        });
      } catch (error) {
        if (!this.#stopping) print.error(`error: ${(error as Error).message}; the restart stops there`);
        return;
      }
    }
    print.log(`Restarted ${count} instance${count === 1 ? "" : "s"}`);
  }

  /** Stops an instance the cluster no longer needs; says so when it did not stop cleanly. */
  async #retire(instance: Instance): Promise<void> {
    const status = await instance.stop();
    if (!status.success) {
      this.#options.print.error(
        `error: Instance ${instance.slot} (pid ${instance.pid}) stopped ${describeExit(status)}`,
      );
    }
  }

  /**
   * Stops the cluster: nginx first, gracefully (SIGQUIT: it stops accepting and finishes its
   * requests in flight, for `grace` ms at most), then the instances (SIGTERM). Resolves with
   * the exit status, 0 when everything stopped cleanly; calling it again returns the same.
   */
  stop(status = 0): Promise<number> {
    return this.#stopping ??= (async () => {
      const { grace = 5000 } = this.#options;
      let clean = status === 0;
      const nginx = this.#nginx;
      if (nginx) {
        try {
          nginx.kill("SIGQUIT");
        } catch { /* already gone */ }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const ended = await Promise.race([
          nginx.status,
          new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), grace)),
        ]);
        clearTimeout(timer);
        if (ended === undefined) {
          clean = false;
          this.#options.print.error(`error: nginx still busy ${grace / 1000} s after SIGQUIT: stopping it`);
          try {
            nginx.kill("SIGTERM");
          } catch { /* already gone */ }
        } else if (!ended.success && status === 0) clean = false;
        await nginx.status;
        await this.#nginxOutput;
      }
      // Every instance process, also one still starting as a replacement.
      for (const instance of this.#slots) instance.stopping = true;
      const statuses = await Promise.all([...this.#children].map(async (child) => {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        return await child.status;
      }));
      await Promise.all(this.#slots.map((instance) => instance.output));
      if (statuses.some((ended) => !ended.success)) clean = false;
      const code = clean ? 0 : 1;
      this.#finished.resolve(code);
      return code;
    })();
  }

  /** Ends nginx (its fast shutdown) and every instance at once, for a second signal. */
  async kill(): Promise<void> {
    this.#stopping ??= Promise.resolve(1);
    try {
      this.#nginx?.kill("SIGTERM");
    } catch { /* already gone */ }
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await Promise.all([this.#nginx?.status, ...[...this.#children].map((child) => child.status)]);
  }
}
