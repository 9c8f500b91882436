import assert from "node:assert/strict";
import fc from "fast-check";
import { moonDay, moonSeries, solarElevation, sunDay } from "../src/model/sun.ts";
import { dayNumber, localDayNumber, localMidnight } from "../src/model/time.ts";
import { WeatherFileSchema } from "../src/schema.ts";

const file = WeatherFileSchema.parse(
  JSON.parse(await Deno.readTextFile(new URL("../data/weather.json", import.meta.url))),
);
const DEG = Math.PI / 180;
const sin = (d: number) => Math.sin(d * DEG), cos = (d: number) => Math.cos(d * DEG);

/**
 * NOAA's solar calculator (the spreadsheet's algorithm, after Meeus), computed here on its own as
 * an independent check: the event nearest `ms`, iterated at the event's own time. Null when the
 * sun neither rises nor sets that day.
 */
function noaaEvent(latitude: number, longitude: number, ms: number, rising: boolean): number | null {
  let t = ms;
  for (let i = 0; i < 3; i++) {
    const jd = t / 86_400_000 + 2440587.5;
    const T = (jd - 2451545) / 36525;
    const L0 = ((280.46646 + T * (36000.76983 + T * 0.0003032)) % 360 + 360) % 360;
    const M = 357.52911 + T * (35999.05029 - 0.0001537 * T);
    const e = 0.016708634 - T * (0.000042037 + 0.0000001267 * T);
    const C = sin(M) * (1.914602 - T * (0.004817 + 0.000014 * T)) + sin(2 * M) * (0.019993 - 0.000101 * T) +
      sin(3 * M) * 0.000289;
    const omega = 125.04 - 1934.136 * T;
    const lambda = L0 + C - 0.00569 - 0.00478 * sin(omega);
    const eps0 = 23 + (26 + (21.448 - T * (46.815 + T * (0.00059 - T * 0.001813))) / 60) / 60;
    const eps = eps0 + 0.00256 * cos(omega);
    const decl = Math.asin(sin(eps) * sin(lambda)) / DEG;
    const y = Math.tan(eps / 2 * DEG) ** 2;
    const eot = 4 / DEG * (y * sin(2 * L0) - 2 * e * sin(M) + 4 * e * y * sin(M) * cos(2 * L0) -
      0.5 * y * y * sin(4 * L0) - 1.25 * e * e * sin(2 * M));
    const cosHa = cos(90.833) / (cos(latitude) * cos(decl)) - Math.tan(latitude * DEG) * Math.tan(decl * DEG);
    if (cosHa > 1 || cosHa < -1) return null;
    const ha = Math.acos(cosHa) / DEG;
    // The solar noon nearest t: an event is less than 12 hours from its own noon.
    const noon = Math.floor(t / 86_400_000) * 86_400_000 + (720 - 4 * longitude - eot) * 60_000;
    const solarNoon = noon + Math.round((t - noon) / 86_400_000) * 86_400_000;
    t = solarNoon + (rising ? -1 : 1) * ha * 4 * 60_000;
  }
  return t;
}

// A zone of whole hours near the longitude, so that local days match solar days.
function etcZone(longitude: number): string {
  const n = Math.max(-12, Math.min(12, Math.round(longitude / 15)));
  return n === 0 ? "UTC" : `Etc/GMT${n > 0 ? "-" : "+"}${Math.abs(n)}`;
}

function checkAgainstNoaa(latitude: number, longitude: number, timezone: string, day: number): void {
  const sun = sunDay({ latitude, longitude, timezone }, day);
  const noon = (sun.start + sun.end) / 2;
  for (const [ours, rising] of [[sun.sunrise, true], [sun.sunset, false]] as const) {
    if (ours === null) continue;
    const theirs = noaaEvent(latitude, longitude, ours, rising);
    if (theirs === null) {
      assert.fail(`NOAA has no ${rising ? "sunrise" : "sunset"} at ${latitude},${longitude}`);
    }
    assert(
      Math.abs(ours - theirs) <= 60_000,
      `${rising ? "sunrise" : "sunset"} at ${latitude},${longitude} on day ${day}: ${
        new Date(ours).toISOString()
      } vs NOAA ${new Date(theirs).toISOString()}`,
    );
  }
  if (sun.sunrise !== null && sun.sunset !== null && sun.sunrise < sun.sunset) {
    assert.deepEqual(sun.daylight, Math.round((sun.sunset - sun.sunrise) / 1000));
  }
  // A normal day: NOAA finds both events of the solar day around local noon.
  if (noaaEvent(latitude, longitude, noon, true) !== null && Math.abs(latitude) < 60) {
    assert(sun.sunrise !== null && sun.sunset !== null);
  }
}

Deno.test("sunDay() is within a minute of NOAA's sunrise and sunset for every bundled city", () => {
  const days = [
    dayNumber("2026-11-23"),
    dayNumber("2027-03-20"),
    dayNumber("2027-06-21"),
    dayNumber("2027-09-23"),
  ];
  for (const city of file.cities) {
    for (const day of days) checkAgainstNoaa(city.latitude, city.longitude, city.timezone, day);
  }
});

Deno.test("sunDay() is within a minute of NOAA's at random places and dates", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -62, max: 62, noNaN: true }),
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.integer({ min: dayNumber("2020-01-01"), max: dayNumber("2032-12-31") }),
      (latitude, longitude, day) => checkAgainstNoaa(latitude, longitude, etcZone(longitude), day),
    ),
    { numRuns: 60 },
  );
});

Deno.test("sunDay() gives McMurdo Station polar day in December and polar night in June", () => {
  const mcmurdo = file.cities.find((c) => c.name === "McMurdo Station")!;
  const december = sunDay(mcmurdo, dayNumber("2026-12-15"));
  assert.deepEqual([december.sunrise, december.sunset, december.daylight], [null, null, 86400]);
  assert.deepEqual(noaaEvent(mcmurdo.latitude, mcmurdo.longitude, december.start, false), null);
  const june = sunDay(mcmurdo, dayNumber("2027-06-15"));
  assert.deepEqual([june.sunrise, june.sunset, june.daylight], [null, null, 0]);
  assert.deepEqual(noaaEvent(mcmurdo.latitude, mcmurdo.longitude, june.start, true), null);
});

Deno.test("sunDay() keeps daylight within the local day's length and its events on that day", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -89, max: 89, noNaN: true }),
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.integer({ min: dayNumber("2026-01-01"), max: dayNumber("2027-12-31") }),
      fc.constantFrom("Europe/Oslo", "Antarctica/McMurdo", "UTC", "America/Anchorage"),
      (latitude, longitude, day, timezone) => {
        const sun = sunDay({ latitude, longitude, timezone }, day);
        assert(sun.daylight >= 0 && sun.daylight * 1000 <= sun.end - sun.start);
        for (const event of [sun.sunrise, sun.sunset]) {
          if (event !== null) assert.deepEqual(localDayNumber(timezone, event), day);
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("solarElevation() is at the sunrise altitude (-0.833°) at sunDay()'s sunrise and sunset", () => {
  for (const city of file.cities) {
    const sun = sunDay(city, localDayNumber(city.timezone, Date.parse("2026-11-23T12:00:00Z")));
    for (const event of [sun.sunrise, sun.sunset]) {
      if (event === null) continue;
      const el = solarElevation(city.latitude, city.longitude, event);
      assert(Math.abs(el + 0.833) < 0.02, `${city.name}: ${el}`);
    }
  }
});

Deno.test("moonDay() gives the phase cycle: full moon 24 November 2026, new moon 9 December 2026", () => {
  const tokyo = file.cities.find((c) => c.name === "Tokyo")!;
  const full = moonDay(tokyo, dayNumber("2026-11-24"));
  assert(Math.abs(full.phase - 0.5) < 0.04 && full.illumination > 0.97, JSON.stringify(full));
  const fresh = moonDay(tokyo, dayNumber("2026-12-09"));
  assert((fresh.phase < 0.04 || fresh.phase > 0.96) && fresh.illumination < 0.03, JSON.stringify(fresh));
  const start = localMidnight(tokyo.timezone, "2026-11-24"),
    end = localMidnight(tokyo.timezone, "2026-11-25");
  for (const event of [full.moonrise, full.moonset]) {
    assert(event === null || (event >= start && event < end));
  }
});

Deno.test("moonSeries() is moonDay() for each local day, in epoch seconds", () => {
  const tokyo = file.cities.find((c) => c.name === "Tokyo")!;
  const series = moonSeries(tokyo, "2026-11-23", 30);
  assert.equal(series.date.length, 30);
  let risesMissing = 0;
  for (let d = 0; d < 30; d++) {
    const moon = moonDay(tokyo, series.date[d]!);
    assert.equal(series.moonrise[d], moon.moonrise === null ? null : Math.round(moon.moonrise / 1000));
    assert.equal(series.moonset[d], moon.moonset === null ? null : Math.round(moon.moonset / 1000));
    assert.equal(series.moon_phase[d], moon.phase);
    if (moon.moonrise === null) risesMissing++;
  }
  // The moon rises about 50 minutes later each day, so about one day a month has no moonrise.
  assert.ok(risesMissing >= 1 && risesMissing <= 2, `${risesMissing} days without moonrise`);
  // The phase grows through the month and wraps once at new moon.
  let wraps = 0;
  for (let d = 1; d < 30; d++) if (series.moon_phase[d]! < series.moon_phase[d - 1]!) wraps++;
  assert.equal(wraps, 1);
});
