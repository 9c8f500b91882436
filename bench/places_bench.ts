import { generateWeatherFile } from "../scripts/gen_data.ts";
import { createPlaces, snapToCell } from "../src/model/places.ts";

const cities = generateWeatherFile({ cities: 100_000, seed: 1 }).cities;
const now = Date.parse("2026-11-23T11:14:00Z");

Deno.bench("createPlaces() and its first at(): the kd-tree of 100,000 cities", { group: "build" }, () => {
  createPlaces(cities).at(0, 0, 0, now);
});

const places = createPlaces(cities);
// Mid-Pacific, far from the generator's places: a synthetic cell with neighbours out to 1000 km.
places.at(-30, -140, 0, now);
Deno.bench("Places.at(): a cached synthetic cell", { group: "at", baseline: true }, () => {
  places.at(-30, -140, 0, now);
});

Deno.bench("Places.at(): a data city", { group: "at" }, () => {
  places.at(cities[0]!.latitude, cities[0]!.longitude, 0, now);
});

// A new 0.25° cell each time (80,000 of them, past the cache's 10,000), as a client walking a
// region: its climate lattice points are mostly cached already.
let step = 0;
const walk = (
  i: number,
): [number, number] => [-30 - (i % 200) * 0.25, -140 + (Math.floor(i / 200) % 400) * 0.25];
Deno.bench("Places.at(): a new synthetic cell", { group: "at" }, () => {
  const [lat, lon] = walk(step++);
  places.at(lat, lon, 0, now);
});

// A new seed each time: the four climate lattice points around the cell are new too.
let seed = 0;
Deno.bench("Places.at(): a new synthetic cell and seed", { group: "at" }, () => {
  const [lat, lon] = walk(seed);
  places.at(lat, lon, 1 + seed++, now);
});

let point = 0;
Deno.bench("snapToCell()", () => {
  snapToCell(52.52 + (point++ % 1000) * 1e-4, 13.41);
});
