// Micro-benchmarks of the handler in process, per route: `deno task bench`.
//
// Each group's baseline is a bare handler answering the same status and body bytes with nothing
// else, so "x times slower than baseline" is the route's own work per request. Every benchmark
// builds a Request and reads the whole body, as the server does. Only the bundled data here: a
// big dataset in the same isolate slows every garbage collection, so scale_bench.ts has those.
import { withAccessLog } from "../src/access_log.ts";
import { createDataset, type Dataset } from "../src/dataset.ts";
import { parseDataFile } from "../src/data_file.ts";
import { createHandler } from "../src/handler.ts";
import { createUpstream } from "../src/upstream.ts";
import { upstreamWeather } from "../src/weather_scope.ts";
import { benchBare, benchRoute, bundled, call, DATA_PATH, expectStatus } from "./_fixtures.ts";

const handler = createHandler({ current: bundled });
const etag = (await handler(new Request("http://127.0.0.1/weather/Tokyo"))).headers.get("etag")!;
const ifNoneMatch = { headers: { "if-none-match": etag } };

await benchBare("lookup hit", handler, "/weather/Tokyo", 200);
await benchRoute("lookup hit", "GET /get_weather?city=Tokyo", handler, "/get_weather?city=Tokyo", 200);
await benchRoute("lookup hit", "GET /weather/Tokyo", handler, "/weather/Tokyo", 200);
await benchRoute(
  "lookup hit",
  "GET /weather/s%C3%A3o%20paulo (folded)",
  handler,
  "/weather/s%C3%A3o%20paulo",
  200,
);

await benchBare("revalidation", handler, "/weather/Tokyo", 304, ifNoneMatch);
await benchRoute("revalidation", "If-None-Match → 304", handler, "/weather/Tokyo", 304, ifNoneMatch);
await benchRoute("revalidation", "If-Modified-Since → 304", handler, "/weather/Tokyo", 304, {
  headers: { "if-modified-since": bundled.lastModified },
});
await benchRoute("revalidation", "HEAD /weather/Tokyo", handler, "/weather/Tokyo", 200, { method: "HEAD" });

await benchBare("units", handler, "/weather/Tokyo?units=imperial", 200);
await benchRoute("units", "?units=imperial, cached", handler, "/weather/Tokyo?units=imperial", 200);
{
  // A first hit builds the body: give each iteration a fresh dataset and time the request only.
  const text = await Deno.readTextFile(DATA_PATH);
  const file = parseDataFile(text, "weather.json");
  const bytes = new TextEncoder().encode(text);
  const source: { current: Dataset } = { current: bundled };
  const fresh = createHandler(source);
  for (const units of ["imperial", "si"]) {
    Deno.bench({
      group: "units",
      name: `?units=${units}, first hit`,
      async fn(b) {
        source.current = await createDataset(file, bytes, "weather.json");
        b.start();
        expectStatus(await call(fresh, `/weather/Tokyo?units=${units}`), 200, "first hit");
        b.end();
      },
    });
  }
}

await benchBare("lookup miss", handler, "/get_weather?city=Tokio", 404);
await benchRoute(
  "lookup miss",
  "GET /get_weather?city=Tokio (suggests Tokyo)",
  handler,
  "/get_weather?city=Tokio",
  404,
);
await benchRoute("lookup miss", "GET /weather/Xq (no suggestion)", handler, "/weather/Xq", 404);
await benchRoute(
  "lookup miss",
  "GET /weather/{200 letters}",
  handler,
  `/weather/${"abcdefghij".repeat(20)}`,
  404,
);

await benchBare("forecast", handler, "/weather/Tokyo/forecast", 200);
await benchRoute("forecast", "GET /weather/Tokyo/forecast, cached", handler, "/weather/Tokyo/forecast", 200);
await benchRoute(
  "forecast",
  "GET /get_forecast?city=Tokyo&days=16&hours=384, cached",
  handler,
  "/get_forecast?city=Tokyo&days=16&hours=384",
  200,
);
{
  // A first hit computes the answer: a clock in a new 15-minute slot each iteration.
  let slot = 0;
  const base = Date.parse("2026-11-23T12:00:00Z");
  let clocked = createHandler({ current: bundled }, { frozenClock: base });
  for (const [name, path] of [["7 days, 48 hours", ""], ["16 days, 384 hours", "?days=16&hours=384"]]) {
    Deno.bench({
      group: "forecast",
      name: `GET /weather/Tokyo/forecast${path}, first hit (${name})`,
      async fn(b) {
        clocked = createHandler({ current: bundled }, { frozenClock: base + (++slot % 5000) * 900_000 });
        b.start();
        expectStatus(await call(clocked, `/weather/Tokyo/forecast${path}`), 200, "first hit");
        b.end();
      },
    });
  }
}

{
  // Open-Meteo: a typical app's query, cached, and its first answer for a new place and clock slot.
  const query =
    "current=temperature_2m,relative_humidity_2m,apparent_temperature,precipitation,weather_code," +
    "wind_speed_10m&hourly=temperature_2m,precipitation_probability,precipitation,weather_code,wind_speed_10m," +
    "uv_index&daily=weather_code,temperature_2m_max,temperature_2m_min,sunrise,sunset,precipitation_sum" +
    "&timezone=auto";
  const tokyo = `/v1/forecast?latitude=35.6762&longitude=139.6503&${query}`;
  await benchBare("open-meteo", handler, tokyo, 200);
  await benchRoute(
    "open-meteo",
    "GET /v1/forecast (Tokyo, a typical app's query), cached",
    handler,
    tokyo,
    200,
  );
  await benchRoute(
    "open-meteo",
    "the same as FlatBuffers, cached",
    handler,
    `${tokyo}&format=flatbuffers`,
    200,
  );
  let slot = 0;
  const base = Date.parse("2026-11-23T12:00:00Z");
  for (const [name, at] of [["a data city", "latitude=35.6762&longitude=139.6503"], ["a new place", ""]]) {
    Deno.bench({
      group: "open-meteo",
      name: `GET /v1/forecast, first answer: ${name}, a new clock slot`,
      async fn(b) {
        slot++;
        const clocked = createHandler({ current: bundled }, { frozenClock: base + (slot % 5000) * 900_000 });
        const where = at ||
          `latitude=${(10 + (slot % 6000) * 0.01).toFixed(2)}&longitude=${
            (20 + (slot % 97) * 0.3).toFixed(2)
          }`;
        b.start();
        expectStatus(await call(clocked, `/v1/forecast?${where}&${query}`), 200, "first answer");
        b.end();
      },
    });
  }
}

{
  // Live weather: a server with an upstream (our own handler, in process), every answer from its
  // cache after the first; against the same routes of the model alone.
  const frozenClock = Date.parse("2026-11-23T12:00:00Z");
  const own = createHandler({ current: bundled }, { frozenClock });
  const upstream = createUpstream({
    base: "http://upstream.invalid",
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      Promise.resolve(own(new Request(input, init)))) as typeof fetch,
  });
  const live = createHandler({ current: bundled }, {
    frozenClock,
    upstream: { source: upstreamWeather(upstream), waitMs: 3000 },
  });
  const owm = "/data/2.5/weather?q=Tokyo&appid=bench";
  await benchBare("live weather", live, "/weather/Tokyo/forecast", 200);
  for (const [name, serve] of [["the model alone", own], ["upstream, from the cache", live]] as const) {
    await benchRoute(
      "live weather",
      `GET /weather/Tokyo/forecast, ${name}`,
      serve,
      "/weather/Tokyo/forecast",
      200,
    );
    await benchRoute("live weather", `GET ${owm}, ${name}`, serve, owm, 200);
  }
}

await benchBare("city list", handler, "/weather/cities", 200);
await benchRoute("city list", "GET /weather/cities", handler, "/weather/cities", 200);

await benchBare("errors", handler, "/nope", 404);
await benchRoute("errors", "GET /nope (404 unknown path)", handler, "/nope", 404);
await benchRoute("errors", "GET ?units=kelvin (400)", handler, "/weather/Tokyo?units=kelvin", 400);
await benchRoute("errors", "POST /weather/Tokyo (405)", handler, "/weather/Tokyo", 405, { method: "POST" });

await benchBare("healthz", handler, "/healthz", 200);
await benchRoute("healthz", "GET /healthz", handler, "/healthz", 200);

// The access log as server.ts wires it, less the write itself: what formatting a line costs.
{
  const encoder = new TextEncoder();
  let written = 0;
  const discarded = withAccessLog(handler, () => {});
  const encoded = withAccessLog(handler, (line) => void (written += encoder.encode(line + "\n").length));
  await benchRoute("access log", "handler alone", handler, "/weather/Tokyo", 200, { baseline: true });
  await benchRoute(
    "access log",
    "withAccessLog, line dropped",
    (r) => discarded(r, undefined),
    "/weather/Tokyo",
    200,
  );
  await benchRoute(
    "access log",
    "withAccessLog, line encoded",
    (r) => encoded(r, undefined),
    "/weather/Tokyo",
    200,
  );
}
