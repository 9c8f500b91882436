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
 * Listens for {@linkcode SHUTDOWN_SIGNALS}: the first one calls `graceful`, any later one
 * `immediate`, so that a second Ctrl-C stops a server stuck finishing a slow request. Dispose the
 * result to remove the listeners.
 *
 * @example
 * ```ts
 * using _signals = onShutdownSignal(() => server.shutdown(), (signal) => Deno.exit(signalExitCode(signal)));
 * ```
 */
export function onShutdownSignal(
  graceful: (signal: Deno.Signal) => void,
  immediate: (signal: Deno.Signal) => void,
): Disposable {
  let received = false;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = () => {
      if (received) return immediate(signal);
      received = true;
      graceful(signal);
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
 * empty. Close there whatever would keep the loop busy, such as a file watcher. Listening stops
 * at the first signal, as `deno serve`'s does, so that a second one still ends the process at
 * once. Where SIGTERM cannot be listened for (Windows) `deno serve` listens for neither and
 * neither does this: a Ctrl-C ends the process there anyway. Dispose the result to stop
 * listening.
 *
 * @example
 * ```ts
 * onServeShutdownSignal(() => void reloader.close());
 * ```
 */
export function onServeShutdownSignal(onShutdown: (signal: Deno.Signal) => void): Disposable {
  const added: { signal: Deno.Signal; listener: () => void }[] = [];
  const remove = () => {
    for (const { signal, listener } of added.splice(0)) Deno.removeSignalListener(signal, listener);
  };
  try {
    for (const signal of DENO_SERVE_SIGNALS) {
      const listener = () => {
        remove();
        onShutdown(signal);
      };
      Deno.addSignalListener(signal, listener);
      added.push({ signal, listener });
    }
  } catch {
    remove();
  }
  return { [Symbol.dispose]: remove };
}
