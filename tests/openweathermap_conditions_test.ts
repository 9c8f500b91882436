import assert from "node:assert/strict";
import fc from "fast-check";
import {
  conditionOf,
  type ConditionOptions,
  OWM_CONDITIONS,
  owmCondition,
} from "../src/dialects/openweathermap_conditions.ts";
import { WMO_CODES } from "../src/wmo.ts";

// The list as published at https://openweathermap.org/weather-conditions (id, main, description, day icon),
// copied independently of the module under test.
const PUBLISHED = `
200|Thunderstorm|thunderstorm with light rain|11d
201|Thunderstorm|thunderstorm with rain|11d
202|Thunderstorm|thunderstorm with heavy rain|11d
210|Thunderstorm|light thunderstorm|11d
211|Thunderstorm|thunderstorm|11d
212|Thunderstorm|heavy thunderstorm|11d
221|Thunderstorm|ragged thunderstorm|11d
230|Thunderstorm|thunderstorm with light drizzle|11d
231|Thunderstorm|thunderstorm with drizzle|11d
232|Thunderstorm|thunderstorm with heavy drizzle|11d
300|Drizzle|light intensity drizzle|09d
301|Drizzle|drizzle|09d
302|Drizzle|heavy intensity drizzle|09d
310|Drizzle|light intensity drizzle rain|09d
311|Drizzle|drizzle rain|09d
312|Drizzle|heavy intensity drizzle rain|09d
313|Drizzle|shower rain and drizzle|09d
314|Drizzle|heavy shower rain and drizzle|09d
321|Drizzle|shower drizzle|09d
500|Rain|light rain|10d
501|Rain|moderate rain|10d
502|Rain|heavy intensity rain|10d
503|Rain|very heavy rain|10d
504|Rain|extreme rain|10d
511|Rain|freezing rain|13d
520|Rain|light intensity shower rain|09d
521|Rain|shower rain|09d
522|Rain|heavy intensity shower rain|09d
531|Rain|ragged shower rain|09d
600|Snow|light snow|13d
601|Snow|snow|13d
602|Snow|heavy snow|13d
611|Snow|sleet|13d
612|Snow|light shower sleet|13d
613|Snow|shower sleet|13d
615|Snow|light rain and snow|13d
616|Snow|rain and snow|13d
620|Snow|light shower snow|13d
621|Snow|shower snow|13d
622|Snow|heavy shower snow|13d
701|Mist|mist|50d
711|Smoke|smoke|50d
721|Haze|haze|50d
731|Dust|sand/ dust whirls|50d
741|Fog|fog|50d
751|Sand|sand|50d
761|Dust|dust|50d
762|Ash|volcanic ash|50d
771|Squall|squalls|50d
781|Tornado|tornado|50d
800|Clear|clear sky|01d
801|Clouds|few clouds|02d
802|Clouds|scattered clouds|03d
803|Clouds|broken clouds|04d
804|Clouds|overcast clouds|04d
`.trim().split("\n").map((line) => {
  const [id, main, description, icon] = line.split("|") as [string, string, string, string];
  return { id: Number(id), main, description, icon };
});

// The OpenWeatherMap groups a WMO code may land in.
const FAMILY: Readonly<Record<number, readonly string[]>> = {
  0: ["Clear"],
  1: ["Clouds"],
  2: ["Clouds"],
  3: ["Clouds"],
  45: ["Fog", "Mist"],
  48: ["Fog", "Mist"],
  51: ["Drizzle"],
  53: ["Drizzle"],
  55: ["Drizzle"],
  56: ["Rain"],
  57: ["Rain"],
  61: ["Rain"],
  63: ["Rain"],
  65: ["Rain"],
  66: ["Rain"],
  67: ["Rain"],
  71: ["Snow"],
  73: ["Snow"],
  75: ["Snow"],
  77: ["Snow"],
  80: ["Rain"],
  81: ["Rain"],
  82: ["Rain"],
  85: ["Snow"],
  86: ["Snow"],
  95: ["Thunderstorm"],
  96: ["Thunderstorm"],
  99: ["Thunderstorm"],
};

const CALM: ConditionOptions = { precipitation: 1, temperature: -5, isDay: true };

const optionsArb: fc.Arbitrary<ConditionOptions> = fc.record(
  {
    precipitation: fc.double({ min: 0, max: 200, noNaN: true }),
    temperature: fc.double({ min: -60, max: 50, noNaN: true }),
    isDay: fc.boolean(),
    visibility: fc.integer({ min: 0, max: 10000 }),
    cloudCover: fc.integer({ min: 0, max: 100 }),
  },
  { requiredKeys: ["precipitation", "temperature", "isDay"] },
);

Deno.test("OWM_CONDITIONS equals the published condition list, in order", () => {
  const table = [...OWM_CONDITIONS].map(([id, e]) => ({
    id,
    main: e.main,
    description: e.description,
    icon: `${e.icon}d`,
  }));
  assert.deepEqual(table, PUBLISHED);
  assert.equal(OWM_CONDITIONS.size, 55);
});

Deno.test("OWM_CONDITIONS follows the published group rules", () => {
  const groups: Record<string, string> = { 2: "Thunderstorm", 3: "Drizzle", 5: "Rain", 6: "Snow" };
  for (const [id, { main, icon }] of OWM_CONDITIONS) {
    const group = groups[String(Math.floor(id / 100))];
    if (group !== undefined) assert.equal(main, group, `main of ${id}`);
    if (id >= 700 && id < 800) assert.equal(icon, "50", `icon of ${id}`);
    if (id >= 600 && id < 700) assert.equal(icon, "13", `icon of ${id}`);
  }
});

Deno.test("conditionOf() maps the documented examples", () => {
  const cases: [number, Partial<ConditionOptions>, number, string][] = [
    [0, {}, 800, "01d"],
    [1, {}, 801, "02d"],
    [2, {}, 802, "03d"],
    [2, { cloudCover: 70 }, 803, "04d"],
    [3, {}, 804, "04d"],
    [3, { cloudCover: 60 }, 803, "04d"],
    [45, {}, 741, "50d"],
    [45, { visibility: 2000 }, 701, "50d"],
    [48, {}, 741, "50d"],
    [51, {}, 300, "09d"],
    [53, {}, 301, "09d"],
    [55, {}, 302, "09d"],
    [56, {}, 511, "13d"],
    [57, {}, 511, "13d"],
    [61, {}, 500, "10d"],
    [63, {}, 501, "10d"],
    [65, {}, 502, "10d"],
    [65, { precipitation: 20 }, 503, "10d"],
    [65, { precipitation: 60 }, 504, "10d"],
    [66, {}, 511, "13d"],
    [67, {}, 511, "13d"],
    [71, {}, 600, "13d"],
    [71, { temperature: 2 }, 615, "13d"],
    [73, {}, 601, "13d"],
    [75, {}, 602, "13d"],
    [75, { temperature: 3 }, 616, "13d"],
    [77, {}, 600, "13d"],
    [80, {}, 520, "09d"],
    [81, {}, 521, "09d"],
    [82, {}, 522, "09d"],
    [85, {}, 620, "13d"],
    [86, {}, 622, "13d"],
    [95, { precipitation: 0 }, 211, "11d"],
    [95, { precipitation: 1 }, 200, "11d"],
    [95, { precipitation: 5 }, 201, "11d"],
    [96, {}, 201, "11d"],
    [99, {}, 202, "11d"],
  ];
  for (const [code, extra, id, icon] of cases) {
    const got = conditionOf(code, { ...CALM, ...extra });
    assert.deepEqual([got.id, got.icon], [id, icon], `WMO ${code} ${JSON.stringify(extra)}`);
  }
});

Deno.test("conditionOf() writes the published main and description", () => {
  assert.deepEqual(conditionOf(61, { ...CALM, isDay: false }), {
    id: 500,
    main: "Rain",
    description: "light rain",
    icon: "10n",
  });
});

Deno.test("conditionOf() throws RangeError for a code the model does not use", () => {
  for (const code of [-1, 4, 50, 100, 1.5, Number.NaN]) {
    assert.throws(() => conditionOf(code, CALM), RangeError);
  }
  assert.throws(() => owmCondition(999, true), RangeError);
});

Deno.test("conditionOf() gives a listed id in the WMO family, with a day or night icon, for any input", () => {
  assert.deepEqual(Object.keys(FAMILY).map(Number), [...WMO_CODES.keys()]);
  const published = new Map(PUBLISHED.map((p) => [p.id, p]));
  fc.assert(
    fc.property(fc.constantFrom(...WMO_CODES.keys()), optionsArb, (code, options) => {
      const got = conditionOf(code, options);
      const listed = published.get(got.id);
      assert.ok(listed, `id ${got.id} is listed`);
      assert.equal(got.main, listed.main);
      assert.equal(got.description, listed.description);
      assert.equal(got.icon, listed.icon.slice(0, 2) + (options.isDay ? "d" : "n"));
      assert.ok(FAMILY[code]?.includes(got.main), `WMO ${code} gave ${got.main}`);
    }),
  );
});
