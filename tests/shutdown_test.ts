import assert from "node:assert/strict";
import { onServeShutdownSignal } from "../src/shutdown.ts";
import { waitFor } from "./_helpers.ts";

Deno.test({
  name: "onServeShutdownSignal() calls back on the first SIGTERM only, and stops listening then",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // This listener keeps the signals from ending the test run; it counts them too.
    let delivered = 0;
    const guard = () => void delivered++;
    Deno.addSignalListener("SIGTERM", guard);
    try {
      const calls: Deno.Signal[] = [];
      using _listening = onServeShutdownSignal((signal) => calls.push(signal));
      Deno.kill(Deno.pid, "SIGTERM");
      await waitFor(() => delivered === 1, "the first SIGTERM");
      Deno.kill(Deno.pid, "SIGTERM");
      await waitFor(() => delivered === 2, "the second SIGTERM");
      assert.deepEqual(calls, ["SIGTERM"]);
    } finally {
      Deno.removeSignalListener("SIGTERM", guard);
    }
  },
});
