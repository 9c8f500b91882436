import {
  encodeFlatBuffers,
  type OmLocation,
  type OmSection,
} from "../src/dialects/open_meteo_flatbuffers.ts";

const HOURLY = [
  ["temperature_2m", "°C"],
  ["relative_humidity_2m", "%"],
  ["dew_point_2m", "°C"],
  ["precipitation", "mm"],
  ["weather_code", "wmo code"],
  ["cloud_cover", "%"],
  ["pressure_msl", "hPa"],
  ["wind_speed_10m", "km/h"],
  ["wind_direction_10m", "°"],
  ["uv_index", ""],
] as const;
const DAILY = [
  ["weather_code", "wmo code"],
  ["temperature_2m_max", "°C"],
  ["temperature_2m_min", "°C"],
  ["sunrise", "iso8601"],
  ["sunset", "iso8601"],
  ["precipitation_sum", "mm"],
  ["wind_speed_10m_max", "km/h"],
] as const;

const t0 = Date.UTC(2026, 10, 23) / 1000 - 3600;
const series = (length: number, i: number) =>
  Float64Array.from({ length }, (_, j) => 10 + Math.sin(i + j / 7) * 9);
const section = (
  interval: number,
  length: number,
  names: readonly (readonly [string, string])[],
): OmSection => ({
  time: t0,
  interval,
  length,
  variables: names.map(([name, unit], i) => ({
    name,
    unit,
    values: unit === "iso8601"
      ? Float64Array.from({ length }, (_, j) => t0 + j * 86_400 + 27_000)
      : series(length, i),
  })),
});

const location: OmLocation = {
  latitude: 52.52,
  longitude: 13.41,
  elevation: 38,
  generationTimeMs: 0.2,
  locationId: 0,
  utcOffsetSeconds: 3600,
  timezone: "Europe/Berlin",
  timezoneAbbreviation: "GMT+1",
  hourly: section(3600, 16 * 24, HOURLY),
};
const full: OmLocation = {
  ...location,
  current: section(900, 1, HOURLY),
  daily: section(86_400, 16, DAILY),
};

Deno.bench(
  "encodeFlatBuffers(): 16 days of 10 hourly variables",
  { group: "flatbuffers", baseline: true },
  () => {
    encodeFlatBuffers([location]);
  },
);

Deno.bench("encodeFlatBuffers(): current, 16 days of 10 hourly and 7 daily variables", {
  group: "flatbuffers",
}, () => {
  encodeFlatBuffers([full]);
});

Deno.bench(
  "encodeFlatBuffers(): 10 locations of 16 days of 10 hourly variables",
  { group: "flatbuffers" },
  () => {
    encodeFlatBuffers(Array.from({ length: 10 }, (_, i) => ({ ...location, locationId: i })));
  },
);
