import { currentConditions, dailySeries, hourlySeries, modelRange } from "../src/model/forecast.ts";
import { localDate, localMidnight } from "../src/model/time.ts";
import { WeatherFileSchema } from "../src/schema.ts";

const file = WeatherFileSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("../data/weather.json", import.meta.url))),
);
const now = Date.parse("2026-11-23T11:14:00Z");
const berlin = file.cities.find((c) => c.name === "Berlin")!;
const input = { city: berlin, seed: 1, now };
const range = modelRange(input);
const today = localMidnight(berlin.timezone, localDate(berlin.timezone, now));
const firstHour = Math.ceil(range.start / 3_600_000) * 3_600_000;
const allHours = Math.floor((range.end - firstHour) / 3_600_000);
// Warm the caches a server keeps warm: offsets of the zone, the sun's ephemeris, the model of the clock.
hourlySeries(input, firstHour, allHours);
dailySeries(input, localDate(berlin.timezone, range.start), 108);

Deno.bench("hourlySeries(): one city, 16 days", { group: "hourly", baseline: true }, () => {
  hourlySeries(input, today, 16 * 24);
});

Deno.bench("hourlySeries(): one city, 92 past days and 16 days", { group: "hourly" }, () => {
  hourlySeries(input, firstHour, allHours);
});

Deno.bench("dailySeries(): one city, 16 days", { group: "daily" }, () => {
  dailySeries(input, localDate(berlin.timezone, now), 16);
});

Deno.bench("currentConditions(): one city", () => {
  currentConditions(input);
});

let seed = 0;
Deno.bench("hourlySeries(): one city, 16 days, a new clock each time", () => {
  hourlySeries({ city: berlin, seed: 1, now: now + (seed++ % 600) * 1000 }, today, 16 * 24);
});
