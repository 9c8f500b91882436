import { currentConditions, dailySeries, hourlySeries, modelRange } from "../src/model/forecast.ts";
import { sunDay } from "../src/model/sun.ts";
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
const firstDate = localDate(berlin.timezone, range.start);
// Warm what a server keeps warm: the zone's offsets, the sun's ephemeris and events, the clock's model.
hourlySeries(input, firstHour, allHours);
dailySeries(input, firstDate, 108);

Deno.bench("hourlySeries(): one city, 16 days", { group: "hourly", baseline: true }, () => {
  hourlySeries(input, today, 16 * 24);
});

Deno.bench("hourlySeries(): one city, 92 past days and 16 days", { group: "hourly" }, () => {
  hourlySeries(input, firstHour, allHours);
});

let clock = 0;
Deno.bench("hourlySeries(): one city, 16 days, a new 15-minute slot each time", { group: "hourly" }, () => {
  hourlySeries({ city: berlin, seed: 1, now: now + (clock++ % 64) * 900_000 }, today, 16 * 24);
});

Deno.bench("dailySeries(): one city, 16 days", { group: "daily", baseline: true }, () => {
  dailySeries(input, localDate(berlin.timezone, now), 16);
});

Deno.bench("dailySeries(): one city, 92 past days and 16 days", { group: "daily" }, () => {
  dailySeries(input, firstDate, 108);
});

let place = 0;
Deno.bench("sunDay(): sunrise and sunset of a day not seen before (astronomy-engine)", () => {
  sunDay(
    { latitude: 52.52, longitude: 13.405 + (place++ % 100_000) * 1e-6, timezone: berlin.timezone },
    20780,
  );
});

Deno.bench("currentConditions(): one city", () => {
  currentConditions(input);
});
