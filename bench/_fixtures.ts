// Data and helpers shared by the micro-benchmarks: the bundled dataset, a synthetic big one, and
// a way to call a handler that pays for the request and the response body like a server does.
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { createDataset, type Dataset, loadDataset } from "../src/dataset.ts";

export const DATA_PATH = new URL("../data/weather.json", import.meta.url);

/** City count of the synthetic dataset the scaling benchmarks use. */
export const BIG_CITIES = 100_000;

/** The bundled dataset (58 cities). */
export const bundled: Dataset = await loadDataset(DATA_PATH);

/** The text of a synthetic data file of `cities` cities (seed 1), as `scripts/gen_data.ts` writes it. */
export function syntheticText(cities: number): string {
  return formatWeatherFile(generateWeatherFile({ cities, seed: 1 }));
}

/**
 * A dataset of {@linkcode BIG_CITIES} generated cities. The generator's output is valid by
 * construction (tests/gen_data_test.ts), so this skips validation, which data_bench.ts measures.
 */
export function bigDataset(): Promise<Dataset> {
  const file = generateWeatherFile({ cities: BIG_CITIES, seed: 1 });
  const bytes = new TextEncoder().encode(formatWeatherFile(file));
  return createDataset(file, bytes, "synthetic-100k.json");
}

/** A request handler, as `Deno.serve` takes it. */
export type Serve = (request: Request) => Response | Promise<Response>;

/**
 * Sends `path` to `handler` and reads the whole body, as the server would write it out; returns
 * the status, so that a benchmark can check it once and keep the value alive.
 */
export async function call(handler: Serve, path: string, init?: RequestInit): Promise<number> {
  const response = await handler(new Request(`http://127.0.0.1${path}`, init));
  await response.arrayBuffer();
  return response.status;
}

/**
 * The ceiling for a route: a bare handler answering every request with the same status and body
 * bytes as `handler` gives for `path`, and nothing else a route does.
 */
export async function bareLike(handler: Serve, path: string, init?: RequestInit): Promise<Serve> {
  const response = await handler(new Request(`http://127.0.0.1${path}`, init));
  const body = new Uint8Array(await response.arrayBuffer());
  const status = response.status;
  const headers = { "content-type": response.headers.get("content-type") ?? "application/json" };
  return () => new Response(status === 304 || init?.method === "HEAD" ? null : body, { status, headers });
}

/** Throws unless `actual` is `expected`: a benchmark of the wrong answer measures nothing. */
export function expectStatus(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected status ${expected}, got ${actual}`);
}

/** Registers a benchmark of `path` on `serve`, after checking once that it answers `status`. */
export async function benchRoute(
  group: string,
  name: string,
  serve: Serve,
  path: string,
  status: number,
  init?: RequestInit & { baseline?: boolean },
): Promise<void> {
  expectStatus(await call(serve, path, init), status, `${group}: ${name}`);
  Deno.bench({
    group,
    name,
    baseline: init?.baseline,
    async fn() {
      await call(serve, path, init);
    },
  });
}

/** Registers a group's baseline: a {@linkcode bareLike} handler with `serve`'s answer to `path`. */
export async function benchBare(
  group: string,
  serve: Serve,
  path: string,
  status: number,
  init?: RequestInit,
): Promise<void> {
  const bare = await bareLike(serve, path, init);
  await benchRoute(group, `bare answer, same bytes (${status})`, bare, path, status, {
    ...init,
    baseline: true,
  });
}
