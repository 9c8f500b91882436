import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteBuffer } from "flatbuffers";
import { Aggregation } from "@openmeteo/sdk/aggregation.js";
import { Model } from "@openmeteo/sdk/model.js";
import { Unit } from "@openmeteo/sdk/unit.js";
import { Variable } from "@openmeteo/sdk/variable.js";
import type { VariablesWithTime } from "@openmeteo/sdk/variables-with-time.js";
import { WeatherApiResponse } from "@openmeteo/sdk/weather-api-response.js";
import { fetchWeatherApi } from "openmeteo";
import {
  encodeFlatBuffers,
  FLATBUFFERS_UNITS,
  FLATBUFFERS_VARIABLES,
  type OmLocation,
  type OmSection,
} from "../src/dialects/open_meteo_flatbuffers.ts";
import { OPEN_METEO_DAILY, OPEN_METEO_HOURLY } from "../src/model/variables.ts";

const HOUR = 3600, DAY = 86_400;
const T0 = Date.UTC(2026, 10, 23) / 1000 - HOUR; // Local midnight in Berlin (UTC+1), unix seconds.

/** Decodes a body as the `openmeteo` package does: size-prefixed messages, back to back. */
function decode(body: Uint8Array): WeatherApiResponse[] {
  const bb = new ByteBuffer(body);
  const responses: WeatherApiResponse[] = [];
  let pos = 0;
  while (pos < bb.capacity()) {
    bb.setPosition(pos);
    const length = bb.readInt32(bb.position());
    responses.push(WeatherApiResponse.getSizePrefixedRootAsWeatherApiResponse(bb));
    pos += length + 4;
  }
  return responses;
}

/** The float32 a value reads back as. */
const f32 = (values: ArrayLike<number>): number[] => Array.from(values, Math.fround);

/**
 * Whether a scalar reads back as the float32 of `want`. A scalar equal to its default 0 is not
 * written (FlatBuffers builders skip defaults, Open-Meteo's too), so -0 reads back as 0.
 */
const sameScalar = (got: number, want: number): boolean =>
  Number.isNaN(want) ? Number.isNaN(got) : got === Math.fround(want);

const berlin: OmLocation = {
  latitude: 52.52,
  longitude: 13.419998,
  elevation: 38,
  generationTimeMs: 0.123,
  locationId: 0,
  utcOffsetSeconds: 3600,
  timezone: "Europe/Berlin",
  timezoneAbbreviation: "GMT+1",
  current: {
    time: T0 + 11 * HOUR + 900,
    interval: 900,
    length: 1,
    variables: [
      { name: "temperature_2m", unit: "°C", values: [4.37] },
      { name: "is_day", unit: "", values: [1] },
      { name: "uv_index", unit: "", values: [0.4] },
      { name: "wind_speed_10m", unit: "km/h", values: [0] },
      { name: "precipitation", unit: "mm", values: [NaN] },
    ],
  },
  hourly: {
    time: T0,
    interval: HOUR,
    length: 3,
    variables: [
      { name: "temperature_2m", unit: "°F", values: [39.87, 39.2, -0.04] },
      { name: "wind_gusts_10m", unit: "mp/h", values: new Float64Array([12.3456789, 0, NaN]) },
      { name: "visibility", unit: "ft", values: [24_000, 1e-7, 3.4e38] },
    ],
  },
  daily: {
    time: T0,
    interval: DAY,
    length: 2,
    variables: [
      { name: "temperature_2m_max", unit: "°C", values: [6.1, 7.25] },
      { name: "sunrise", unit: "iso8601", values: [T0 + 7 * HOUR + 1234, NaN] },
      { name: "sunset", unit: "unixtime", values: [T0 + 16 * HOUR + 0.9, T0 + DAY + 16 * HOUR] },
      { name: "wind_direction_10m_dominant", unit: "°", values: [271.5, 3] },
      { name: "precipitation_sum", unit: "inch", values: [0.0125, 0] },
    ],
  },
};

Deno.test("encodeFlatBuffers() writes a location's header as the SDK reads it", () => {
  const [response, ...rest] = decode(encodeFlatBuffers([berlin]));
  assert.equal(rest.length, 0);
  assert.ok(response);
  assert.equal(response.latitude(), Math.fround(52.52));
  assert.equal(response.longitude(), Math.fround(13.419998));
  assert.equal(response.elevation(), 38);
  assert.equal(response.generationTimeMilliseconds(), Math.fround(0.123));
  assert.equal(response.locationId(), 0n);
  assert.equal(response.model(), Model.best_match);
  assert.equal(response.utcOffsetSeconds(), 3600);
  assert.equal(response.timezone(), "Europe/Berlin");
  assert.equal(response.timezoneAbbreviation(), "GMT+1");
  assert.equal(response.minutely15(), null);
  assert.equal(response.monthly(), null);
  assert.equal(response.weekly(), null);
});

Deno.test("encodeFlatBuffers() writes the model it is given and NaN coordinates", () => {
  const location = { ...berlin, latitude: NaN, longitude: NaN, elevation: NaN, locationId: 7 };
  const [response] = decode(encodeFlatBuffers([location], Model.icon_seamless));
  assert.equal(response!.model(), Model.icon_seamless);
  assert.ok(Number.isNaN(response!.latitude()));
  assert.ok(Number.isNaN(response!.longitude()));
  assert.ok(Number.isNaN(response!.elevation()));
  assert.equal(response!.locationId(), 7n);
});

Deno.test("encodeFlatBuffers() omits GMT time zone strings, as Open-Meteo does", () => {
  const gmt = { ...berlin, utcOffsetSeconds: 0, timezone: "GMT", timezoneAbbreviation: "GMT" };
  const [response] = decode(encodeFlatBuffers([gmt]));
  assert.equal(response!.timezone(), null);
  assert.equal(response!.timezoneAbbreviation(), null);
  assert.equal(response!.utcOffsetSeconds(), 0);
  const [london] = decode(encodeFlatBuffers([{ ...gmt, timezone: "Europe/London" }]));
  assert.equal(london!.timezone(), "Europe/London");
  assert.equal(london!.timezoneAbbreviation(), null);
});

/** Each variable of a section as plain data; NaN scalars as "NaN", so that they compare. */
function variablesOf(section: VariablesWithTime) {
  return Array.from({ length: section.variablesLength() }, (_, i) => {
    const v = section.variables(i)!;
    const values = v.valuesArray();
    return {
      meta: [v.variable(), v.unit(), v.altitude(), v.aggregation()],
      value: Number.isNaN(v.value()) ? "NaN" : v.value(),
      values: values === null ? null : Array.from(values),
      valuesInt64: Array.from({ length: v.valuesInt64Length() }, (_, j) => v.valuesInt64(j)),
    };
  });
}

/** What {@linkcode variablesOf} answers for a variable with this metadata and data. */
const row = (
  variable: Variable,
  unit: Unit,
  altitude: number,
  aggregation: Aggregation,
  data: { value?: number | "NaN"; values?: number[]; valuesInt64?: bigint[] },
) => ({
  meta: [variable, unit, altitude, aggregation],
  value: data.value ?? 0,
  values: data.values ?? null,
  valuesInt64: data.valuesInt64 ?? [],
});

const { none, maximum, dominant, sum } = Aggregation;

Deno.test("encodeFlatBuffers() writes current values as scalars over one 15-minute step", () => {
  const current = decode(encodeFlatBuffers([berlin]))[0]!.current()!;
  assert.equal(current.time(), BigInt(T0 + 11 * HOUR + 900));
  assert.equal(current.timeEnd(), BigInt(T0 + 11 * HOUR + 1800));
  assert.equal(current.interval(), 900);
  assert.deepEqual(variablesOf(current), [
    row(Variable.temperature, Unit.celsius, 2, none, { value: Math.fround(4.37) }),
    row(Variable.is_day, Unit.dimensionless_integer, 0, none, { value: 1 }),
    row(Variable.uv_index, Unit.dimensionless, 0, none, { value: Math.fround(0.4) }),
    row(Variable.wind_speed, Unit.kilometres_per_hour, 10, none, { value: 0 }),
    row(Variable.precipitation, Unit.millimetre, 0, none, { value: "NaN" }),
  ]);
});

Deno.test("encodeFlatBuffers() writes hourly series as float32 values, unrounded, NaN kept", () => {
  const hourly = decode(encodeFlatBuffers([berlin]))[0]!.hourly()!;
  assert.equal(hourly.time(), BigInt(T0));
  assert.equal(hourly.timeEnd(), BigInt(T0 + 3 * HOUR));
  assert.equal(hourly.interval(), HOUR);
  assert.deepEqual(variablesOf(hourly), [
    row(Variable.temperature, Unit.fahrenheit, 2, none, { values: f32([39.87, 39.2, -0.04]) }),
    row(Variable.wind_gusts, Unit.miles_per_hour, 10, none, { values: f32([12.3456789, 0, NaN]) }),
    row(Variable.visibility, Unit.feet, 0, none, { values: f32([24_000, 1e-7, 3.4e38]) }),
  ]);
});

Deno.test("encodeFlatBuffers() writes sunrise and sunset as int64 seconds, a missing one as the day's start", () => {
  const daily = decode(encodeFlatBuffers([berlin]))[0]!.daily()!;
  assert.equal(daily.time(), BigInt(T0));
  assert.equal(daily.timeEnd(), BigInt(T0 + 2 * DAY));
  assert.equal(daily.interval(), DAY);
  const sunrise = [BigInt(T0 + 7 * HOUR + 1234), BigInt(T0 + DAY)];
  const sunset = [BigInt(T0 + 16 * HOUR), BigInt(T0 + DAY + 16 * HOUR)];
  assert.deepEqual(variablesOf(daily), [
    row(Variable.temperature, Unit.celsius, 2, maximum, { values: f32([6.1, 7.25]) }),
    row(Variable.sunrise, Unit.iso8601, 0, none, { valuesInt64: sunrise }),
    row(Variable.sunset, Unit.unix_time, 0, none, { valuesInt64: sunset }),
    row(Variable.wind_direction, Unit.degree_direction, 10, dominant, { values: f32([271.5, 3]) }),
    row(Variable.precipitation, Unit.inch, 0, sum, { values: f32([0.0125, 0]) }),
  ]);
});

Deno.test("encodeFlatBuffers() writes absent sections as null", () => {
  const { current: _c, hourly: _h, daily: _d, ...bare } = berlin;
  const [response] = decode(encodeFlatBuffers([bare]));
  assert.equal(response!.current(), null);
  assert.equal(response!.hourly(), null);
  assert.equal(response!.daily(), null);
  assert.equal(response!.timezone(), "Europe/Berlin");
});

Deno.test("encodeFlatBuffers() concatenates one 8-byte-aligned message per location, in order", () => {
  const { current: _c, hourly: _h, daily: _d, ...bare } = berlin;
  // Odd lengths and strings, and a message without int64 fields, shift every later message.
  const odd: OmSection = {
    time: T0,
    interval: HOUR,
    length: 1,
    variables: [{ name: "cloud_cover", unit: "%", values: [55] }],
  };
  const locations: OmLocation[] = [
    { ...bare, timezone: "GMT", timezoneAbbreviation: "GMT" },
    { ...berlin, locationId: 1, timezone: "America/Argentina/Buenos_Aires", timezoneAbbreviation: "GMT-3" },
    { ...bare, locationId: 2, hourly: odd, timezone: "Asia/Tokyo", timezoneAbbreviation: "JST" },
    { ...berlin, locationId: 3 },
  ];
  const body = encodeFlatBuffers(locations);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let pos = 0, n = 0; pos < body.length; n++) {
    assert.equal(pos % 8, 0, `message ${n} starts at ${pos}`);
    pos += view.getUint32(pos, true) + 4;
    assert.ok(pos <= body.length);
  }
  const responses = decode(body);
  assert.deepEqual(responses.map((r) => r.locationId()), [0n, 1n, 2n, 3n]);
  assert.deepEqual(responses.map((r) => r.timezone()), [null, ...locations.slice(1).map((l) => l.timezone)]);
  assert.deepEqual(Array.from(responses[2]!.hourly()!.variables(0)!.valuesArray()!), [55]);
  for (const i of [1, 3]) {
    assert.deepEqual(
      variablesOf(responses[i]!.hourly()!),
      variablesOf(decode(encodeFlatBuffers([berlin]))[0]!.hourly()!),
    );
    assert.deepEqual(Array.from(responses[i]!.daily()!.variables(0)!.valuesArray()!), f32([6.1, 7.25]));
  }
});

Deno.test("encodeFlatBuffers() pads each message to a multiple of 8 bytes, also without int64 fields", () => {
  const { current: _c, hourly: _h, daily: _d, ...bare } = berlin;
  for (let n = 1; n <= 8; n++) {
    const body = encodeFlatBuffers([{ ...bare, timezone: "X".repeat(n), timezoneAbbreviation: "GMT" }]);
    assert.equal(body.length % 8, 0, `timezone of ${n} characters`);
    assert.equal(decode(body)[0]!.timezone(), "X".repeat(n));
  }
});

Deno.test("encodeFlatBuffers() answers the same bytes each time, also after a failed call", () => {
  const first = encodeFlatBuffers([berlin, berlin]);
  assert.throws(
    () => encodeFlatBuffers([{ ...berlin, hourly: { ...berlin.hourly!, length: 4 } }]),
    RangeError,
  );
  assert.deepEqual(encodeFlatBuffers([berlin, berlin]), first);
  assert.equal(encodeFlatBuffers([]).length, 0);
  assert.deepEqual(decode(encodeFlatBuffers([])), []);
});

Deno.test("encodeFlatBuffers() rejects unknown names and units, wrong lengths and times in current", () => {
  const section = (variables: OmSection["variables"], length = 1): OmSection => ({
    time: T0,
    interval: HOUR,
    length,
    variables,
  });
  const cases: [OmLocation, RegExp][] = [
    [
      { ...berlin, hourly: section([{ name: "snow_depth", unit: "m", values: [0] }]) },
      /variable "snow_depth": no FlatBuffers variable/,
    ],
    [
      { ...berlin, hourly: section([{ name: "constructor", unit: "m", values: [0] }]) },
      /variable "constructor"/,
    ],
    [
      { ...berlin, hourly: section([{ name: "temperature_2m", unit: "K", values: [0] }]) },
      /unknown unit "K"/,
    ],
    [
      { ...berlin, hourly: section([{ name: "rain", unit: "mm", values: [0, 1] }]) },
      /"rain": 2 values for 1 steps/,
    ],
    [
      { ...berlin, current: section([{ name: "sunrise", unit: "iso8601", values: [T0] }]) },
      /"sunrise": a time cannot be a current value/,
    ],
  ];
  for (const [location, message] of cases) {
    assert.throws(() => encodeFlatBuffers([location]), { name: "RangeError", message });
  }
});

Deno.test("FLATBUFFERS_VARIABLES describes every variable of the model as Open-Meteo does", () => {
  for (const name of [...Object.values(OPEN_METEO_HOURLY), ...Object.values(OPEN_METEO_DAILY)]) {
    assert.ok(FLATBUFFERS_VARIABLES.has(name), name);
  }
  const expected: [string, Variable, number, Aggregation][] = [
    ["temperature_2m", Variable.temperature, 2, Aggregation.none],
    ["apparent_temperature", Variable.apparent_temperature, 2, Aggregation.none],
    ["relative_humidity_2m", Variable.relative_humidity, 2, Aggregation.none],
    ["dew_point_2m", Variable.dew_point, 2, Aggregation.none],
    ["wind_direction_10m", Variable.wind_direction, 10, Aggregation.none],
    ["is_day", Variable.is_day, 0, Aggregation.none],
    ["sunshine_duration", Variable.sunshine_duration, 0, Aggregation.none],
    ["temperature", Variable.temperature, 2, Aggregation.none],
    ["windspeed", Variable.wind_speed, 10, Aggregation.none],
    ["winddirection", Variable.wind_direction, 10, Aggregation.none],
    ["weathercode", Variable.weather_code, 0, Aggregation.none],
    ["apparent_temperature_min", Variable.apparent_temperature, 2, Aggregation.minimum],
    ["sunset", Variable.sunset, 0, Aggregation.none],
    ["daylight_duration", Variable.daylight_duration, 0, Aggregation.none],
    ["precipitation_hours", Variable.precipitation_hours, 0, Aggregation.none],
    ["uv_index_max", Variable.uv_index, 0, Aggregation.maximum],
    ["snowfall_sum", Variable.snowfall, 0, Aggregation.sum],
    ["precipitation_probability_max", Variable.precipitation_probability, 0, Aggregation.maximum],
    ["wind_gusts_10m_max", Variable.wind_gusts, 10, Aggregation.maximum],
    ["wind_direction_10m_dominant", Variable.wind_direction, 10, Aggregation.dominant],
  ];
  for (const [name, variable, altitude, aggregation] of expected) {
    const meta = FLATBUFFERS_VARIABLES.get(name);
    assert.deepEqual(
      { ...meta, unit: undefined },
      { variable, altitude, aggregation, unit: undefined },
      name,
    );
  }
  assert.equal(FLATBUFFERS_VARIABLES.get("is_day")!.unit, Unit.dimensionless_integer);
  assert.deepEqual([...FLATBUFFERS_VARIABLES.values()].filter((m) => m.unit !== undefined).length, 1);
});

Deno.test("FLATBUFFERS_UNITS maps each Open-Meteo unit string to the SDK's unit", () => {
  assert.deepEqual(Object.fromEntries(FLATBUFFERS_UNITS), {
    "°C": Unit.celsius,
    "°F": Unit.fahrenheit,
    "km/h": Unit.kilometres_per_hour,
    "mp/h": Unit.miles_per_hour,
    "m/s": Unit.metre_per_second,
    "kn": Unit.knots,
    "mm": Unit.millimetre,
    "inch": Unit.inch,
    "cm": Unit.centimetre,
    "ft": Unit.feet,
    "m": Unit.metre,
    "%": Unit.percentage,
    "hPa": Unit.hectopascal,
    "°": Unit.degree_direction,
    "wmo code": Unit.wmo_code,
    "s": Unit.seconds,
    "h": Unit.hours,
    "": Unit.dimensionless,
    "iso8601": Unit.iso8601,
    "unixtime": Unit.unix_time,
  });
});

const TIME_UNITS = ["iso8601", "unixtime"];
const FLOAT_NAMES = [...FLATBUFFERS_VARIABLES.keys()].filter((n) => n !== "sunrise" && n !== "sunset");
const FLOAT_UNITS = [...FLATBUFFERS_UNITS.keys()].filter((u) => !TIME_UNITS.includes(u));

const seriesVariable = (length: number, timed: boolean) =>
  timed
    ? fc.record({
      name: fc.constantFrom("sunrise", "sunset"),
      unit: fc.constantFrom(...TIME_UNITS),
      values: fc.array(fc.oneof(fc.integer({ min: -1e11, max: 1e11 }), fc.constant(NaN)), {
        minLength: length,
        maxLength: length,
      }),
    })
    : fc.record({
      name: fc.constantFrom(...FLOAT_NAMES),
      unit: fc.constantFrom(...FLOAT_UNITS),
      values: fc.array(fc.double(), { minLength: length, maxLength: length }),
    });

const section = (interval: number, single: boolean) =>
  fc.integer({ min: single ? 1 : 0, max: single ? 1 : 40 }).chain((length) =>
    fc.record({
      time: fc.integer({ min: -1e10, max: 1e10 }),
      interval: fc.constant(interval),
      length: fc.constant(length),
      variables: fc.array(fc.boolean().chain((timed) => seriesVariable(length, timed && !single)), {
        maxLength: 6,
      }),
    })
  );

const location: fc.Arbitrary<OmLocation> = fc.record({
  latitude: fc.double(),
  longitude: fc.double(),
  elevation: fc.double(),
  generationTimeMs: fc.double({ min: 0, max: 1e4, noNaN: true }),
  locationId: fc.integer({ min: 0, max: 1e9 }),
  utcOffsetSeconds: fc.integer({ min: -50_400, max: 50_400 }),
  timezone: fc.oneof(fc.constant("GMT"), fc.string()),
  timezoneAbbreviation: fc.oneof(fc.constant("GMT"), fc.string()),
  current: fc.option(section(900, true), { nil: undefined }),
  hourly: fc.option(section(HOUR, false), { nil: undefined }),
  daily: fc.option(section(DAY, false), { nil: undefined }),
});

function assertSection(got: VariablesWithTime | null, want: OmSection | undefined, single: boolean): void {
  if (want === undefined) return assert.equal(got, null);
  assert.ok(got);
  assert.equal(got.time(), BigInt(want.time));
  assert.equal(got.timeEnd(), BigInt(want.time + want.length * want.interval));
  assert.equal(got.interval(), want.interval);
  assert.equal(got.variablesLength(), want.variables.length);
  want.variables.forEach((v, i) => {
    const g = got.variables(i)!;
    const meta = FLATBUFFERS_VARIABLES.get(v.name)!;
    assert.equal(g.variable(), meta.variable);
    assert.equal(g.altitude(), meta.altitude);
    assert.equal(g.aggregation(), meta.aggregation);
    assert.equal(g.unit(), meta.unit ?? FLATBUFFERS_UNITS.get(v.unit));
    if (TIME_UNITS.includes(v.unit)) {
      const want64 = Array.from(
        v.values,
        (x, j) => BigInt(Number.isNaN(x) ? want.time + j * want.interval : x),
      );
      assert.deepEqual(Array.from({ length: g.valuesInt64Length() }, (_, j) => g.valuesInt64(j)), want64);
      assert.equal(g.valuesArray(), null);
    } else if (single) {
      assert.ok(sameScalar(g.value(), v.values[0]!), `${g.value()} ${v.values[0]}`);
      assert.equal(g.valuesArray(), null);
    } else {
      assert.deepEqual(Array.from(g.valuesArray()!), f32(v.values));
      assert.equal(g.valuesInt64Length(), 0);
    }
  });
}

Deno.test("encodeFlatBuffers() round-trips random locations through the SDK's reader", () => {
  fc.assert(
    fc.property(
      fc.array(location, { maxLength: 4 }),
      fc.constantFrom(Model.best_match, Model.gfs_seamless),
      (locations, model) => {
        const responses = decode(encodeFlatBuffers(locations, model));
        assert.equal(responses.length, locations.length);
        locations.forEach((want, i) => {
          const got = responses[i]!;
          assert.ok(sameScalar(got.latitude(), want.latitude));
          assert.ok(sameScalar(got.longitude(), want.longitude));
          assert.ok(sameScalar(got.elevation(), want.elevation));
          assert.equal(got.generationTimeMilliseconds(), Math.fround(want.generationTimeMs));
          assert.equal(got.locationId(), BigInt(want.locationId));
          assert.equal(got.model(), model);
          assert.equal(got.utcOffsetSeconds(), want.utcOffsetSeconds);
          assert.equal(got.timezone(), want.timezone === "GMT" ? null : want.timezone);
          assert.equal(
            got.timezoneAbbreviation(),
            want.timezoneAbbreviation === "GMT" ? null : want.timezoneAbbreviation,
          );
          assertSection(got.current(), want.current, true);
          assertSection(got.hourly(), want.hourly, false);
          assertSection(got.daily(), want.daily, false);
        });
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("fetchWeatherApi() from the openmeteo package reads encodeFlatBuffers() bodies over HTTP", async () => {
  const requests: { method: string; url: string }[] = [];
  const tokyo: OmLocation = {
    ...berlin,
    latitude: 35.69,
    longitude: 139.69,
    locationId: 1,
    utcOffsetSeconds: 32_400,
    timezone: "Asia/Tokyo",
    timezoneAbbreviation: "JST",
  };
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    requests.push({ method: req.method, url: req.url });
    return new Response(encodeFlatBuffers([berlin, tokyo]), {
      headers: { "content-type": "application/octet-stream" },
    });
  });
  const base = `http://127.0.0.1:${server.addr.port}/v1/forecast`;
  const responses = await fetchWeatherApi(base, {
    latitude: [52.52, 35.69],
    longitude: [13.41, 139.69],
    hourly: ["temperature_2m", "wind_gusts_10m", "visibility"],
    daily: "temperature_2m_max,sunrise",
  });
  assert.deepEqual(requests, [{
    method: "GET",
    url: `${base}?latitude=52.52%2C35.69&longitude=13.41%2C139.69` +
      `&hourly=temperature_2m%2Cwind_gusts_10m%2Cvisibility&daily=temperature_2m_max%2Csunrise&format=flatbuffers`,
  }]);
  assert.equal(responses.length, 2);
  const [first, second] = responses;
  assert.equal(first!.timezone(), "Europe/Berlin");
  assert.equal(second!.timezone(), "Asia/Tokyo");
  assert.equal(second!.locationId(), 1n);
  assert.equal(second!.utcOffsetSeconds(), 32_400);
  // The README's pattern: variables by index, times rebuilt from time, timeEnd and interval.
  const hourly = first!.hourly()!;
  const times = [];
  for (let t = Number(hourly.time()); t < Number(hourly.timeEnd()); t += hourly.interval()) times.push(t);
  assert.deepEqual(times, [T0, T0 + HOUR, T0 + 2 * HOUR]);
  assert.deepEqual(Array.from(hourly.variables(0)!.valuesArray()!), f32([39.87, 39.2, -0.04]));
  assert.equal(first!.current()!.variables(0)!.value(), Math.fround(4.37));
  assert.equal(second!.daily()!.variables(1)!.valuesInt64(0), BigInt(T0 + 7 * HOUR + 1234));
});

Deno.test("fetchWeatherApi() from the openmeteo package throws the reason of a 400 answer", async () => {
  const reason = "Cannot initialize WeatherVariable from invalid String value temperature_3m for key hourly";
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => Response.json({ error: true, reason }, { status: 400 }),
  );
  await assert.rejects(
    fetchWeatherApi(`http://127.0.0.1:${server.addr.port}/v1/forecast`, {
      latitude: 52.52,
      longitude: 13.41,
      hourly: "temperature_3m",
    }),
    { name: "Error", message: reason },
  );
});
