/**
 * Scenarios: explicit weather a city carries in the data file ("thunderstorms in Tokyo tomorrow
 * afternoon", "a heat wave in Madrid next week"), which the model honours exactly inside the
 * scenario's window and blends into smoothly at its edges.
 *
 * Design:
 * - A window is `from` (inclusive) to `to` (exclusive). Each end is an absolute ISO 8601 time with
 *   its offset, or relative to the clock: `"+3h"`, `"-90m"`, `"+1h30m"` count from the clock's
 *   15-minute slot (the model's "now"); a day count makes it calendar time in the city's zone, counted from the local midnight
 *   of that day: `"+1d12h"` is tomorrow at 12:00 (12 hours after midnight, which on a
 *   daylight-saving change day is 11:00 or 13:00 on the wall clock), `"+0d"` today's local midnight
 *   and `"-2d6h"` the day before yesterday at 06:00.
 * - `set` holds the values, in the model's variable names and metric units. Hourly values apply
 *   to every instant of the window. `temperature_max` and `temperature_min` (given together) are
 *   daily: the window then covers whole local days, and each day's hours follow the model's
 *   diurnal shape between exactly that minimum and maximum.
 * - Outside the window the scenario fades out over `ramp_hours` (a smoothstep). For temperature
 *   the ramp is lengthened where the scenario's temperature is far from the model's, so that the
 *   ramp adds no more than about 2 °C an hour (and no hour-to-hour step exceeds 6 °C).
 * - The rest of the hour is made consistent with what the scenario sets: dew point, humidity,
 *   apparent temperature, rain/showers/snowfall, visibility and the weather code follow from it.
 *   A `weather_code` brings its own requirements (cloud, precipitation and its kind, temperature
 *   range, visibility), so `{ weather_code: 95 }` alone gives showers with thunder.
 * - Scenarios come after the file's `current` (which anchors the clock's instant), and a later
 *   scenario in the list wins over an earlier one where windows overlap.
 * @module
 */

import { z } from "zod";
import { WMO_CODES } from "../wmo.ts";
import { CODE_REQUIREMENTS } from "./physics.ts";
import { HOURLY_LIMITS, HOURLY_VARIABLES, type HourlyVariable } from "./variables.ts";

const RELATIVE = /^([+-])(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$/;
const ISO = z.iso.datetime({ offset: true, local: false });

/** True when `text` is a relative time of a scenario ("+3h", "+1d12h", "-2d"). */
function isRelative(text: string): boolean {
  const m = RELATIVE.exec(text);
  return m !== null && (m[2] !== undefined || m[3] !== undefined || m[4] !== undefined);
}

/**
 * A scenario time as [kind, minutes] where two of one kind compare without the clock: absolute
 * times (minutes since 1970), clock-relative ones and calendar-relative ones.
 */
function comparable(text: string): readonly [string, number] | undefined {
  const m = RELATIVE.exec(text);
  if (m === null || !isRelative(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ["absolute", ms / 60_000];
  }
  const sign = m[1] === "-" ? -1 : 1;
  const clock = Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[2] === undefined ? ["clock", sign * clock] : ["calendar", sign * Number(m[2]) * 1440 + clock];
}

/** One end of a scenario window: an ISO 8601 time with offset, or a time relative to the clock. */
export const ScenarioTimeSchema = z.string().refine((s) => isRelative(s) || ISO.safeParse(s).success, {
  error: (issue) =>
    `expected a time like "+1d12h" (tomorrow 12:00 local), "+3h" (in 3 hours) or "2026-11-24T15:00:00+09:00": got ${
      JSON.stringify(issue.input)
    }`,
});

const codes = [...WMO_CODES.keys()];

/** The values a scenario may set, in the model's names and metric units. */
export const ScenarioValuesSchema = z.strictObject({
  temperature: z.number().min(-90).max(60).optional().describe("Air temperature at 2 m (°C)"),
  temperature_max: z.number().min(-90).max(60).optional().describe("Daily maximum temperature (°C)"),
  temperature_min: z.number().min(-90).max(60).optional().describe("Daily minimum temperature (°C)"),
  relative_humidity: z.number().min(1).max(100).optional().describe("Relative humidity at 2 m (%)"),
  cloud_cover: z.number().min(0).max(100).optional().describe("Total cloud cover (%)"),
  precipitation: z.number().min(0).max(200).optional().describe("Precipitation per hour (mm)"),
  precipitation_probability: z.number().min(0).max(100).optional().describe(
    "Probability of precipitation (%)",
  ),
  weather_code: z.literal(codes, { error: `expected a WMO weather code (${codes.join(", ")})` }).optional()
    .describe("WMO 4677 weather code"),
  pressure_msl: z.number().min(870).max(1085).optional().describe("Pressure at mean sea level (hPa)"),
  wind_speed: z.number().min(0).max(300).optional().describe("Wind speed at 10 m (km/h)"),
  wind_direction: z.number().min(0).max(360).optional().describe("Direction the wind comes from (°)"),
  wind_gusts: z.number().min(0).max(400).optional().describe("Wind gusts at 10 m (km/h)"),
  visibility: z.number().min(0).max(100_000).optional().describe("Visibility (m)"),
});

/** The values a scenario sets. */
export type ScenarioValues = z.infer<typeof ScenarioValuesSchema>;

function checkValues(v: ScenarioValues, ctx: z.RefinementCtx): void {
  const fail = (message: string) => ctx.addIssue({ code: "custom", message, path: ["set"] });
  if (Object.values(v).every((x) => x === undefined)) fail("expected at least one value to set");
  if ((v.temperature_max === undefined) !== (v.temperature_min === undefined)) {
    fail("expected temperature_max and temperature_min together");
  }
  if (
    v.temperature_max !== undefined && v.temperature_min !== undefined &&
    v.temperature_max < v.temperature_min
  ) {
    fail(`expected temperature_max (${v.temperature_max}) at least temperature_min (${v.temperature_min})`);
  }
  if (v.temperature !== undefined && v.temperature_max !== undefined) {
    fail("expected either temperature or temperature_max and temperature_min, not both");
  }
  if (v.wind_speed !== undefined && v.wind_gusts !== undefined && v.wind_gusts < v.wind_speed) {
    fail(`expected wind_gusts (${v.wind_gusts}) at least wind_speed (${v.wind_speed})`);
  }
  if (v.precipitation_probability === 0 && (v.precipitation ?? 0) > 0) {
    fail(`expected precipitation 0 with precipitation_probability 0: got ${v.precipitation}`);
  }
  if (v.weather_code === undefined) return;
  const r = CODE_REQUIREMENTS.get(v.weather_code)!;
  const name = `weather_code ${v.weather_code} ("${WMO_CODES.get(v.weather_code)}")`;
  const within = (x: number, [lo, hi]: readonly [number, number]) => x >= lo && x <= hi;
  if (v.precipitation !== undefined && !within(v.precipitation, r.precipitation)) {
    fail(`${name} needs precipitation ${r.precipitation.join("-")} mm/h: got ${v.precipitation}`);
  }
  if (v.cloud_cover !== undefined && !within(v.cloud_cover, r.cloud)) {
    fail(`${name} needs cloud_cover ${r.cloud.join("-")} %: got ${v.cloud_cover}`);
  }
  if (v.visibility !== undefined && !within(v.visibility, r.visibility)) {
    fail(`${name} needs visibility ${r.visibility.join("-")} m: got ${v.visibility}`);
  }
  for (const key of ["temperature", "temperature_max", "temperature_min"] as const) {
    const t = v[key];
    if (t !== undefined && !within(t, r.temperature)) {
      fail(`${name} needs ${key} ${r.temperature.join(" to ")} °C: got ${t}`);
    }
  }
  if (r.visibility[1] < 1000 && v.relative_humidity !== undefined && v.relative_humidity < 90) {
    fail(`${name} needs relative_humidity 90-100 %: got ${v.relative_humidity}`);
  }
  if (r.kind !== "none" && v.precipitation_probability === 0) {
    fail(`${name} needs precipitation_probability above 0`);
  }
}

/**
 * A window scenario: values to set between two times, blended into the model at its edges.
 *
 * @example
 * ```ts
 * ScenarioSchema.parse({ from: "+1d12h", to: "+1d18h", set: { weather_code: 95, precipitation: 4 } });
 * ```
 */
export const WindowScenarioSchema = z.strictObject({
  from: ScenarioTimeSchema.describe("Start of the window (inclusive)"),
  to: ScenarioTimeSchema.describe("End of the window (exclusive)"),
  ramp_hours: z.number().min(0).max(72).default(2).describe("Hours over which the scenario fades in and out"),
  set: ScenarioValuesSchema,
}).superRefine((s, ctx) => {
  checkValues(s.set, ctx);
  const from = comparable(s.from), to = comparable(s.to);
  if (from !== undefined && to !== undefined && from[0] === to[0] && to[1] <= from[1]) {
    ctx.addIssue({
      code: "custom",
      message: `expected "to" (${s.to}) after "from" (${s.from})`,
      path: ["to"],
    });
  }
});

/** The most points a series scenario holds per variable: 120 days of hours. */
export const MAX_SERIES_POINTS = 2880;

/** Minutes from the Unix epoch or from the clock a scenario time stands for, when known without the clock. */
function onQuarterHour(text: string): boolean {
  const at = comparable(text);
  return at === undefined || at[1] % 15 === 0;
}

const seriesColumns = Object.fromEntries(HOURLY_VARIABLES.map((name) => {
  const [lo, hi] = HOURLY_LIMITS[name];
  const value = name === "weather_code"
    ? z.literal(codes, { error: `expected a WMO weather code (${codes.join(", ")})` })
    : name === "is_day"
    ? z.literal([0, 1], { error: "expected 0 (night) or 1 (day)" })
    : z.number().min(lo).max(hi);
  return [name, z.array(value.nullable()).min(1).max(MAX_SERIES_POINTS).optional()];
})) as Record<HourlyVariable, z.ZodOptional<z.ZodArray<z.ZodNullable<z.ZodNumber>>>>;

/**
 * A series scenario: recorded weather, one value per step from `from`, in the model's variable
 * names and metric units. The model answers each point with exactly its values (null: the model's
 * own), between points it interpolates, and outside the series it blends back into its own
 * weather over `ramp_hours`. `deno task record` writes these.
 *
 * @example
 * ```ts
 * SeriesScenarioSchema.parse({ from: "2026-11-23T00:00:00Z", series: { temperature: [11.2, 10.9, 10.7] } });
 * ```
 */
export const SeriesScenarioSchema = z.strictObject({
  from: ScenarioTimeSchema.refine(onQuarterHour, { error: "expected a time on a quarter hour" })
    .describe("The first point's time"),
  step_minutes: z.union([z.literal(60), z.literal(15)]).default(60).describe("Minutes between points"),
  ramp_hours: z.number().min(0).max(72).default(2).describe("Hours over which the series fades in and out"),
  series: z.strictObject(seriesColumns).describe(
    "Each variable's values (null where the model's own should stand), all of one length",
  ),
}).superRefine((s, ctx) => {
  const lengths = new Set(Object.values(s.series).filter((v) => v !== undefined).map((v) => v.length));
  if (lengths.size === 0) {
    ctx.addIssue({ code: "custom", message: "expected at least one variable", path: ["series"] });
  }
  if (lengths.size > 1) {
    const detail = Object.entries(s.series).filter(([, v]) => v !== undefined).map(([k, v]) =>
      `${k} ${v!.length}`
    );
    ctx.addIssue({
      code: "custom",
      message: `expected every variable to have as many values: got ${detail.join(", ")}`,
      path: ["series"],
    });
  }
});

/** A series scenario, as parsed by {@linkcode SeriesScenarioSchema}. */
export type SeriesScenario = z.infer<typeof SeriesScenarioSchema>;

/** One scenario of a city: a window of values or a series of recorded ones (with `series`). */
export const ScenarioSchema = z.union([WindowScenarioSchema, SeriesScenarioSchema]);

/** A city's scenarios in the data file. */
export const ScenariosSchema = z.array(ScenarioSchema).max(100);

/** One scenario, as parsed by {@linkcode ScenarioSchema}. */
export type Scenario = z.infer<typeof ScenarioSchema>;

/** A window scenario, as parsed by {@linkcode WindowScenarioSchema}. */
export type WindowScenario = z.infer<typeof WindowScenarioSchema>;

/** Whether `scenario` is a series of recorded values rather than a window. */
export function isSeries(scenario: Scenario): scenario is SeriesScenario {
  return "series" in scenario;
}

/**
 * The instant (epoch ms) a scenario time stands for, given the clock `now` and the start of the
 * clock's local day in `dayStart(offsetDays)` (the first instant of the local day that many days
 * from today).
 */
export function resolveScenarioTime(
  text: string,
  now: number,
  dayStart: (offsetDays: number) => number,
): number {
  const m = RELATIVE.exec(text);
  if (m === null || !isRelative(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new SyntaxError(`Cannot read scenario time "${text}"`);
    return ms;
  }
  const sign = m[1] === "-" ? -1 : 1;
  const clock = (Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 60_000;
  if (m[2] === undefined) return now + sign * clock;
  return dayStart(sign * Number(m[2])) + clock;
}

/**
 * The warning a scenario's values call for, as weather services name them, or undefined for
 * weather that needs none: thunderstorms, 35 °C or more, -25 °C or less, gale winds, 10 mm an hour.
 *
 * @example
 * ```ts
 * scenarioAlert({ weather_code: 95 }); // "Severe Thunderstorm Warning"
 * ```
 */
export function scenarioAlert(set: ScenarioValues): string | undefined {
  if (set.weather_code !== undefined && set.weather_code >= 95) return "Severe Thunderstorm Warning";
  if ((set.temperature_max ?? set.temperature ?? 0) >= 35) return "Excessive Heat Warning";
  if ((set.temperature_min ?? set.temperature ?? 0) <= -25) return "Extreme Cold Warning";
  if ((set.wind_gusts ?? 0) >= 90 || (set.wind_speed ?? 0) >= 60) return "High Wind Warning";
  if ((set.precipitation ?? 0) >= 10) return "Flood Watch";
  return undefined;
}
