import assert from "node:assert/strict";
import fc from "fast-check";
import {
  resolveScenarioTime,
  ScenarioSchema,
  ScenariosSchema,
  WindowScenarioSchema,
} from "../src/model/scenario.ts";
import { localDayNumber, localMidnight } from "../src/model/time.ts";

const messages = (input: unknown): string[] => {
  const result = ScenarioSchema.safeParse(input);
  assert.equal(result.success, false, `expected ${JSON.stringify(input)} to be rejected`);
  return result.error!.issues.map((i) => i.message);
};

Deno.test("ScenarioSchema accepts relative and absolute windows, with a default ramp", () => {
  const storm = WindowScenarioSchema.parse({
    from: "+1d12h",
    to: "+1d18h",
    set: { weather_code: 95, precipitation: 4 },
  });
  assert.equal(storm.ramp_hours, 2);
  assert.deepEqual(storm.set, { weather_code: 95, precipitation: 4 });
  ScenarioSchema.parse({ from: "+7d", to: "+10d", set: { temperature_max: 41, temperature_min: 26 } });
  ScenarioSchema.parse({ from: "-3h", to: "+90m", ramp_hours: 0, set: { wind_speed: 80, wind_gusts: 120 } });
  ScenarioSchema.parse({
    from: "2026-11-25T15:00:00+09:00",
    to: "2026-11-25T18:00:00+09:00",
    set: { cloud_cover: 100 },
  });
  assert.equal(ScenariosSchema.parse([]).length, 0);
});

Deno.test("ScenarioSchema rejects a time it cannot read, saying what it expects", () => {
  const [message] = messages({ from: "tomorrow", to: "+1d", set: { temperature: 20 } });
  assert.match(message!, /expected a time like "\+1d12h".*got "tomorrow"/);
  messages({ from: "+", to: "+1d", set: { temperature: 20 } });
  messages({ from: "2026-11-25T15:00:00", to: "+1d", set: { temperature: 20 } }); // no offset
});

Deno.test("ScenarioSchema rejects values that contradict each other or their weather code", () => {
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { weather_code: 0, precipitation: 3 } })[0]!,
    /needs precipitation 0-0/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { weather_code: 61, cloud_cover: 10 } })[0]!,
    /needs cloud_cover/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { weather_code: 71, temperature: 12 } })[0]!,
    /needs temperature/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { weather_code: 63, temperature: -8 } })[0]!,
    /needs temperature/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { weather_code: 45, relative_humidity: 40 } })[0]!,
    /needs relative_humidity/,
  );
  assert.match(messages({ from: "+1d", to: "+2d", set: { temperature_max: 30 } })[0]!, /together/);
  assert.match(
    messages({ from: "+1d", to: "+2d", set: { temperature_max: 10, temperature_min: 20 } })[0]!,
    /at least temperature_min/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { wind_speed: 50, wind_gusts: 20 } })[0]!,
    /at least wind_speed/,
  );
  assert.match(
    messages({ from: "+1h", to: "+2h", set: { precipitation: 2, precipitation_probability: 0 } })[0]!,
    /precipitation 0 with precipitation_probability 0/,
  );
  assert.match(messages({ from: "+1h", to: "+2h", set: {} })[0]!, /at least one value/);
  assert.match(
    messages({ from: "2026-11-25T18:00:00Z", to: "2026-11-25T15:00:00Z", set: { temperature: 1 } })[0]!,
    /expected "to"/,
  );
  assert.match(messages({ from: "+1d18h", to: "+1d12h", set: { temperature: 1 } })[0]!, /expected "to"/);
  assert.match(messages({ from: "+3h", to: "+90m", set: { temperature: 1 } })[0]!, /expected "to"/);
  ScenarioSchema.parse({ from: "+0d23h", to: "+1d", set: { temperature: 1 } });
  messages({ from: "+1h", to: "+2h", set: { temperature: 20, snow: 1 } }); // unknown key
  messages({ from: "+1h", to: "+2h", set: { weather_code: 42 } }); // not a WMO code
  messages({ from: "+1h", to: "+2h", set: { relative_humidity: 130 } });
});

Deno.test("resolveScenarioTime() counts hours from the clock and days from the local midnight", () => {
  const zone = "Asia/Tokyo";
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(2022, 0, 1), max: Date.UTC(2030, 0, 1) }), (now) => {
      const today = localDayNumber(zone, now);
      const dayStart = (n: number) => localMidnight(zone, today + n);
      assert.equal(resolveScenarioTime("+3h", now, dayStart), now + 3 * 3_600_000);
      assert.equal(resolveScenarioTime("-90m", now, dayStart), now - 90 * 60_000);
      assert.equal(resolveScenarioTime("+1h30m", now, dayStart), now + 90 * 60_000);
      assert.equal(
        resolveScenarioTime("+1d12h", now, dayStart),
        localMidnight(zone, today + 1) + 12 * 3_600_000,
      );
      assert.equal(resolveScenarioTime("+0d", now, dayStart), localMidnight(zone, today));
      assert.equal(
        resolveScenarioTime("-2d6h", now, dayStart),
        localMidnight(zone, today - 2) + 6 * 3_600_000,
      );
      assert.equal(
        resolveScenarioTime("2026-11-25T15:00:00+09:00", now, dayStart),
        Date.parse("2026-11-25T06:00:00Z"),
      );
    }),
    { numRuns: 50 },
  );
});
