// `deno task cluster`: nginx in front of several server instances (docs/cluster.md).
import { CLUSTER_HELP, CLUSTER_USAGE, parseClusterArgs } from "../src/cli_args.ts";
import { Cluster, ClusterError, findNginx, NGINX_CANDIDATES } from "../src/cluster.ts";
import { onShutdownSignal, signalExitCode } from "../src/shutdown.ts";
import { SERVER } from "./compile.ts";

const SERVER_ENTRY = new URL("../server.ts", import.meta.url).pathname;
const TEMPLATE = new URL("../deploy/nginx.conf", import.meta.url);
/** How long an instance stopping answers on with Connection: close, so that nginx lets go of it. */
const DRAIN_MS = 500;

/** The grants of `deno task serve` (and of the weather-server executable), without its embedded data. */
const SERVER_GRANTS = SERVER.flags.filter((flag, i, all) =>
  flag !== "--include" && all[i - 1] !== "--include"
);

async function main(args: string[]): Promise<number> {
  let command;
  try {
    command = parseClusterArgs(args);
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${CLUSTER_USAGE}`);
    return 2;
  }
  if (command.kind === "help") return console.log(CLUSTER_HELP), 0;
  const options = command.options;
  if (Deno.build.os === "windows") {
    console.error(
      "error: The cluster needs Linux or macOS: it stops and restarts its processes with signals",
    );
    return 1;
  }
  const nginx = await findNginx(options.nginx === undefined ? NGINX_CANDIDATES : [options.nginx]);
  if (typeof nginx === "string") return console.error(`error: ${nginx}`), 1;

  // Where the tests run it with every grant, the instances use this very Deno; under the task,
  // whose --allow-run names "deno", the one on PATH.
  const deno = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted"
    ? Deno.execPath()
    : "deno";
  // SO_REUSEPORT spreads connections between sockets on Linux only; Deno offers it with --unstable-net.
  const overlap = Deno.build.os === "linux";
  const instanceArgs = (port: number) => [
    "run",
    ...SERVER_GRANTS,
    ...(overlap ? ["--unstable-net"] : []),
    SERVER_ENTRY,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...(overlap ? ["--reuse-port"] : []),
    "--trust-proxy",
    "127.0.0.1",
    "--drain",
    String(DRAIN_MS),
    ...(options.data === undefined ? [] : ["--data", options.data]),
    ...options.serverArgs,
  ];

  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "weather-cluster-" });
  const cluster = new Cluster({
    instances: options.instances,
    instance: (port) => ({ command: deno, args: instanceArgs(port) }),
    nginx: nginx.path,
    template: await Deno.readTextFile(TEMPLATE),
    settings: {
      listen: { host: options.host, port: options.port },
      user: Deno.uid() === 0 ? "root" : undefined,
      rateLimit: options.rateLimit,
      cache: options.cache,
      cors: options.server.cors,
    },
    dir,
    print: console,
    overlap,
    grace: options.server.grace,
  });
  const restart = () => void cluster.restart();
  Deno.addSignalListener("SIGHUP", restart);
  using _signals = onShutdownSignal((signal) => {
    console.log(
      `Shutting down on ${signal}: nginx finishes the requests in flight, then the instances stop; ` +
        "a second signal stops at once",
    );
    void cluster.stop();
  }, async (signal) => {
    await cluster.kill();
    Deno.removeSync(dir, { recursive: true });
    Deno.exit(signalExitCode(signal));
  });
  try {
    const url = await cluster.start();
    const { nginx: nginxPid, instances } = cluster.processes;
    console.log(
      `Listening on ${url} (nginx ${nginx.version} in front of ${
        instances.length === 1 ? "1 instance" : `${instances.length} instances`
      } of ${cluster.description})`,
    );
    console.log(
      `Processes: nginx ${nginxPid}, ${
        instances.map(({ slot, pid, port }) => `instance ${slot} ${pid} on port ${port}`).join(", ")
      }; SIGHUP to ${Deno.pid} restarts the instances one at a time`,
    );
    return await cluster.finished;
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    console.error(`error: ${error.message}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGHUP", restart);
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
