import assert from "node:assert/strict";
import { onServeShutdownSignal, onShutdownSignal } from "../src/shutdown.ts";
import { waitFor } from "./_helpers.ts";

/** Sends `signal` to this process and waits until `guard` has counted it, `count` in all. */
async function deliver(signal: Deno.Signal, counted: () => number, count: number): Promise<void> {
  Deno.kill(Deno.pid, signal);
  await waitFor(() => counted() === count, `${signal} number ${count}`);
}

Deno.test({
  name: "onServeShutdownSignal() calls back on the first SIGTERM only, its repeat swallowed",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // This listener keeps the signals from ending the test run; it counts them too.
    let delivered = 0;
    const guard = () => void delivered++;
    Deno.addSignalListener("SIGTERM", guard);
    try {
      const calls: Deno.Signal[] = [];
      using _listening = onServeShutdownSignal((signal) => calls.push(signal));
      await deliver("SIGTERM", () => delivered, 1);
      await deliver("SIGTERM", () => delivered, 2);
      assert.deepEqual(calls, ["SIGTERM"]);
    } finally {
      Deno.removeSignalListener("SIGTERM", guard);
    }
  },
});

Deno.test({
  name: "onShutdownSignal() ignores the first signal repeated within the window, and stops at once after it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // SIGTERM only: `deno test` takes a SIGINT to itself for a Ctrl-C and stops. A different
    // signal stopping at once is checked on the real server (server_shutdown_test.ts).
    let delivered = 0;
    const guard = () => void delivered++;
    Deno.addSignalListener("SIGTERM", guard);
    try {
      let now = 0;
      const calls: string[] = [];
      using _signals = onShutdownSignal(
        (signal) => calls.push(`graceful ${signal}`),
        (signal) => calls.push(`immediate ${signal}`),
        { repeatWindowMs: 1000, now: () => now },
      );
      await deliver("SIGTERM", () => delivered, 1);
      now = 999; // the task runner's forwarded copy of the same signal
      await deliver("SIGTERM", () => delivered, 2);
      assert.deepEqual(calls, ["graceful SIGTERM"]);
      now = 1000; // a person asking again
      await deliver("SIGTERM", () => delivered, 3);
      assert.deepEqual(calls, ["graceful SIGTERM", "immediate SIGTERM"]);
    } finally {
      Deno.removeSignalListener("SIGTERM", guard);
    }
  },
});
