// The server as a `deno serve` module, for `deno serve --parallel` (`deno task serve:parallel`):
// one worker per CPU, each evaluating this module on its own with its own dataset, caches and
// reloader, and naming itself on /healthz in a `serve-worker` header.
// `deno serve` owns --host and --port, so the rest comes from the environment:
//   WEATHER_DATA   the data file (default: the bundled data/weather.json)
//   WEATHER_QUIET  "1" for no access log
//   WEATHER_NOW    the weather model's frozen clock, as --now (default: the real clock)
//   WEATHER_SEED   the weather model's seed, as --seed (default 0)
//   WEATHER_API_KEYS  the only OpenWeatherMap keys accepted, comma-separated, as --api-key
//   WEATHER_UPSTREAM  live weather from this Open-Meteo-compatible API, as --upstream URL (each
//                     worker has its own cache of it)
import { withAccessLog } from "./src/access_log.ts";
import { parseApiKeys, parseInstant, parseUpstreamUrl, parseWholeNumber } from "./src/cli_args.ts";
import { createUpstream } from "./src/upstream.ts";
import { upstreamWeather } from "./src/weather_scope.ts";
import { loadDataset } from "./src/dataset.ts";
import { createHandler } from "./src/handler.ts";
import { DataReloader } from "./src/reloader.ts";
import { requestTarget } from "./src/request_target.ts";
import { BUNDLED_DATA, reloadLog, stderrLines, watchOrWarn } from "./src/server_wiring.ts";
import { onServeShutdownSignal } from "./src/shutdown.ts";

/** This worker's server: its data, reloader, handler and access log. */
async function serve(): Promise<Deno.ServeDefaultExport> {
  const data = Deno.env.get("WEATHER_DATA") || BUNDLED_DATA;
  const quiet = Deno.env.get("WEATHER_QUIET") === "1";
  const now = Deno.env.get("WEATHER_NOW") || undefined;
  const seed = Deno.env.get("WEATHER_SEED") || undefined;

  const keys = Deno.env.get("WEATHER_API_KEYS") || undefined;
  const upstreamUrl = Deno.env.get("WEATHER_UPSTREAM") || undefined;
  let dataset, frozenClock, controls, apiKeys, upstream;
  try {
    if (upstreamUrl !== undefined) {
      const base = parseUpstreamUrl(upstreamUrl);
      upstream = { source: upstreamWeather(createUpstream({ base })), waitMs: 3000 };
    }
    apiKeys = parseApiKeys(keys?.split(","));
    frozenClock = now === undefined ? undefined : parseInstant(now);
    controls = seed === undefined ? {} : { seed: parseWholeNumber(seed, "seed", 0, 4_294_967_295) };
    dataset = await loadDataset(data);
  } catch (error) {
    // In a worker this ends the whole process, as server.ts does for a bad data file.
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(1);
  }

  // Every worker evaluates this module, so every worker has its own reloader: each watches the file
  // and swaps its own data. Their lines go out once per worker, `deno serve` prefixing each with
  // the worker's name.
  const source = new DataReloader(data, dataset, { log: reloadLog(console) });
  watchOrWarn(source, console);
  // On SIGTERM or SIGINT `deno serve` shuts the server down and waits for the worker's event loop
  // to empty, which a watcher never lets it do.
  onServeShutdownSignal(() => void source.close());

  const handler = createHandler(source, {
    frozenClock,
    controls,
    apiKeys,
    upstream,
    onError: (error, request) => console.error(`error: ${request.method} ${request.url}:`, error),
  });

  // Which worker answered, for /healthz only: drawn once per worker, as each evaluates this module.
  const worker = crypto.randomUUID().slice(0, 8);
  const isHealth = (url: string) => {
    // A cheap test first, as this runs on every request; a URL that does not parse is the handler's to answer.
    try {
      return url.includes("/healthz") && requestTarget(url).pathname === "/healthz";
    } catch {
      return false;
    }
  };
  const answer = (request: Request): Response | Promise<Response> => {
    if (!isHealth(request.url)) return handler(request);
    return Promise.resolve(handler(request)).then((response) => {
      response.headers.set("serve-worker", worker);
      return response;
    });
  };
  // In batches of about 2 KB, so that the workers' batches on the shared stderr do not mix. A worker
  // has no exit of its own to flush at, so a pending batch keeps it alive the 25 ms until it is written.
  const log = stderrLines({ maxChars: 2048, keepAlive: true });

  return {
    fetch: quiet ? answer : withAccessLog(answer, (line) => log.push(line)),
    onListen: (address) => {
      const { hostname, port } = address as Deno.NetAddr; // deno serve listens on TCP here
      console.log(
        `Listening on http://${hostname}:${port}/ (${dataset.cities.length} cities from ${dataset.fileName})`,
      );
    },
  };
}

// `deno serve` evaluates this module as the main one; importing it starts nothing.
export default import.meta.main ? await serve() : undefined;
