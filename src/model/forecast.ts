/**
 * The weather model: a city's weather at any instant from 92 days before the clock to 16 days
 * after it, from what the data file says of the city, a seed and the clock.
 *
 * How an instant's weather is made, in order (every step a pure function of the instant, so the
 * value at an instant never depends on the window asked for):
 * 1. Climate from latitude, season and elevation; seeded smooth noise on top of it (fronts of
 *    3-6 days, weather of half a day) drives wetness, which drives cloud, precipitation and low
 *    pressure together, and the sun drives the diurnal cycle and the UV index.
 * 2. The data file's `current` anchors the clock's 15-minute slot exactly (the clock's, not its
 *    `observed_at`: the file describes "now"), and its difference from the climate fades out over
 *    hours to days; part of it stays, as the city's own climate at that time of year.
 * 3. Scenarios set values inside their windows (see `scenario.ts`).
 * 4. The rest follows by published formulas: dew point and humidity by Magnus, apparent
 *    temperature by Steadman (BoM), surface pressure by the barometric formula, the weather code
 *    from precipitation, fog and cloud, and the daily values as aggregates of the local day's hours.
 * @module
 */

import type { City, Current } from "../schema.ts";
import { WMO_CODES } from "../wmo.ts";
import { clamp, hash3, hashString, knotValue, smoothstep } from "./noise.ts";
import {
  apparentTemperature,
  CODE_REQUIREMENTS,
  dewPoint,
  type PrecipitationKind,
  relativeHumidity,
  roundTo,
  SNOW_CM_PER_MM,
  SNOW_SHOWER_CODES,
  surfacePressure,
  weatherCodeOf,
} from "./physics.ts";
import { isSeries, resolveScenarioTime, type Scenario, type ScenarioValues } from "./scenario.ts";
import {
  type Current15,
  DAILY_VARIABLES,
  type DailySeries,
  type DailyVariable,
  FORECAST_DAYS,
  FORECAST_HOURS,
  HOURLY_DECIMALS,
  HOURLY_VARIABLES,
  type HourlySeries,
  type HourlyVariable,
  PAST_DAYS,
} from "./variables.ts";
import { halfDayHours, sunDay, sunPosition, SUNRISE_ALTITUDE } from "./sun.ts";
import {
  dayNumber,
  formatDay,
  localDayNumber,
  localIsoTime,
  localMidnight,
  MS_PER_DAY,
  SLOT_MS,
  slotOf,
  toEpochMs,
  utcOffsets,
  utcOffsetSeconds,
} from "./time.ts";

/** What the model needs of a city: the data file's fields, plus an optional elevation and scenarios. */
export type ModelCity = Pick<City, "name" | "latitude" | "longitude" | "timezone" | "current"> & {
  /** Metres above sea level. @default 0 */
  readonly elevation?: number;
  /** Explicit weather to honour, parsed by `ScenariosSchema`. */
  readonly scenarios?: readonly Scenario[];
  /** Recorded weather that wins over the scenarios, such as an upstream API's answer. */
  readonly series?: readonly ModelSeries[];
};

/**
 * Recorded weather at evenly spaced instants: what a series scenario holds, with its times
 * resolved. The model takes each point's values as they are (NaN: the model's own value there).
 */
export interface ModelSeries {
  /** The first point, epoch ms on a quarter hour. */
  readonly start: number;
  /** Milliseconds between points: an hour or a quarter of one. */
  readonly step: number;
  /** Number of points. */
  readonly length: number;
  /** Hours over which the series fades into the model beyond its ends. */
  readonly rampHours: number;
  /** Each variable's values; a variable left out is the model's own. */
  readonly values: Readonly<Partial<Record<HourlyVariable, ArrayLike<number>>>>;
}

/** The question every model function answers from: a city, a seed and the clock. */
export interface ModelInput {
  /** The city. */
  readonly city: ModelCity;
  /** Seed of the weather's variation, an unsigned 32-bit integer. */
  readonly seed: number;
  /**
   * The clock: the instant the data file's `current` describes. The model depends on it only
   * through its 15-minute slot, so that answers can be cached for a quarter of an hour.
   */
  readonly now: number | Date;
}

const V = Object.fromEntries(HOURLY_VARIABLES.map((name, i) => [name, i])) as Record<HourlyVariable, number>;

const MS_PER_HOUR = 3_600_000;
const SIN_SUNRISE = Math.sin(SUNRISE_ALTITUDE * Math.PI / 180);
const SIN_3 = Math.sin(3 * Math.PI / 180);
const SIN_10 = Math.sin(10 * Math.PI / 180);
const DEG = Math.PI / 180;
const YEAR_MS = 365.2422 * MS_PER_DAY;
// The solstice-to-coldest-day lag of the seasons, from 2000-01-01.
const SEASON_ORIGIN = Date.UTC(2000, 0, 20);

// Noise channels: an index each, and the spacing of their knots in hours.
const SYNOPTIC = 0,
  SYNOPTIC_SLOW = 1,
  MESO = 2,
  TEMPERATURE = 3,
  TEMPERATURE_FAST = 4,
  WIND = 5,
  DIRECTION = 6,
  DIRECTION_FAST = 7,
  CONVECTION = 8,
  FOG = 9,
  HUMIDITY = 10,
  PRESSURE = 11;
const SPACING = [66, 150, 10, 80, 20, 40, 90, 20, 7, 14, 50, 30];
const FREQUENCY = SPACING.map((hours) => 1 / hours);
const N_CHANNELS = SPACING.length;

/**
 * Wetness a weather code stands for on the model's scale (about -0.7 dry to 0.7 stormy): the file's
 * code steers the weather around the clock towards it.
 */
export function wetnessOfCode(code: number): number {
  if (code === 0) return -0.65;
  if (code === 1) return -0.35;
  if (code === 2) return -0.1;
  if (code === 3) return 0.2;
  if (code === 45 || code === 48) return 0.15;
  const r = CODE_REQUIREMENTS.get(code);
  const p = r === undefined ? 0 : (r.precipitation[0] + r.precipitation[1]) / 2;
  return 0.36 + Math.min(0.3, 0.05 * Math.sqrt(p) + (code >= 95 ? 0.1 : 0));
}

interface ResolvedScenario {
  readonly start: number;
  readonly end: number;
  readonly rampIn: number;
  readonly rampOut: number;
  /** Ramp lengths for temperature, lengthened for large steps. */
  rampInT: number;
  rampOutT: number;
  readonly daily: boolean;
  readonly set: ScenarioValues;
}

/** One city's model for one seed and clock: everything that does not depend on the instant. */
interface Model {
  readonly lat: number;
  readonly lon: number;
  readonly sinLat: number;
  readonly cosLat: number;
  readonly summerConvection: number;
  readonly elevation: number;
  readonly zone: string;
  readonly now: number;
  readonly anchor: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
  readonly keys: Uint32Array;
  readonly tAnnual: number;
  readonly seasonAmp: number;
  readonly hemisphere: number;
  readonly dry: number;
  readonly wetBase: number;
  readonly convective: number;
  readonly windBase: number;
  readonly pressureBase: number;
  readonly pressureAmp: number;
  readonly temperatureAmp: number;
  readonly fileCode: number;
  // Anomalies of the file against the climate at the anchor, set once the climate is known there.
  aWet: number;
  aT: number;
  aTd: number;
  aP: number;
  aWind: number;
  aDir: number;
  aApparent: number;
  scenarios: ResolvedScenario[];
  /** Series in the order they win: the last one covering an instant gives its values. */
  readonly series: ModelSeries[];
  readonly dailyShape: Map<number, readonly [number, number]>;
}

const models = new WeakMap<ModelCity, Map<string, Model>>();

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Cannot use seed "${seed}": expected an integer from 0 to 4294967295`);
  }
}

function model(input: ModelInput): Model {
  checkSeed(input.seed);
  const now = slotOf(toEpochMs(input.now));
  let byClock = models.get(input.city);
  if (byClock === undefined) models.set(input.city, byClock = new Map());
  const key = `${input.seed}|${now}`;
  let m = byClock.get(key);
  if (m === undefined) {
    m = buildModel(input.city, input.seed, now);
    if (byClock.size >= 64) byClock.clear();
    byClock.set(key, m);
  }
  return m;
}

/** A city without `current`: the model's own weather there, unanchored (see {@linkcode climateConditions}). */
export type ClimatePlace = Pick<ModelCity, "name" | "latitude" | "longitude" | "timezone" | "elevation">;

// No weather code: a model built with it forces none at the clock.
const NO_CODE = -1;

function buildModel(city: ModelCity | ClimatePlace, seed: number, now: number): Model {
  const lat = city.latitude, lon = city.longitude;
  const absLat = Math.abs(lat);
  const cityKey = hashString(`${city.name}|${lat}|${lon}`);
  const keys = new Uint32Array(N_CHANNELS).map((_, c) => hash3(seed, cityKey, c + 1));
  const today = localDayNumber(city.timezone, now);
  const dry = Math.exp(-(((absLat - 25) / 9) ** 2));
  const m: Model = {
    lat,
    lon,
    sinLat: Math.sin(lat * DEG),
    cosLat: Math.cos(lat * DEG),
    summerConvection: Math.exp(-(((absLat - 40) / 15) ** 2)),
    elevation: city.elevation ?? 0,
    zone: city.timezone,
    now,
    anchor: now,
    // A day to spare on each side, so that the days of another time zone (a dialect's) and
    // Open-Meteo's 93 past days are covered too.
    rangeStart: localMidnight(city.timezone, today - PAST_DAYS - 3),
    // 384 hours from the clock's hour can run past the 16th day's end, by up to a day.
    rangeEnd: Math.max(
      localMidnight(city.timezone, today + FORECAST_DAYS + 2),
      Math.floor(now / MS_PER_HOUR) * MS_PER_HOUR + FORECAST_HOURS * MS_PER_HOUR,
    ),
    keys,
    tAnnual: -25 + 52 * Math.cos(lat * DEG),
    seasonAmp: Math.min(16, 0.28 * absLat),
    hemisphere: lat >= 0 ? 1 : -1,
    dry,
    wetBase: 0.2 * Math.exp(-((absLat / 10) ** 2)) - 0.45 * dry +
      0.05 * Math.exp(-(((absLat - 55) / 12) ** 2)) - 0.1,
    convective: Math.exp(-((absLat / 18) ** 2)),
    windBase: 8 + 6 * Math.exp(-(((absLat - 50) / 15) ** 2)),
    pressureBase: 1013 + 6 * dry - 6 * Math.exp(-(((absLat - 60) / 10) ** 2)),
    pressureAmp: 3 + 9 * smoothstep(15, 45, absLat),
    temperatureAmp: 1 + 4 * smoothstep(15, 50, absLat),
    fileCode: "current" in city ? city.current.weather_code : NO_CODE,
    aWet: 0,
    aT: 0,
    aTd: 0,
    aP: 0,
    aWind: 0,
    aDir: 0,
    aApparent: 0,
    scenarios: [],
    series: [],
    dailyShape: new Map(),
  };
  // Without a `current` the anomalies stay 0: the model's own climate and weather, unanchored.
  if (!("current" in city)) return m;
  const state = new State();
  // The file's differences from the climate at the anchor slot, which evaluate() then applies.
  evaluateAt(m, m.anchor, state);
  m.aWet = wetnessOfCode(m.fileCode) - state.wetNatural;
  evaluateAt(m, m.anchor, state);
  const c = city.current;
  m.aT = c.temperature - state.tRaw;
  evaluateAt(m, m.anchor, state);
  m.aTd = dewPoint(c.temperature, Math.max(1, c.humidity)) - state.tdRaw;
  m.aP = c.pressure - state.pRaw;
  m.aWind = c.wind_speed - state.windRaw;
  m.aDir = ((c.wind_direction - state.dirRaw) % 360 + 540) % 360 - 180;
  m.aApparent = c.feels_like - apparentTemperature(c.temperature, c.humidity, c.wind_speed);

  const dayStart = (offset: number) => localMidnight(city.timezone, today + offset);
  for (const s of city.scenarios ?? []) {
    if (isSeries(s)) {
      const values: Partial<Record<HourlyVariable, Float64Array>> = {};
      let length = 0;
      for (const name of HOURLY_VARIABLES) {
        const column = s.series[name];
        if (column === undefined) continue;
        values[name] = Float64Array.from(column, (x) => x ?? NaN);
        length = column.length;
      }
      const start = resolveScenarioTime(s.from, now, dayStart);
      m.series.push({ start, step: s.step_minutes * 60_000, length, rampHours: s.ramp_hours, values });
      continue;
    }
    let start = resolveScenarioTime(s.from, now, dayStart);
    let end = resolveScenarioTime(s.to, now, dayStart);
    if (!(end > start)) {
      throw new RangeError(`Cannot use scenario from "${s.from}" to "${s.to}": expected "to" after "from"`);
    }
    const daily = s.set.temperature_max !== undefined;
    if (daily) {
      start = localMidnight(city.timezone, localDayNumber(city.timezone, start));
      const last = localDayNumber(city.timezone, end - 1);
      end = localMidnight(city.timezone, last + 1);
    }
    const ramp = s.ramp_hours * MS_PER_HOUR;
    const r: ResolvedScenario = {
      start,
      end,
      rampIn: ramp,
      rampOut: ramp,
      rampInT: ramp,
      rampOutT: ramp,
      daily,
      set: s.set,
    };
    if (s.set.temperature !== undefined || daily || s.set.weather_code !== undefined) {
      // Lengthen the temperature ramps so that the gap they close, over the whole ramp, moves the
      // temperature by no more than about 2 °C an hour on top of its own course.
      const everywhere: ResolvedScenario = { ...r, start: -Infinity, end: Infinity };
      const gap = (t: number) => {
        evaluateAt(m, t, state);
        const natural = state.value(V.temperature);
        m.scenarios.push(everywhere);
        evaluateAt(m, t, state);
        m.scenarios.pop();
        return Math.abs(state.value(V.temperature) - natural);
      };
      for (const inward of [1, -1]) {
        const edge = inward > 0 ? start : end;
        let length = Math.max(ramp, gap(edge) / 1.5 * MS_PER_HOUR);
        for (let pass = 0; pass < 3; pass++) {
          let widest = 0;
          for (let k = 0; k * MS_PER_HOUR <= length; k++) {
            widest = Math.max(widest, gap(edge - inward * k * MS_PER_HOUR));
          }
          const needed = Math.max(ramp, widest / 1.5 * MS_PER_HOUR);
          if (needed <= length) break;
          length = needed;
        }
        if (inward > 0) r.rampInT = length;
        else r.rampOutT = length;
      }
    }
    m.scenarios.push(r);
  }
  if (city.series !== undefined) m.series.push(...city.series);
  return m;
}

/** Scratch state of evaluations, and what the anchor needs to know of the last one. */
class State {
  /** One instant's values, for single evaluations: `columns[variable][0]`. */
  readonly columns = HOURLY_VARIABLES.map(() => new Float64Array(1));
  readonly noise = new Float64Array(N_CHANNELS);
  wetNatural = 0;
  tRaw = 0;
  tdRaw = 0;
  pRaw = 0;
  windRaw = 0;
  dirRaw = 0;
  readonly slow = new Float64Array(SLOW + 1);
  readonly slowCache = new Float64Array(2 * (SLOW + 2));
  slowDay = NaN;
  /** The value of `variable` (index in HOURLY_VARIABLES) of the latest single evaluation. */
  value(variable: number): number {
    return this.columns[variable]![0]!;
  }
}

/**
 * Fills `out[channel * count + j]` with every noise channel at the instants `from + j * step`
 * (epoch ms), channel by channel: a Catmull-Rom spline through seeded knot values, its cubic's
 * coefficients computed once per knot interval.
 */
function fillNoise(m: Model, from: number, step: number, count: number, out: Float64Array): void {
  // Exact for whole hours, so a window's hours match the same instants asked for alone.
  const first = from / MS_PER_HOUR, stepHours = step / MS_PER_HOUR;
  for (let c = 0; c < N_CHANNELS; c++) {
    const key = m.keys[c]!, frequency = FREQUENCY[c]!, o = c * count;
    let knot = NaN, a = 0, b = 0, cc = 0, d = 0;
    for (let j = 0; j < count; j++) {
      const x = (first + j * stepHours) * frequency;
      const i = Math.floor(x);
      if (i !== knot) {
        const p0 = knotValue(key, i - 1),
          p1 = knotValue(key, i),
          p2 = knotValue(key, i + 1),
          p3 = knotValue(key, i + 2);
        knot = i;
        a = p1;
        b = 0.5 * (p2 - p0);
        cc = 0.5 * (2 * p0 - 5 * p1 + 4 * p2 - p3);
        d = 0.5 * (3 * p1 - p0 - 3 * p2 + p3);
      }
      const f = x - i;
      out[o + j] = a + f * (b + f * (cc + f * d));
    }
  }
}

/** The diurnal shape at solar hour `h`: -1 at sunrise, +1 in the afternoon, two smooth steps between. */
function diurnalShape(h: number, halfDay: number): number {
  const rise = clamp(12 - halfDay, 0.5, 9);
  const peak = 12 + clamp(0.3 * halfDay, 1.2, 3);
  const x = h < rise ? h + 24 : h;
  // Smoothsteps up from sunrise to the peak and back down to the next sunrise: C1, no trigonometry.
  if (x <= peak) {
    const u = (x - rise) / (peak - rise);
    return 2 * u * u * (3 - 2 * u) - 1;
  }
  const u = (x - peak) / (rise + 24 - peak);
  return 1 - 2 * u * u * (3 - 2 * u);
}

/** Weight of a scenario at `t`: 1 inside its window, a smoothstep over the ramps, 0 beyond. */
function weight(start: number, end: number, rampIn: number, rampOut: number, t: number): number {
  if (t >= start && t < end) return 1;
  if (t < start) return rampIn > 0 ? smoothstep(start - rampIn, start, t) : 0;
  return rampOut > 0 ? 1 - smoothstep(end, end + rampOut, t) : 0;
}

/** `x` wrapped into [0, `period`), without the cost of floating-point `%`. */
function wrap(x: number, period: number): number {
  return x - period * Math.floor(x / period);
}

/** 1 at the anchor, 0 from `span` hours away (`hours` is the distance), a smoothstep between. */
function fade(hours: number, span: number): number {
  if (hours >= span) return 0;
  const x = hours / span;
  return 1 - x * x * (3 - 2 * x);
}

/** The diurnal shape's minimum and maximum over the hours of local day `day`, for daily scenarios. */
function dayShapeRange(m: Model, day: number, s: State): readonly [number, number] {
  let range = m.dailyShape.get(day);
  if (range === undefined) {
    // The day's hours as dailySeries() counts them: from its first quarter hour, hourly.
    const start = Math.ceil(localMidnight(m.zone, day) / SLOT_MS) * SLOT_MS;
    const end = localMidnight(m.zone, day + 1);
    let lo = Infinity, hi = -Infinity;
    for (let t = start; t < end; t += MS_PER_HOUR) {
      const v = shapeAt(m, t, s);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    range = [lo, hi];
    m.dailyShape.set(day, range);
  }
  return range;
}

function shapeAt(m: Model, t: number, s: State): number {
  const slow = slowValues(m, s, t);
  return diurnalShape(wrap((slow[SLOW]! + m.lon) / 15 + 12, 24), slow[2]!);
}

const SLOW = 7; // values per day in the slow cache, then the sun's declination and hour angle

/** What changes over days, not hours, at UTC day `day`'s start: see {@linkcode slowValues}. */
function slowAtDay(m: Model, day: number, out: Float64Array, o: number): void {
  const t = day * MS_PER_DAY;
  sunPosition(t, out.subarray(o + SLOW, o + SLOW + 2));
  const dec = out[o + SLOW]!;
  const season = -Math.cos(2 * Math.PI * ((t - SEASON_ORIGIN) / YEAR_MS)) * m.hemisphere;
  const noonElevation = 90 - Math.abs(m.lat - dec);
  out[o] = Math.sin(dec * DEG);
  out[o + 1] = Math.cos(dec * DEG);
  out[o + 2] = halfDayHours(m.lat, dec);
  out[o + 3] = 0.05 + 0.95 * Math.sqrt(clamp(Math.sin(noonElevation * DEG), 0, 1));
  out[o + 4] = season;
  out[o + 5] = clamp(m.convective + 0.5 * Math.max(0, season) * m.summerConvection, 0, 1);
  out[o + 6] = Math.cos(2 * Math.PI * (t - m.now) / YEAR_MS);
}

/**
 * The slowly changing values at `t`, blended linearly between the starts of its UTC day and the
 * next: sine and cosine of the sun's declination, half the day's length (h), the strength of the
 * sun at noon, the season (-1 midwinter to +1 midsummer), the share of convective weather, how
 * near in the year `t` is to the clock (cosine, 1 at the clock), and the sun's Greenwich hour angle.
 */
function slowValues(m: Model, s: State, t: number): Float64Array {
  const x = t / MS_PER_DAY;
  const day = Math.floor(x);
  const c = s.slowCache, n = SLOW + 2;
  if (s.slowDay !== day) {
    if (s.slowDay === day - 1) c.copyWithin(0, n, 2 * n);
    else slowAtDay(m, day, c, 0);
    slowAtDay(m, day + 1, c, n);
    s.slowDay = day;
  }
  const f = x - day, out = s.slow;
  for (let i = 0; i < SLOW; i++) out[i] = c[i]! + (c[n + i]! - c[i]!) * f;
  // The Greenwich hour angle turns once a day, plus the equation of time's drift.
  const drift = wrap(c[n + SLOW + 1]! - c[SLOW + 1]! + 180, 360) - 180;
  out[SLOW] = c[SLOW + 1]! + f * (360 + drift);
  return out;
}

/** The model's weather at instant `t` into `s.columns` (unrounded). */
function evaluateAt(m: Model, t: number, s: State): void {
  fillNoise(m, t, 0, 1, s.noise);
  evaluate(m, t, s, s.noise, 1, 0, s.columns, 0);
}

/**
 * The model's weather at instant `t` into `out[variable][i]` (unrounded), with the noise channels
 * at `nz[channel * stride + j]`.
 */
function evaluate(
  m: Model,
  t: number,
  s: State,
  nz: Float64Array,
  stride: number,
  j: number,
  out: Float64Array[],
  i: number,
): void {
  const dtAnchor = t - m.anchor;
  const hoursFromAnchor = (dtAnchor < 0 ? -dtAnchor : dtAnchor) / MS_PER_HOUR;

  // Sun.
  const slow = slowValues(m, s, t);
  const gha = slow[SLOW]!;
  // Sine of the sun's altitude: no arcsine needed, thresholds are compared as sines.
  const sinEl = m.sinLat * slow[0]! + m.cosLat * slow[1]! * Math.cos((gha + m.lon) * DEG);
  const solarHour = wrap((gha + m.lon) / 15 + 12, 24);
  const halfDay = slow[2]!, sunForcing = slow[3]!, season = slow[4]!, convective = slow[5]!;
  const shape = diurnalShape(solarHour, halfDay);

  // Wetness: fronts, weather of the day and afternoon convection, steered towards the file near the clock.
  const synoptic = 0.7 * nz[SYNOPTIC * stride + j]! + 0.3 * nz[SYNOPTIC_SLOW * stride + j]!;
  const convection = nz[CONVECTION * stride + j]!;
  const afternoon = Math.max(0, 1 - ((solarHour - 15) / 5) ** 2);
  // The tropics rain in afternoon storms more than in spells of days.
  const wetNatural = m.wetBase + (0.65 - 0.3 * convective) * synoptic + 0.3 * nz[MESO * stride + j]! +
    convective * (0.55 * afternoon * (0.5 + 0.5 * convection) - 0.1);
  s.wetNatural = wetNatural;
  const wet = wetNatural + m.aWet * fade(hoursFromAnchor, 12);
  let cloud = 100 * smoothstep(-0.6, 0.45, wet + 0.08 * convection);
  let precipitation = wet > 0.3 ? (5 + 15 * convective) * (wet - 0.3) * Math.sqrt(wet - 0.3) : 0;
  // Probability: from wetness, blurred towards climatology with distance from the clock.
  const spread = hoursFromAnchor >= 240 ? 0.4 : hoursFromAnchor * (0.4 / 240);
  let probability = 100 * smoothstep(-0.15, 0.55, wet) * (1 - spread) + 35 * spread;
  let probabilitySet = 0;

  // The weather code forced at this instant: the file's at the clock, then the scenarios'.
  let forcedCode = m.fileCode;
  let forcedWeight = fade(hoursFromAnchor, 6);
  const scenarios = m.scenarios;
  for (let i = 0; i < scenarios.length; i++) {
    const sc = scenarios[i]!;
    const w = weight(sc.start, sc.end, sc.rampIn, sc.rampOut, t);
    if (w === 0) continue;
    const set = sc.set;
    if (set.weather_code !== undefined) {
      if (w >= forcedWeight || w === 1) {
        forcedCode = set.weather_code;
        forcedWeight = w;
      }
    } else if (
      w === 1 && (set.cloud_cover !== undefined || set.precipitation !== undefined ||
        set.precipitation_probability !== undefined || set.visibility !== undefined)
    ) {
      forcedWeight = 0;
    }
    if (set.cloud_cover !== undefined) cloud += w * (set.cloud_cover - cloud);
    if (set.precipitation !== undefined) precipitation += w * (set.precipitation - precipitation);
    if (set.precipitation_probability !== undefined) {
      probability += w * (set.precipitation_probability - probability);
      probabilitySet = w;
      if (set.precipitation_probability === 0) precipitation *= 1 - w;
    }
  }
  const code = forcedWeight > 0 ? CODE_REQUIREMENTS.get(forcedCode) : undefined;
  if (code !== undefined) {
    cloud += forcedWeight * (clamp(cloud, code.cloud[0], code.cloud[1]) - cloud);
    precipitation += forcedWeight *
      (clamp(precipitation, code.precipitation[0], code.precipitation[1]) - precipitation);
  }
  let forced = forcedWeight === 1 ? forcedCode : -1;
  if (precipitation < 0.1 && !(forced >= 0 && code!.kind !== "none")) precipitation = 0;
  cloud = clamp(cloud, 0, 100);

  // Temperature: climate, fronts, and the diurnal cycle, damped by cloud and rain.
  const tClimate = m.tAnnual + m.seasonAmp * season - 0.0065 * m.elevation;
  const tSynoptic = m.temperatureAmp *
    (0.75 * nz[TEMPERATURE * stride + j]! + 0.25 * nz[TEMPERATURE_FAST * stride + j]!);
  const amplitude = (4 + 3 * m.dry) * sunForcing * (1 - 0.6 * cloud / 100) * (precipitation > 0 ? 0.75 : 1);
  let temperature = tClimate + tSynoptic + amplitude * shape;
  s.tRaw = temperature;
  // Part of the file's difference from the climate stays, as the city's own climate at that time
  // of year: all of it near the clock, less and less towards the other side of the year.
  const tShift = m.aT * (0.4 + 0.4 * slow[6]! + 0.2 * fade(hoursFromAnchor, 36));
  temperature += tShift;
  const tFile = temperature;

  // Scenario temperatures.
  for (let i = 0; i < scenarios.length; i++) {
    const sc = scenarios[i]!;
    const set = sc.set;
    if (set.temperature === undefined && !sc.daily && set.weather_code === undefined) continue;
    const wt = weight(sc.start, sc.end, sc.rampInT, sc.rampOutT, t);
    if (wt === 0) continue;
    if (set.temperature !== undefined) temperature += wt * (set.temperature - temperature);
    if (sc.daily) {
      const day = localDayNumber(m.zone, t);
      const [lo, hi] = dayShapeRange(m, day, s);
      const x = hi > lo ? (shape - lo) / (hi - lo) : 0.5;
      const target = set.temperature_min! + (set.temperature_max! - set.temperature_min!) * x;
      temperature += wt * (target - temperature);
    }
    if (set.weather_code !== undefined) {
      const r = CODE_REQUIREMENTS.get(set.weather_code)!;
      temperature += wt * (clamp(temperature, r.temperature[0], r.temperature[1]) - temperature);
    }
  }

  // A scenario's temperature wins over a code it contradicts (the file's at the clock, say).
  if (
    code !== undefined && (temperature < code.temperature[0] - 0.5 || temperature > code.temperature[1] + 0.5)
  ) {
    forced = -1;
    forcedWeight = 0;
  }

  // Moisture: the dew point sits below the day's mean temperature, closer in wet weather.
  const depression = Math.max(
    0.3,
    (3 + 9 * m.dry) * (1 - 0.85 * smoothstep(-0.3, 0.55, wet)) + 1.5 * nz[HUMIDITY * stride + j]!,
  );
  let td = tClimate + tSynoptic + 0.25 * amplitude * shape - depression + tShift;
  // Fog is saturated air.
  if (code !== undefined && code.visibility[1] < 1000) td += forcedWeight * (temperature - 0.2 - td);
  s.tdRaw = td;
  td += m.aTd * (0.5 + 0.5 * fade(hoursFromAnchor, 24));
  td += 0.5 * (temperature - tFile);
  for (let i = 0; i < scenarios.length; i++) {
    const sc = scenarios[i]!;
    if (sc.set.relative_humidity === undefined) continue;
    const w = weight(sc.start, sc.end, sc.rampIn, sc.rampOut, t);
    if (w > 0) td += w * (dewPoint(temperature, sc.set.relative_humidity) - td);
  }
  if (td > temperature) td = temperature;
  const humidity = relativeHumidity(temperature, td);

  // Pressure: lows come with the wet spells.
  let pressure = m.pressureBase - m.pressureAmp * (0.75 * synoptic + 0.25 * nz[PRESSURE * stride + j]!);
  s.pRaw = pressure;
  pressure += m.aP * (0.3 + 0.7 * fade(hoursFromAnchor, 48));

  // Wind: stronger in fronts and in the afternoon; direction veers slowly.
  // A lognormal-like spread of wind speed: (1 + x/2)² is exp(x) to within a few % here.
  const gustiness = 1 + 0.2 * nz[WIND * stride + j]! + 0.15 * Math.max(0, synoptic);
  let wind = m.windBase * gustiness * gustiness *
    (1 + 0.12 * shape);
  s.windRaw = wind;
  wind = Math.max(0, wind + m.aWind * (0.4 + 0.6 * fade(hoursFromAnchor, 18)));
  let direction = 200 + 160 * nz[DIRECTION * stride + j]! + 45 * nz[DIRECTION_FAST * stride + j]!;
  s.dirRaw = direction;
  direction += m.aDir * (0.3 + 0.7 * fade(hoursFromAnchor, 18));
  let gustTarget = -1, gustWeight = 0;
  for (let i = 0; i < scenarios.length; i++) {
    const sc = scenarios[i]!;
    const set = sc.set;
    if (
      set.wind_speed === undefined && set.wind_direction === undefined && set.pressure_msl === undefined &&
      set.wind_gusts === undefined
    ) continue;
    const w = weight(sc.start, sc.end, sc.rampIn, sc.rampOut, t);
    if (w === 0) continue;
    if (set.wind_speed !== undefined) wind += w * (set.wind_speed - wind);
    if (set.pressure_msl !== undefined) pressure += w * (set.pressure_msl - pressure);
    if (set.wind_direction !== undefined) {
      direction += w * (((set.wind_direction - direction) % 360 + 540) % 360 - 180);
    }
    if (set.wind_gusts !== undefined) {
      gustTarget = set.wind_gusts;
      gustWeight = w;
    }
  }

  // Precipitation's kind: the forced code's, else snow in the cold and showers in unstable air.
  let kind: PrecipitationKind = "none";
  let showery = false;
  if (precipitation > 0) {
    if (code !== undefined && code.kind !== "none" && forcedWeight >= 0.5) {
      kind = code.kind;
      showery = code.kind === "showers" || SNOW_SHOWER_CODES.has(forcedCode);
    } else {
      showery = convection + convective > 0.4 + (temperature < 10 ? 0.4 : 0);
      kind = temperature < 1 ? "snow" : showery ? "showers" : "rain";
    }
    if (forced < 0) {
      if (kind === "snow" && temperature > 1.5) kind = showery ? "showers" : "rain";
      else if (kind !== "snow" && temperature < -1.5) kind = "snow";
    }
  }
  const thunder = kind === "showers" && temperature >= 15 && convection > 0 && precipitation >= 2;

  // Visibility: haze with humidity, less in rain and far less in snow and fog.
  let visibility = 50_000 * Math.sqrt(Math.max(0.0004, 1 - humidity / 100));
  if (precipitation > 0) {
    visibility = Math.min(15_000, visibility / (1 + (kind === "snow" ? 2.5 : 0.35) * precipitation));
  } else if (temperature - td < 0.4 && wind < 10 && nz[FOG * stride + j]! > -0.2) {
    visibility = 150 + 1800 * (temperature - td);
  }
  for (let i = 0; i < scenarios.length; i++) {
    const sc = scenarios[i]!;
    if (sc.set.visibility === undefined) continue;
    const w = weight(sc.start, sc.end, sc.rampIn, sc.rampOut, t);
    if (w > 0) visibility += w * (sc.set.visibility - visibility);
  }
  if (code !== undefined) {
    visibility += forcedWeight * (clamp(visibility, code.visibility[0], code.visibility[1]) - visibility);
  }
  if (precipitation > 0 && visibility > 15_000) visibility = 15_000;

  // Never a probability of 0 with precipitation; at least 20 % unless a scenario says otherwise.
  if (precipitation > 0) probability = Math.max(probability, probabilitySet === 1 ? 1 : 20);

  let gusts = wind * (1.35 + 0.25 * (showery ? 1 : 0) + 0.1 * Math.abs(convection)) + (thunder ? 20 : 0);
  if (gustWeight > 0) gusts += gustWeight * (gustTarget - gusts);
  if (gusts < wind) gusts = wind;

  const weatherCode = forced >= 0
    ? forced
    : weatherCodeOf(precipitation, kind, showery, thunder, cloud, visibility, temperature);

  const c = cloud / 100;
  // Clear-sky UV index from the sun's height, 12.5·μ^2.5 (μ the sine of the altitude; Madronich's
  // fit has 2.42), less under cloud.
  const uv = sinEl > 0
    ? 12.5 * sinEl * sinEl * Math.sqrt(sinEl) * (1 + 0.08 * m.elevation / 1000) *
      (1 - 0.75 * c * c * Math.sqrt(c)) *
      (precipitation > 0 ? 0.8 : 1)
    : 0;
  // Sunshine (direct sun, WMO's 120 W/m²) needs the sun 3° high, and counts the whole hour from 10°.
  const sunshine = sinEl > SIN_3 && c < 1
    ? 3600 * clamp((sinEl - SIN_3) / (SIN_10 - SIN_3), 0, 1) * Math.sqrt(1 - c) *
      Math.sqrt(Math.sqrt(1 - c)) *
      (precipitation > 0 ? 0.3 : 1)
    : 0;

  // Published at the precision of HOURLY_DECIMALS (variables.ts), rounded half away from zero.
  out[V.temperature]![i] = tenthsSigned(temperature);
  out[V.apparent_temperature]![i] = tenthsSigned(
    apparentTemperature(temperature, humidity, wind) + m.aApparent * fade(hoursFromAnchor, 12),
  );
  out[V.dew_point]![i] = tenthsSigned(td);
  out[V.relative_humidity]![i] = Math.round(humidity);
  const p = tenths(precipitation);
  out[V.precipitation]![i] = p;
  out[V.rain]![i] = kind === "rain" ? p : 0;
  out[V.showers]![i] = kind === "showers" ? p : 0;
  out[V.snowfall]![i] = kind === "snow" ? hundredths(precipitation * SNOW_CM_PER_MM) : 0;
  out[V.precipitation_probability]![i] = Math.round(clamp(probability, precipitation > 0 ? 1 : 0, 100));
  out[V.weather_code]![i] = weatherCode;
  out[V.cloud_cover]![i] = Math.round(cloud);
  out[V.pressure_msl]![i] = tenths(pressure);
  out[V.surface_pressure]![i] = tenths(
    m.elevation === 0 ? pressure : surfacePressure(pressure, m.elevation, temperature),
  );
  out[V.visibility]![i] = Math.round(visibility);
  const degrees = Math.round(wrap(direction, 360));
  out[V.wind_direction]![i] = degrees === 360 ? 0 : degrees;
  out[V.wind_speed]![i] = tenths(wind);
  out[V.wind_gusts]![i] = tenths(gusts);
  out[V.uv_index]![i] = hundredths(uv);
  out[V.is_day]![i] = sinEl > SIN_SUNRISE ? 1 : 0;
  out[V.sunshine_duration]![i] = Math.round(sunshine);
  if (m.series.length > 0) applySeries(m.series, t, out, i);
}

// How each variable is read between two points of a series: interpolated linearly, as an
// angle, as the earlier point's (a weather code), or left to the model (day or night).
const BETWEEN = HOURLY_VARIABLES.map((name) =>
  name === "weather_code"
    ? "earlier"
    : name === "is_day"
    ? "model"
    : name === "wind_direction"
    ? "angle"
    : "linear"
);
const SERIES_DECIMALS = HOURLY_VARIABLES.map((name) => 10 ** HOURLY_DECIMALS[name]);

/**
 * Puts the series' values at instant `t` into `out[variable][i]`, over the model's: a point's
 * value exactly, an interpolation between two points, and beyond a series' ends the model's value
 * drawn towards the end's over the ramp (continuous variables only).
 */
function applySeries(series: readonly ModelSeries[], t: number, out: Float64Array[], i: number): void {
  for (let v = 0; v < HOURLY_VARIABLES.length; v++) {
    const name = HOURLY_VARIABLES[v]!;
    const column = out[v]!;
    const natural = column[i]!;
    let ramped = NaN, rampWeight = 0, given = false;
    for (let k = series.length - 1; k >= 0; k--) {
      const s = series[k]!;
      const values = s.values[name];
      if (values === undefined || s.length === 0) continue;
      const position = (t - s.start) / s.step;
      const last = s.length - 1;
      if (position >= 0 && position <= last) {
        const a = Math.floor(position), f = position - a;
        const x0 = values[a]!;
        if (f === 0) {
          if (!Number.isNaN(x0)) {
            column[i] = x0;
            given = true;
            break;
          }
          continue;
        }
        const x1 = values[a + 1]!;
        const mode = BETWEEN[v]!;
        if (mode === "model" || Number.isNaN(x0) || Number.isNaN(x1)) continue;
        const scale = SERIES_DECIMALS[v]!;
        if (mode === "earlier") column[i] = x0;
        else if (mode === "angle") {
          const turn = ((x1 - x0) % 360 + 540) % 360 - 180;
          column[i] = (Math.round(x0 + f * turn) % 360 + 360) % 360;
        } else column[i] = Math.round((x0 + f * (x1 - x0)) * scale) / scale;
        given = true;
        break;
      }
      // Beyond the ends: the nearest end's value, fading over the ramp; the latest series wins.
      if (BETWEEN[v] !== "linear" || s.rampHours === 0 || !Number.isNaN(ramped)) continue;
      const edge = position < 0 ? values[0]! : values[last]!;
      const hours = (position < 0 ? s.start - t : t - (s.start + last * s.step)) / MS_PER_HOUR;
      if (Number.isNaN(edge) || hours >= s.rampHours) continue;
      ramped = edge;
      rampWeight = 1 - smoothstep(0, s.rampHours, hours);
    }
    if (!given && !Number.isNaN(ramped)) {
      const scale = SERIES_DECIMALS[v]!;
      column[i] = Math.round((natural + rampWeight * (ramped - natural)) * scale) / scale;
    }
  }
}

/** `x` (not negative) to 0.1. */
function tenths(x: number): number {
  return Math.round(x * 10) / 10;
}

/** `x` (not negative) to 0.01. */
function hundredths(x: number): number {
  return Math.round(x * 100) / 100;
}

/** `x` to 0.1, half away from zero, never -0. */
function tenthsSigned(x: number): number {
  return (x < 0 ? -Math.round(-x * 10) : Math.round(x * 10)) / 10 || 0;
}

// The noise channels of the latest window, reused: nothing keeps them past the call.
let noiseScratch = new Float64Array(0);

/**
 * The first and last instants (epoch ms, end exclusive) the model answers for: from the local
 * midnight {@linkcode PAST_DAYS} + 3 days before the clock's local day to the end of the
 * {@linkcode FORECAST_DAYS} + 2nd day from it, or {@linkcode FORECAST_HOURS} hours from the start of
 * the clock's UTC hour when that is later. The spare days cover a day of any other time zone, as a
 * dialect may ask for, and Open-Meteo's 93 days of the past.
 */
export function modelRange(input: ModelInput): { readonly start: number; readonly end: number } {
  const m = model(input);
  return { start: m.rangeStart, end: m.rangeEnd };
}

/**
 * The hourly timeline of `hours` hours from `from`, columnar. `from` is epoch ms on a quarter
 * hour: a UTC hour, or a local one in a zone whose offset has 30 or 45 minutes (Asia/Kathmandu).
 *
 * @example
 * ```ts
 * const now = Date.parse("2026-11-23T11:14:00Z");
 * const from = Math.floor(now / 3_600_000) * 3_600_000;
 * const series = hourlySeries({ city: tokyo, seed: 1, now }, from, 48);
 * series.temperature[0]; // °C at `from`
 * ```
 */
export function hourlySeries(input: ModelInput, from: number, hours: number): HourlySeries {
  const m = model(input);
  if (!Number.isInteger(from) || from % SLOT_MS !== 0) {
    throw new RangeError(`Cannot start an hourly series at "${from}": expected epoch ms on a quarter hour`);
  }
  if (!Number.isInteger(hours) || hours < 0) {
    throw new RangeError(`Cannot make an hourly series of "${hours}" hours: expected an integer from 0`);
  }
  const last = from + (hours - 1) * MS_PER_HOUR;
  if (hours > 0 && (from < m.rangeStart || last >= m.rangeEnd)) {
    throw new RangeError(
      `Cannot answer for ${new Date(from).toISOString()} to ${new Date(last).toISOString()}: ` +
        `the model covers ${new Date(m.rangeStart).toISOString()} to ${new Date(m.rangeEnd).toISOString()}`,
    );
  }
  const time = new Float64Array(hours);
  const offsets = new Int32Array(hours);
  const columns = HOURLY_VARIABLES.map(() => new Float64Array(hours));
  const s = new State();
  if (noiseScratch.length < N_CHANNELS * hours) noiseScratch = new Float64Array(N_CHANNELS * hours);
  const nz = noiseScratch;
  fillNoise(m, from, MS_PER_HOUR, hours, nz);
  utcOffsets(m.zone, from, MS_PER_HOUR, offsets);
  for (let i = 0; i < hours; i++) {
    const t = from + i * MS_PER_HOUR;
    time[i] = t / 1000;
    evaluate(m, t, s, nz, hours, i, columns, i);
  }
  const series: Record<string, unknown> = { length: hours, time, utc_offset_seconds: offsets };
  HOURLY_VARIABLES.forEach((name, v) => series[name] = columns[v]);
  return series as HourlySeries;
}

/**
 * The conditions of the 15-minute slot holding instant `at` (default: the clock). At the clock's
 * slot they are the data file's `current`: temperature, apparent temperature (feels_like),
 * humidity, wind speed and direction, sea-level pressure and weather code.
 *
 * @example
 * ```ts
 * currentConditions({ city: tokyo, seed: 1, now }).temperature === tokyo.current.temperature; // true
 * ```
 */
export function currentConditions(input: ModelInput, at?: number | Date): Current15 {
  const m = model(input);
  const instant = at === undefined ? m.now : toEpochMs(at);
  const slot = slotOf(instant);
  if (slot < m.rangeStart || slot >= m.rangeEnd) {
    throw new RangeError(
      `Cannot answer for ${new Date(slot).toISOString()}: the model covers ${
        new Date(m.rangeStart).toISOString()
      } to ${new Date(m.rangeEnd).toISOString()}`,
    );
  }
  const s = new State();
  evaluateAt(m, slot, s);
  const result: Record<string, number> = {
    time: slot / 1000,
    interval: 900,
    utc_offset_seconds: utcOffsetSeconds(m.zone, slot),
  };
  HOURLY_VARIABLES.forEach((name, v) => result[name] = s.value(v));
  return result as Current15;
}

/**
 * The model's own conditions at the clock's 15-minute slot for a place the data file says nothing
 * of: climate and seeded weather, with no `current` to anchor them (so no forced weather code). The
 * starting point of a synthetic city's `current` (see `places.ts`).
 *
 * @example
 * ```ts
 * const c = climateConditions({ name: "0,-30", latitude: 0, longitude: -30, timezone: "Etc/GMT+2" }, 1, now);
 * c.temperature; // °C, at the clock's slot
 * ```
 */
export function climateConditions(place: ClimatePlace, seed: number, now: number | Date): Current {
  checkSeed(seed);
  const slot = slotOf(toEpochMs(now));
  const m = buildModel(place, seed, slot);
  const s = new State();
  evaluateAt(m, slot, s);
  const code = s.value(V.weather_code) as Current["weather_code"];
  return {
    temperature: s.value(V.temperature),
    feels_like: s.value(V.apparent_temperature),
    humidity: s.value(V.relative_humidity),
    wind_speed: s.value(V.wind_speed),
    wind_direction: s.value(V.wind_direction),
    pressure: s.value(V.pressure_msl),
    condition: WMO_CODES.get(code)!,
    weather_code: code,
    observed_at: localIsoTime(slot, utcOffsetSeconds(place.timezone, slot), true),
  };
}

/**
 * The model's climate temperature (°C) at a latitude and elevation at instant `at`: the annual
 * mean by latitude, the season and the lapse rate of 6.5 K/km, without weather. What moving an
 * observation to another latitude or height changes, as the model sees it.
 */
export function climateTemperature(latitude: number, elevation: number, at: number): number {
  const season = -Math.cos(2 * Math.PI * ((at - SEASON_ORIGIN) / YEAR_MS)) * (latitude >= 0 ? 1 : -1);
  // As buildModel's tAnnual and seasonAmp, and evaluate()'s tClimate.
  return -25 + 52 * Math.cos(latitude * DEG) + Math.min(16, 0.28 * Math.abs(latitude)) * season -
    0.0065 * elevation;
}

/**
 * Daily values of `days` local calendar days from `firstLocalDate` ("YYYY-MM-DD"), each the
 * aggregate of its local day's hours (see {@linkcode DailySeries}). Days are those of the city's
 * time zone, or of `zone` (an IANA name or a fixed offset such as "+05:00"), as a dialect that
 * answers in another zone needs.
 *
 * @example
 * ```ts
 * const days = dailySeries({ city: madrid, seed: 1, now }, "2026-11-23", 7);
 * days.temperature_max[0]; // the hottest hour of 23 November in Madrid
 * ```
 */
export function dailySeries(
  input: ModelInput,
  firstLocalDate: string,
  days: number,
  zone: string = input.city.timezone,
): DailySeries {
  const m = model(input);
  const first = dayNumber(firstLocalDate);
  if (!Number.isInteger(days) || days < 0) {
    throw new RangeError(`Cannot make a daily series of "${days}" days: expected an integer from 0`);
  }
  const starts = new Float64Array(days + 1);
  for (let d = 0; d <= days; d++) starts[d] = localMidnight(zone, first + d);
  if (days > 0 && (starts[0]! < m.rangeStart || starts[days]! > m.rangeEnd)) {
    throw new RangeError(
      `Cannot answer for ${firstLocalDate} and ${days - 1} days after: the model covers ${
        formatDay(localDayNumber(zone, m.rangeStart))
      } to ${formatDay(localDayNumber(zone, m.rangeEnd - 1))}`,
    );
  }
  // A local day's hours are on the hour of its wall clock, from its first instant (on a quarter hour).
  const startHour = (d: number) => Math.ceil(starts[d]! / SLOT_MS) * SLOT_MS;
  const hoursUntil = (from: number, end: number) => Math.max(0, Math.ceil((end - from) / MS_PER_HOUR));
  let aligned = true;
  for (let d = 1; d < days; d++) if ((startHour(d) - startHour(0)) % MS_PER_HOUR !== 0) aligned = false;
  // One series for all days, unless a change of offset by half an hour (Lord Howe) shifts their hours.
  const all = aligned && days > 0
    ? hourlySeries(input, startHour(0), hoursUntil(startHour(0), starts[days]!))
    : null;
  const col = Object.fromEntries(DAILY_VARIABLES.map((name) => [name, new Float64Array(days)])) as Record<
    DailyVariable,
    Float64Array
  >;
  const date: string[] = [], sunrise: (number | null)[] = [], sunset: (number | null)[] = [];
  const time = new Float64Array(days), offsets = new Int32Array(days), hourCounts = new Uint8Array(days);
  let i = 0;
  for (let d = 0; d < days; d++) {
    const h = all ?? hourlySeries(input, startHour(d), hoursUntil(startHour(d), starts[d + 1]!));
    if (all === null) i = 0;
    const end = starts[d + 1]! / 1000;
    let tMax = -Infinity, tMin = Infinity, aMax = -Infinity, aMin = Infinity, uvMax = 0, code = 0;
    let precip = 0, rain = 0, showers = 0, snow = 0, wetHours = 0, probMax = 0, windMax = 0, gustMax = 0;
    let sunshine = 0, u = 0, v = 0, uu = 0, vv = 0, n = 0;
    for (; i < h.length && h.time[i]! < end; i++, n++) {
      const t = h.temperature[i]!, a = h.apparent_temperature[i]!;
      if (t > tMax) tMax = t;
      if (t < tMin) tMin = t;
      if (a > aMax) aMax = a;
      if (a < aMin) aMin = a;
      if (h.uv_index[i]! > uvMax) uvMax = h.uv_index[i]!;
      if (h.weather_code[i]! > code) code = h.weather_code[i]!;
      precip += h.precipitation[i]!;
      rain += h.rain[i]!;
      showers += h.showers[i]!;
      snow += h.snowfall[i]!;
      if (h.precipitation[i]! > 0) wetHours++;
      if (h.precipitation_probability[i]! > probMax) probMax = h.precipitation_probability[i]!;
      if (h.wind_speed[i]! > windMax) windMax = h.wind_speed[i]!;
      if (h.wind_gusts[i]! > gustMax) gustMax = h.wind_gusts[i]!;
      sunshine += h.sunshine_duration[i]!;
      const dir = h.wind_direction[i]! * DEG, speed = h.wind_speed[i]!;
      u += speed * Math.sin(dir);
      v += speed * Math.cos(dir);
      uu += Math.sin(dir);
      vv += Math.cos(dir);
    }
    const sun = sunDay({ latitude: m.lat, longitude: m.lon, timezone: zone }, first + d);
    date.push(formatDay(first + d));
    time[d] = starts[d]! / 1000;
    offsets[d] = utcOffsetSeconds(zone, starts[d]!);
    hourCounts[d] = n;
    sunrise.push(sun.sunrise === null ? null : Math.round(sun.sunrise / 1000));
    sunset.push(sun.sunset === null ? null : Math.round(sun.sunset / 1000));
    col.weather_code[d] = code;
    col.temperature_max[d] = tMax;
    col.temperature_min[d] = tMin;
    col.apparent_temperature_max[d] = aMax;
    col.apparent_temperature_min[d] = aMin;
    col.daylight_duration[d] = sun.daylight;
    col.sunshine_duration[d] = sunshine;
    col.uv_index_max[d] = uvMax;
    col.precipitation_sum[d] = roundTo(precip, 1);
    col.rain_sum[d] = roundTo(rain, 1);
    col.showers_sum[d] = roundTo(showers, 1);
    col.snowfall_sum[d] = roundTo(snow, 2);
    col.precipitation_hours[d] = wetHours;
    col.precipitation_probability_max[d] = probMax;
    col.wind_speed_max[d] = windMax;
    col.wind_gusts_max[d] = gustMax;
    const mean = u === 0 && v === 0 ? Math.atan2(uu, vv) : Math.atan2(u, v);
    col.wind_direction_dominant[d] = (Math.round(mean / DEG) % 360 + 360) % 360;
  }
  return {
    length: days,
    date,
    time,
    utc_offset_seconds: offsets,
    hours: hourCounts,
    sunrise,
    sunset,
    ...col,
  };
}
