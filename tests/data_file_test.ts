import assert from "node:assert/strict";
import fc from "fast-check";
import { formatJsonPath, parseDataBytes, parseDataFile, readDataFile } from "../src/data_file.ts";
import { formatWeatherFile, generateWeatherFile } from "../scripts/gen_data.ts";
import { bundled, DATA_PATH, tempFile } from "./_helpers.ts";
import type { WindowScenario } from "../src/model/scenario.ts";

const valid = JSON.parse(await Deno.readTextFile(DATA_PATH));
const twoCities = () => ({ cities: structuredClone(valid.cities.slice(0, 2)) });

function rejects(file: unknown, kind: typeof SyntaxError | typeof TypeError, pattern: RegExp) {
  const text = typeof file === "string" ? file : JSON.stringify(file, null, 2);
  assert.throws(() => parseDataFile(text, "broken.json"), (error: Error) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${error.name}: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("bundled data has at least 40 cities on every continent", () => {
  assert.ok(bundled.cities.length >= 40);
  const zones = new Set(bundled.cities.map((city) => city.timezone.split("/")[0]));
  for (const area of ["Asia", "Europe", "Africa", "America", "Australia", "Antarctica"]) {
    assert.ok(zones.has(area), `no city in ${area}`);
  }
  assert.ok(bundled.cities.some((city) => city.latitude < 0 && city.timezone.startsWith("America/")));
  for (const name of ["Tokyo", "São Paulo", "Zürich", "Reykjavík"]) {
    assert.notEqual(bundled.index.find(name), undefined, name);
  }
});

Deno.test("bundled data gives every city its elevation, population, region and aliases", () => {
  for (const city of bundled.cities) {
    assert.equal(typeof city.elevation, "number", city.name);
    assert.ok(Number.isInteger(city.population) && city.population! > 0, city.name);
    assert.ok(city.admin1 && city.admin1.length > 0, city.name);
    assert.ok(Array.isArray(city.aliases), city.name);
  }
  const city = (name: string) => bundled.cities[bundled.index.find(name)!]!;
  assert.equal(city("Tokyo").elevation, 40);
  assert.equal(city("Tokyo").admin1, "Tokyo");
  assert.ok(city("Tokyo").population! > 13_000_000);
  assert.ok(Math.abs(city("Ciudad de México").elevation! - 2240) < 50);
  assert.equal(city("Paris").admin1, "Île-de-France");
  assert.equal(city("Mumbai").admin1, "Maharashtra");
  assert.equal(city("McMurdo Station").admin1, "Ross Dependency");
  const aliases = {
    Bombay: "Mumbai",
    Peking: "Beijing",
    "Mexico City": "Ciudad de México",
    Constantinople: "Istanbul",
    Cracow: "Kraków",
  };
  for (const [alias, name] of Object.entries(aliases)) assert.equal(city(alias).name, name, alias);
});

Deno.test("parseDataFile() names the file, line and column of broken JSON", () => {
  rejects(
    '{\n  "cities": [\n    {"name": "Tokyo",}\n  ]\n}',
    SyntaxError,
    /"broken\.json".*line 3, column 22/,
  );
  rejects('{"cities": [', SyntaxError, /"broken\.json".*unexpected end of input at line 1, column 13/);
  rejects('{"cities": x}', SyntaxError, /unexpected character "x" at line 1, column 12/);
  rejects(
    '{"cities": []} trailing',
    SyntaxError,
    /unexpected text after the JSON value at line 1, column 16/,
  );
  rejects("", SyntaxError, /line 1, column 1/);
});

Deno.test("parseDataFile() gives the JSON path, expectation and value of a wrong type", () => {
  const file = twoCities();
  file.cities[1].current.humidity = "wet";
  rejects(
    file,
    TypeError,
    /"broken\.json": cities\[1\]\.current\.humidity: expected number, received string, found "wet"/,
  );
});

Deno.test("parseDataFile() reports a missing field", () => {
  const file = twoCities();
  delete file.cities[0].current.pressure;
  rejects(
    file,
    TypeError,
    /cities\[0\]\.current\.pressure: expected number, received undefined, found nothing/,
  );
});

Deno.test("parseDataFile() reports values out of range", () => {
  const file = twoCities();
  file.cities[0].current.humidity = 140;
  rejects(file, TypeError, /cities\[0\]\.current\.humidity: Too big: expected number to be <=100, found 140/);
  const tz = twoCities();
  tz.cities[1].timezone = "Mars/Olympus";
  rejects(tz, TypeError, /cities\[1\]\.timezone: expected an IANA time zone.*found "Mars\/Olympus"/);
  const code = twoCities();
  code.cities[0].current.weather_code = 42;
  rejects(code, TypeError, /weather_code: expected a WMO weather code.*found 42/);
});

Deno.test("parseDataFile() rejects duplicate cities by accent- and case-insensitive name", () => {
  const file = twoCities();
  file.cities[0].name = "São Paulo";
  file.cities[1].name = "SAO  PAULO";
  rejects(
    file,
    TypeError,
    /cities\[1\]\.name: duplicate city "SAO {2}PAULO", same as cities\[0\]\.name "São Paulo"/,
  );
});

Deno.test("parseDataFile() checks the limits of elevation, population, admin1 and aliases", () => {
  const cases: [field: string, value: unknown, pattern: RegExp][] = [
    ["elevation", 9001, /cities\[0\]\.elevation: Too big: expected number to be <=9000, found 9001/],
    ["elevation", -501, /cities\[0\]\.elevation: Too small: expected number to be >=-500, found -501/],
    ["elevation", "40 m", /cities\[0\]\.elevation: expected number, received string, found "40 m"/],
    ["population", -1, /cities\[0\]\.population: Too small: expected number to be >=0, found -1/],
    ["population", 1.5, /cities\[0\]\.population: expected int, received number, found 1\.5/],
    ["population", 1e9, /cities\[0\]\.population: Too big: expected number to be <=100000000/],
    ["admin1", "  ", /cities\[0\]\.admin1: Too small: expected string to have >=1 characters/],
    ["admin1", "x".repeat(101), /cities\[0\]\.admin1: Too big: expected string to have <=100 characters/],
    ["aliases", "Edo", /cities\[0\]\.aliases: expected array, received string, found "Edo"/],
    ["aliases", [""], /cities\[0\]\.aliases\[0\]: Too small: expected string to have >=1 characters/],
    ["aliases", ["Edo", 7], /cities\[0\]\.aliases\[1\]: expected string, received number, found 7/],
    ["aliases", Array.from({ length: 21 }, (_, i) => `Edo ${i}`), /cities\[0\]\.aliases: Too big/],
  ];
  for (const [field, value, pattern] of cases) {
    const file = twoCities();
    file.cities[0][field] = value;
    rejects(file, TypeError, pattern);
  }
  const bare = twoCities();
  for (const city of bare.cities) {
    for (const field of ["elevation", "population", "admin1", "aliases"]) delete city[field];
  }
  assert.equal(parseDataFile(JSON.stringify(bare), "bare.json").cities[0]!.aliases, undefined);
});

Deno.test("parseDataFile() rejects an alias that is another city's name or alias", () => {
  const file = twoCities();
  file.cities[1].aliases = ["Hanseong", "TŌKYŌ"];
  rejects(
    file,
    TypeError,
    /"broken\.json": cities\[1\]\.aliases\[1\]: alias "TŌKYŌ" names another city, same as cities\[0\]\.name "Tokyo"$/,
  );
  const aliasTwice = twoCities();
  aliasTwice.cities[0].aliases = ["Edo"];
  aliasTwice.cities[1].aliases = [" edo "];
  rejects(
    aliasTwice,
    TypeError,
    /cities\[1\]\.aliases\[0\]: alias "edo" names another city, same as cities\[0\]\.aliases\[0\] "Edo"$/,
  );
  const nameAfterAlias = twoCities();
  nameAfterAlias.cities[0].aliases = ["Edo", "Séoul"];
  rejects(
    nameAfterAlias,
    TypeError,
    /cities\[1\]\.name: duplicate city "Seoul", same as cities\[0\]\.aliases\[1\] "Séoul"$/,
  );
});

Deno.test("parseDataFile() rejects an alias that repeats its own city's name or alias", () => {
  const ownName = twoCities();
  ownName.cities[0].aliases = ["Edo", "tokyo"];
  rejects(
    ownName,
    TypeError,
    /cities\[0\]\.aliases\[1\]: alias "tokyo" is the city's own name, same as cities\[0\]\.name "Tokyo"$/,
  );
  const twice = twoCities();
  twice.cities[0].aliases = ["Edo", "EDO"];
  rejects(
    twice,
    TypeError,
    /cities\[0\]\.aliases\[1\]: alias "EDO" is listed twice, same as cities\[0\]\.aliases\[0\] "Edo"$/,
  );
});

Deno.test("parseDataFile() rejects a file without cities", () => {
  rejects({ cities: [] }, TypeError, /cities: Too small/);
  rejects([], TypeError, /\(root\): expected object, received array/);
});

Deno.test("parseDataFile() accepts a $schema reference and a byte order mark", () => {
  const file = { $schema: "./schema.json", ...twoCities() };
  assert.equal(parseDataFile("\uFEFF" + JSON.stringify(file), "ok.json").cities.length, 2);
});

Deno.test("parseDataFile() throws only SyntaxError or TypeError for arbitrary text", () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
    try {
      parseDataFile(text, "fuzz.json");
    } catch (error) {
      assert.ok(error instanceof SyntaxError || error instanceof TypeError, String(error));
      assert.match((error as Error).message, /"fuzz\.json"/);
    }
  }));
});

Deno.test("parseDataFile() locates the error in JSON cut short at any point", () => {
  const text = JSON.stringify(twoCities(), null, 2);
  fc.assert(fc.property(fc.integer({ min: 0, max: text.length - 1 }), (cut) => {
    assert.throws(() => parseDataFile(text.slice(0, cut), "cut.json"), (error: Error) => {
      assert.ok(error instanceof SyntaxError);
      const at = /line (\d+), column (\d+)$/.exec(error.message);
      assert.ok(at, error.message);
      assert.ok(Number(at[1]) <= text.slice(0, cut).split("\n").length);
      return true;
    });
  }));
});

Deno.test("formatJsonPath() writes indexes and odd keys readably", () => {
  assert.equal(formatJsonPath(["cities", 3, "current", "humidity"]), "cities[3].current.humidity");
  assert.equal(formatJsonPath(["a b"]), '["a b"]');
  assert.equal(formatJsonPath([]), "(root)");
});

Deno.test("readDataFile() explains a missing file, a directory and non-UTF-8 bytes", async () => {
  await assert.rejects(
    readDataFile("/nonexistent/weather.json"),
    /Cannot read data file "\/nonexistent\/weather\.json": no such file/,
  );
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(readDataFile(dir), new RegExp(`Cannot read data file "${dir}": `));
  } finally {
    await Deno.remove(dir);
  }
  await using latin1 = await tempFile(new Uint8Array([0x7b, 0xe9, 0x7d]));
  await assert.rejects(readDataFile(latin1.path), /is not UTF-8 text/);
});

/** What `parse` gives for `text`: the file, or the class and message of its error. */
function outcome(parse: () => unknown): unknown {
  try {
    return { file: parse() };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

/** Asserts that parseDataBytes() on the UTF-8 of `text` does exactly what parseDataFile() does. */
function agrees(text: string) {
  assert.deepEqual(
    outcome(() => parseDataBytes(new TextEncoder().encode(text), "same.json")),
    outcome(() => parseDataFile(text, "same.json")),
    text.length > 300 ? `${text.slice(0, 300)}...` : text,
  );
}

Deno.test("parseDataBytes() gives the cities of parseDataFile() for valid files of any layout", () => {
  const file = { $schema: "./schema.json", ...twoCities() };
  file.cities[0].name = "  Tōkyō  ";
  agrees(JSON.stringify(file));
  agrees(JSON.stringify(file, null, 2));
  agrees("\uFEFF" + JSON.stringify(file, null, "\t").replaceAll("\n", "\r\n"));
  agrees(JSON.stringify({ cities: file.cities, $schema: "x" }));
  agrees(
    JSON.stringify({
      cities: [
        ...valid.cities,
        ...valid.cities.map((c: { name: string }) => ({ ...c, name: `${c.name} 2`, aliases: [] })),
      ],
    }),
  );
  agrees(JSON.stringify({ cities: file.cities, extra: { cities: [] } }));
  agrees('{"citi\\u0065s": ' + JSON.stringify(file.cities) + "}");
  const withUnknown = twoCities();
  (withUnknown.cities[0] as Record<string, unknown>).notes = [1, { "}": "]" }];
  agrees(JSON.stringify(withUnknown));
});

Deno.test("parseDataBytes() reports the errors of parseDataFile() word for word", () => {
  const bad = twoCities();
  bad.cities[1].current.humidity = "wet";
  agrees(JSON.stringify(bad, null, 2));
  const duplicate = twoCities();
  duplicate.cities[1].name = duplicate.cities[0].name.toUpperCase();
  agrees(JSON.stringify(duplicate));
  const alias = twoCities();
  alias.cities[1].aliases = ["Hanseong", "tokyo"];
  agrees(JSON.stringify(alias));
  const range = twoCities();
  range.cities[0].population = -1;
  agrees(JSON.stringify(range));
  const text = JSON.stringify(twoCities(), null, 2);
  agrees(text.replace("\n  ]", ",\n  ]"));
  agrees(text.replace("{", '{"cities": [],'));
  agrees(text.replace(/}\s*$/, "} x"));
  agrees(text.replace('"name"', '"name\\q"'));
  agrees(JSON.stringify({ $schema: 1, ...twoCities() }));
  agrees(JSON.stringify({ cities: [] }));
  agrees(JSON.stringify({ cities: [1, 2] }));
  agrees("{}");
  agrees("[]");
  agrees("");
  assert.throws(
    () => parseDataBytes(new Uint8Array([0x7b, 0xe9, 0x7d]), "latin1.json"),
    /Cannot parse "latin1\.json" as JSON: the file is not UTF-8 text/,
  );
});

Deno.test("parseDataBytes() agrees with parseDataFile() on arbitrary and damaged files", () => {
  const text = JSON.stringify(twoCities(), null, 2);
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), agrees));
  fc.assert(fc.property(
    fc.integer({ min: 0, max: text.length - 1 }),
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom("", "}", "]", "{", "[", ",", '"', "\\", " ", "1", "null", "é", "\n"),
    (at, remove, insert) => agrees(text.slice(0, at) + insert + text.slice(at + remove)),
  ));
});

Deno.test("parseDataBytes() reads a file of many batches of cities like parseDataFile()", () => {
  const text = formatWeatherFile(generateWeatherFile({ cities: 3000, seed: 5 }));
  agrees(text);
  const bad = text.replace(
    /"humidity": \d+/g,
    (match, offset) => offset > text.length * 0.9 ? '"humidity": -1' : match,
  );
  agrees(bad);
});

Deno.test("parseDataFile() reads a city's scenarios, with the default ramp", () => {
  const file = twoCities();
  file.cities[0].scenarios = [
    { from: "+1d12h", to: "+1d18h", set: { weather_code: 95, precipitation: 4 } },
    {
      from: "2026-12-07T00:00:00+01:00",
      to: "2026-12-09T00:00:00+01:00",
      ramp_hours: 12,
      set: { temperature_max: 38, temperature_min: 24 },
    },
  ];
  const [city] = parseDataFile(JSON.stringify(file), "ok.json").cities;
  assert.equal(city!.scenarios!.length, 2);
  assert.equal(city!.scenarios![0]!.ramp_hours, 2);
  assert.equal((city!.scenarios![1] as WindowScenario).set.temperature_max, 38);
  assert.equal(
    parseDataBytes(new TextEncoder().encode(JSON.stringify(file)), "ok.json").cities[0]!.scenarios!.length,
    2,
  );
});

Deno.test("parseDataFile() gives the JSON path and reason of a bad scenario", () => {
  const time = twoCities();
  time.cities[1].scenarios = [{ from: "tomorrow", to: "+2d", set: { temperature: 20 } }];
  rejects(
    time,
    TypeError,
    /"broken\.json": cities\[1\]\.scenarios\[0\]\.from: expected a time like "\+1d12h"/,
  );
  const order = twoCities();
  order.cities[0].scenarios = [{ from: "+2d", to: "+1d", set: { temperature: 20 } }];
  rejects(order, TypeError, /cities\[0\]\.scenarios\[0\]\.to: expected "to" \(\+1d\) after "from" \(\+2d\)/);
  const code = twoCities();
  code.cities[0].scenarios = [{ from: "+1h", to: "+3h", set: { weather_code: 0, precipitation: 3 } }];
  rejects(
    code,
    TypeError,
    /cities\[0\]\.scenarios\[0\]\.set: weather_code 0 \("Clear sky"\) needs precipitation 0-0 mm\/h/,
  );
  const unknown = twoCities();
  unknown.cities[0].scenarios = [{ from: "+1h", to: "+3h", set: { temprature: 20 } }];
  rejects(unknown, TypeError, /cities\[0\]\.scenarios\[0\]\.set: unknown field "temprature"/);
});
