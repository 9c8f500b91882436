import { withAccessLog } from "./src/access_log.ts";
import { optionalEnv, parseServerArgs, SERVER_PROGRAM, SERVER_USAGE, serverHelp } from "./src/cli_args.ts";
import { loadDataset } from "./src/dataset.ts";
import { createHandler } from "./src/handler.ts";
import { describeControls } from "./src/mock_controls.ts";
import { DataReloader } from "./src/reloader.ts";
import { routesHelp } from "./src/routes.ts";
import {
  BUNDLED_DATA,
  drainable,
  listenFailure,
  reloadLog,
  stderrLines,
  watchOrWarn,
} from "./src/server_wiring.ts";
import { onShutdownSignal, signalExitCode } from "./src/shutdown.ts";
import { createUpstream } from "./src/upstream.ts";
import { VERSION } from "./src/version.ts";
import { upstreamWeather } from "./src/weather_scope.ts";

async function main(args: string[]): Promise<number> {
  let command;
  try {
    command = parseServerArgs(args, { HOST: optionalEnv("HOST"), PORT: optionalEnv("PORT") });
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${SERVER_USAGE}`);
    return 2;
  }
  if (command.kind === "help") return console.log(serverHelp(routesHelp())), 0;
  if (command.kind === "version") return console.log(`${SERVER_PROGRAM} ${VERSION}`), 0;
  const { host, port, data, watch, quiet, maxAge, cors, controls, grace, now, apiKeys, upstream } =
    command.options;
  const path = data ?? BUNDLED_DATA;
  // Deno.serve would end the process itself (status 70) for this unstable option without the flag.
  if (command.options.reusePort && !("listenDatagram" in Deno)) {
    console.error(
      "error: Cannot listen with --reuse-port: Deno offers SO_REUSEPORT only with --unstable-net " +
        "(deno run --unstable-net ... server.ts)",
    );
    return 1;
  }

  let dataset;
  try {
    dataset = await loadDataset(path);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }

  await using source = new DataReloader(path, dataset, { log: reloadLog(console) });
  // In a `deno compile` binary the bundled file is embedded: there is nothing on disk to watch.
  if (watch && (data !== undefined || !Deno.build.standalone)) watchOrWarn(source, console);

  const handler = createHandler(source, {
    maxAge,
    cors,
    controls,
    frozenClock: now,
    apiKeys,
    upstream: upstream && {
      source: upstreamWeather(
        createUpstream({ base: upstream.url, ttlMs: upstream.ttlMs, timeoutMs: upstream.timeoutMs }),
      ),
      waitMs: upstream.timeoutMs,
    },
    trustProxy: command.options.trustProxy,
    onError: (error, request) => console.error(`error: ${request.method} ${request.url}:`, error),
  });
  using log = stderrLines();
  const logged = quiet ? handler : withAccessLog(handler, (line) => log.push(line));
  const { drain } = command.options;
  const draining = drain > 0 ? drainable(logged) : undefined;
  let server: Deno.HttpServer | undefined;
  using _signals = onShutdownSignal((signal) => {
    const seconds = grace / 1000;
    console.log(
      `Shutting down on ${signal}: ${draining ? `answering ${drain} ms with Connection: close, then ` : ""}` +
        `finishing the requests in flight (${seconds} s at most); a second signal stops at once`,
    );
    const stop = () => {
      void server?.shutdown();
      // A client that stops reading, or never finishes sending its body, would hold shutdown open.
      Deno.unrefTimer(setTimeout(() => {
        log.flush();
        console.error(`error: Requests still in flight ${seconds} s after ${signal}: stopping anyway`);
        Deno.exit(1);
      }, grace));
    };
    if (draining) {
      draining.drain();
      setTimeout(stop, drain);
    } else stop();
  }, (signal) => {
    log.flush();
    Deno.exit(signalExitCode(signal));
  });
  try {
    server = Deno.serve({
      hostname: host,
      port,
      reusePort: command.options.reusePort,
      // automaticCompression stays off (the default since Deno 2.9): the handler precompresses every
      // cacheable body itself, and what it builds per request (errors, /healthz) is under 1 KB,
      // where compression saves a few hundred bytes and costs every request 1-2 µs of checks.
      onListen: ({ hostname, port }) => {
        const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
        const count = `${dataset.cities.length} ${dataset.cities.length === 1 ? "city" : "cities"}`;
        const active = describeControls(controls);
        const model = [
          controls.seed === undefined ? "" : `; model seed ${controls.seed}`,
          now === undefined ? "" : `; clock frozen at ${new Date(now).toISOString()}`,
          upstream === undefined ? "" : `; live weather from ${upstream.url}`,
        ].join("");
        console.log(
          `Listening on http://${shown}:${port}/ (${count} from ${dataset.fileName}${model}` +
            `${active ? `; mock controls: ${active}` : ""})`,
        );
      },
    }, draining?.handler ?? logged);
  } catch (error) {
    console.error(`error: ${listenFailure(error, host, port)}`);
    return 1;
  }
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
