import assert from "node:assert/strict";
import fc from "fast-check";
import {
  addDays,
  dayNumber,
  formatDay,
  localDate,
  localDayNumber,
  localIsoTime,
  localMidnight,
  offsetText,
  utcOffsetSeconds,
  zoneAbbreviation,
} from "../src/model/time.ts";

const HOUR = 3_600_000;
const ZONES = [
  "Asia/Tokyo",
  "Asia/Kathmandu",
  "Asia/Tehran",
  "Europe/Berlin",
  "Europe/London",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/Havana",
  "America/New_York",
  "America/St_Johns",
  "Pacific/Auckland",
  "Pacific/Chatham",
  "Pacific/Kiritimati",
  "Antarctica/McMurdo",
  "UTC",
];

// An independent reading of the zone's wall clock, through Intl's own calendar fields.
function wallClock(zone: string, ms: number): { date: string; offset: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(ms).map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    +parts.year!,
    +parts.month! - 1,
    +parts.day!,
    +parts.hour!,
    +parts.minute!,
    +parts.second!,
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    offset: (wall - Math.floor(ms / 1000) * 1000) / 1000,
  };
}

const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

Deno.test("utcOffsetSeconds() and localDate() agree with the zone's wall clock at every instant", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), instant, (zone, ms) => {
      const wall = wallClock(zone, ms);
      assert.deepEqual(utcOffsetSeconds(zone, ms), wall.offset);
      assert.deepEqual(localDate(zone, ms), wall.date);
    }),
    { numRuns: 400 },
  );
});

Deno.test("utcOffsetSeconds() changes at the minute of a daylight-saving transition", () => {
  const spring = Date.parse("2027-03-28T01:00:00Z"); // 02:00 CET becomes 03:00 CEST
  assert.deepEqual(utcOffsetSeconds("Europe/Berlin", spring - 1), 3600);
  assert.deepEqual(utcOffsetSeconds("Europe/Berlin", spring), 7200);
  const autumn = Date.parse("2027-04-03T16:00:00Z"); // 03:00 AEDT becomes 02:00 AEST
  assert.deepEqual(utcOffsetSeconds("Australia/Sydney", autumn - 1), 39600);
  assert.deepEqual(utcOffsetSeconds("Australia/Sydney", autumn), 36000);
  assert.deepEqual(utcOffsetSeconds("Asia/Kathmandu", spring), 20700);
});

Deno.test("localMidnight() starts a local day of 23 or 25 hours across a daylight-saving change", () => {
  const berlin = (d: string) => localMidnight("Europe/Berlin", d);
  assert.deepEqual(berlin("2027-03-28"), Date.parse("2027-03-27T23:00:00Z"));
  assert.deepEqual((berlin("2027-03-29") - berlin("2027-03-28")) / HOUR, 23);
  const sydney = (d: string) => localMidnight("Australia/Sydney", d);
  assert.deepEqual(sydney("2027-04-04"), Date.parse("2027-04-03T13:00:00Z"));
  assert.deepEqual((sydney("2027-04-05") - sydney("2027-04-04")) / HOUR, 25);
});

Deno.test("localMidnight() starts a day whose midnight is skipped at the end of the gap", () => {
  // Chile springs forward at 24:00: 6 September 2026 begins at 01:00 -03.
  assert.deepEqual(localMidnight("America/Santiago", "2026-09-06"), Date.parse("2026-09-06T04:00:00Z"));
});

Deno.test("localMidnight() is the first instant of its local date in any zone", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), instant, (zone, ms) => {
      const day = localDayNumber(zone, ms);
      const start = localMidnight(zone, day);
      assert.deepEqual(localDayNumber(zone, start), day);
      assert.deepEqual(localDayNumber(zone, start - 1), day - 1);
      assert.deepEqual(start <= ms && ms < localMidnight(zone, day + 1), true);
    }),
    { numRuns: 300 },
  );
});

Deno.test("dayNumber(), formatDay() and addDays() round-trip calendar dates", () => {
  assert.deepEqual(dayNumber("1970-01-02"), 1);
  assert.deepEqual(formatDay(dayNumber("2028-02-29")), "2028-02-29");
  assert.deepEqual(addDays("2026-12-31", 1), "2027-01-01");
  assert.deepEqual(addDays("2026-03-01", -1), "2026-02-28");
  fc.assert(
    fc.property(fc.integer({ min: -20000, max: 40000 }), (d) => assert.deepEqual(dayNumber(formatDay(d)), d)),
  );
});

Deno.test("dayNumber() throws a SyntaxError for a date that does not exist", () => {
  assert.throws(() => dayNumber("2026-02-30"), SyntaxError);
  assert.throws(() => dayNumber("23/11/2026"), SyntaxError);
});

Deno.test("utcOffsetSeconds() throws a RangeError for an unknown time zone", () => {
  assert.throws(() => utcOffsetSeconds("Mars/Olympus_Mons", 0), RangeError);
});

Deno.test("offsetText() and localIsoTime() write wall-clock times as ISO 8601 without Intl", () => {
  assert.equal(offsetText(0), "+00:00");
  assert.equal(offsetText(20700), "+05:45");
  assert.equal(offsetText(-12600), "-03:30");
  const ms = Date.parse("2026-11-23T11:14:00Z");
  assert.equal(localIsoTime(ms, 32400), "2026-11-23T20:14");
  assert.equal(localIsoTime(ms, 32400, true), "2026-11-23T20:14:00+09:00");
  assert.equal(localIsoTime(ms, -36000), "2026-11-23T01:14");
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), instant, (zone, t) => {
      const text = localIsoTime(t, utcOffsetSeconds(zone, t), true);
      assert.equal(Date.parse(text), Math.floor(t / 1000) * 1000);
      assert.equal(text.slice(0, 10), localDate(zone, t));
    }),
    { numRuns: 200 },
  );
});

Deno.test("zoneAbbreviation() names the zone's time at an instant, summer time included", () => {
  assert.equal(zoneAbbreviation("Europe/Berlin", Date.parse("2027-01-10T12:00:00Z")), "GMT+1");
  assert.equal(zoneAbbreviation("Europe/Berlin", Date.parse("2027-07-10T12:00:00Z")), "GMT+2");
  assert.equal(zoneAbbreviation("UTC", 0), "UTC");
  assert.equal(zoneAbbreviation("Asia/Kathmandu", Date.parse("2026-11-23T00:00:00Z")), "GMT+5:45");
  assert.equal(zoneAbbreviation("America/New_York", Date.parse("2026-11-23T00:00:00Z")), "EST");
});
