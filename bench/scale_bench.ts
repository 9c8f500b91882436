// Micro-benchmarks of the handler over a synthetic 100,000-city dataset against the bundled 58:
// per-request cost should not grow with the data (`deno task bench`).
import { createHandler } from "../src/handler.ts";
import { benchBare, benchRoute, BIG_CITIES, bigDataset, bundled } from "./_fixtures.ts";

const small = createHandler({ current: bundled });
const big = await bigDataset();
const handler = createHandler({ current: big });
const last = encodeURIComponent(big.cities.at(-1)!.name);
const k = `${BIG_CITIES / 1000}k`;

await benchRoute("lookup hit by size", "GET /weather/Tokyo, 58 cities", small, "/weather/Tokyo", 200, {
  baseline: true,
});
await benchRoute(
  "lookup hit by size",
  `GET /weather/{last city}, ${k} cities`,
  handler,
  `/weather/${last}`,
  200,
);
await benchRoute(
  "lookup hit by size",
  `GET /get_weather?city={last city}, ${k} cities`,
  handler,
  `/get_weather?city=${last}`,
  200,
);

await benchRoute(
  "lookup miss by size",
  "GET /get_weather?city=Tokio, 58 cities",
  small,
  "/get_weather?city=Tokio",
  404,
  {
    baseline: true,
  },
);
await benchRoute(
  "lookup miss by size",
  `GET /get_weather?city=Tokio, ${k} cities`,
  handler,
  "/get_weather?city=Tokio",
  404,
);

await benchBare(`city list, ${k} cities`, handler, "/weather/cities", 200);
await benchRoute(
  `city list, ${k} cities`,
  `GET /weather/cities, ${k} cities`,
  handler,
  "/weather/cities",
  200,
);
