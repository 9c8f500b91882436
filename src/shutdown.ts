/** The signals that ask the server to stop: Ctrl-C, and SIGTERM (SIGBREAK on Windows, which has none). */
export const SHUTDOWN_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = { SIGINT: 2, SIGTERM: 15, SIGBREAK: 21 };

/** The exit status a process killed by `signal` would have in a shell: 128 plus its number. */
export function signalExitCode(signal: Deno.Signal): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}

/**
 * How long after a shutdown signal the same signal again counts as the same request to stop, in
 * milliseconds. Under `deno task`, one Ctrl-C reaches the server twice or three times within a
 * millisecond (the terminal signals the whole process group, and the task runner forwards what it
 * gets), and `kill` of a process group by a service manager does the same to SIGTERM; on a
 * machine at full load the task runner's copy can come a second or more later. A person asking
 * again, to stop at once, takes longer than two seconds as a rule, and can always ask a third time.
 */
export const REPEAT_WINDOW_MS = 2000;

/** Options of {@linkcode onShutdownSignal} and {@linkcode onServeShutdownSignal}. */
export interface ShutdownSignalOptions {
  /** Milliseconds in which the first signal repeated is ignored; default {@linkcode REPEAT_WINDOW_MS}. */
  repeatWindowMs?: number;
  /** The clock, in milliseconds; tests inject one. Default `performance.now`. */
  now?: () => number;
}

/**
 * Listens for {@linkcode SHUTDOWN_SIGNALS}: the first one calls `graceful`, any later one
 * `immediate`, so that a second Ctrl-C stops a server stuck finishing a slow request. The first
 * signal repeated within `repeatWindowMs` is the same request delivered again, and is ignored.
 * Dispose the result to remove the listeners.
 *
 * @example
 * ```ts
 * using _signals = onShutdownSignal(() => server.shutdown(), (signal) => Deno.exit(signalExitCode(signal)));
 * ```
 */
export function onShutdownSignal(
  graceful: (signal: Deno.Signal) => void,
  immediate: (signal: Deno.Signal) => void,
  options: ShutdownSignalOptions = {},
): Disposable {
  const { repeatWindowMs = REPEAT_WINDOW_MS, now = () => performance.now() } = options;
  let first: { signal: Deno.Signal; at: number } | undefined;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = () => {
      if (first === undefined) {
        first = { signal, at: now() };
        return graceful(signal);
      }
      if (signal === first.signal && now() - first.at < repeatWindowMs) return;
      immediate(signal);
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  return {
    [Symbol.dispose]() {
      for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}

/** The signals on which `deno serve` shuts its server down, in the order it listens for them. */
const DENO_SERVE_SIGNALS: readonly Deno.Signal[] = ["SIGTERM", "SIGINT"];

/**
 * For a `deno serve` module: calls `onShutdown` on the first SIGTERM or SIGINT, the signals on
 * which `deno serve` shuts down its server in each worker and then waits for the event loop to
 * empty. Close there whatever would keep the loop busy, such as a file watcher. `deno serve` stops
 * listening at its first signal, so that a second one ends the process at once; this listens on
 * for `repeatWindowMs` to the first signal only, swallowing its repeats (see
 * {@linkcode REPEAT_WINDOW_MS}), and then stops too. Where SIGTERM cannot be listened for (Windows)
 * `deno serve` listens for neither and neither does this: a Ctrl-C ends the process there anyway.
 * Dispose the result to stop listening.
 *
 * @example
 * ```ts
 * onServeShutdownSignal(() => void reloader.close());
 * ```
 */
export function onServeShutdownSignal(
  onShutdown: (signal: Deno.Signal) => void,
  options: Pick<ShutdownSignalOptions, "repeatWindowMs"> = {},
): Disposable {
  const { repeatWindowMs = REPEAT_WINDOW_MS } = options;
  const added: { signal: Deno.Signal; listener: () => void }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remove = (keep?: Deno.Signal) => {
    for (const entry of added.splice(0)) {
      if (entry.signal === keep) added.push(entry);
      else Deno.removeSignalListener(entry.signal, entry.listener);
    }
  };
  try {
    for (const signal of DENO_SERVE_SIGNALS) {
      let called = false;
      const listener = () => {
        if (called) return; // a repeat within the window
        called = true;
        remove(signal);
        const expiry = setTimeout(() => remove(), repeatWindowMs);
        Deno.unrefTimer(expiry);
        timer = expiry;
        onShutdown(signal);
      };
      Deno.addSignalListener(signal, listener);
      added.push({ signal, listener });
    }
  } catch {
    remove();
  }
  return {
    [Symbol.dispose]() {
      clearTimeout(timer);
      remove();
    },
  };
}
