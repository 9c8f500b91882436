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
