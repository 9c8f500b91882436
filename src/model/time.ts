/**
 * Time-zone arithmetic for the weather model: UTC offsets, local calendar dates and local
 * midnights, from the runtime's IANA data (`Intl`) without any locale-dependent formatting.
 *
 * Offsets are looked up once per zone and UTC day and cached: a day whose two ends share an
 * offset has it all day long; a day whose ends differ has its transition found to the minute.
 * @module
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
/** Milliseconds in a day of 24 hours. */
export const MS_PER_DAY = 86_400_000;
/**
 * Milliseconds of the model's time step for "now": its clock, its current conditions and every
 * answer cache key in 15-minute slots.
 */
export const SLOT_MS = 900_000;

/** The start of the 15-minute slot holding the instant `ms`, epoch ms. */
export const slotOf = (ms: number): number => Math.floor(ms / SLOT_MS) * SLOT_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();
// Per zone: UTC day index → [offset at the day's start (s), transition instant (ms) or Infinity, offset after it (s)].
const dayOffsets = new Map<string, Map<number, readonly [number, number, number]>>();
const MAX_DAYS_PER_ZONE = 20_000;
const OFFSET = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    } catch {
      throw new RangeError(`Cannot use time zone "${zone}": expected an IANA time zone like "Asia/Tokyo"`);
    }
    formatters.set(zone, f);
  }
  return f;
}

function rawOffsetSeconds(zone: string, ms: number): number {
  const name = formatter(zone).formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = OFFSET.exec(name);
  if (m === null) throw new RangeError(`Cannot read the UTC offset of "${zone}": got "${name}"`);
  if (m[1] === undefined) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -seconds : seconds;
}

function offsetsOfDay(zone: string, day: number): readonly [number, number, number] {
  let days = dayOffsets.get(zone);
  if (days === undefined) dayOffsets.set(zone, days = new Map());
  let entry = days.get(day);
  if (entry === undefined) {
    const start = day * MS_PER_DAY;
    const before = rawOffsetSeconds(zone, start);
    const after = rawOffsetSeconds(zone, start + MS_PER_DAY);
    if (before === after) {
      entry = [before, Infinity, after];
    } else {
      // Zones change their offset at most once a day: find the first minute with the new offset.
      let lo = 0, hi = 1440;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (rawOffsetSeconds(zone, start + mid * MS_PER_MINUTE) === before) lo = mid;
        else hi = mid;
      }
      entry = [before, start + hi * MS_PER_MINUTE, after];
    }
    if (days.size >= MAX_DAYS_PER_ZONE) days.clear();
    days.set(day, entry);
  }
  return entry;
}

/**
 * The UTC offset of `zone` at the instant `ms` (epoch milliseconds), in seconds east of UTC.
 *
 * @example
 * ```ts
 * utcOffsetSeconds("Asia/Kathmandu", Date.UTC(2026, 10, 23)); // 20700 (+05:45)
 * ```
 */
export function utcOffsetSeconds(zone: string, ms: number): number {
  const entry = offsetsOfDay(zone, Math.floor(ms / MS_PER_DAY));
  return ms < entry[1] ? entry[0] : entry[2];
}

/** The UTC offsets (seconds) of `zone` at the instants `from + i * step` (epoch ms), into `out`. */
export function utcOffsets(zone: string, from: number, step: number, out: Int32Array): void {
  let day = NaN, entry: readonly [number, number, number] = [0, Infinity, 0];
  for (let i = 0; i < out.length; i++) {
    const ms = from + i * step;
    const d = Math.floor(ms / MS_PER_DAY);
    if (d !== day) {
      entry = offsetsOfDay(zone, d);
      day = d;
    }
    out[i] = ms < entry[1] ? entry[0] : entry[2];
  }
}

/** Days since 1970-01-01 of a calendar date "YYYY-MM-DD", checked to be a real date. */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || formatDay(ms / MS_PER_DAY) !== date) {
    throw new SyntaxError(`Cannot read date "${date}": expected a calendar date like "2026-11-23"`);
  }
  return ms / MS_PER_DAY;
}

/** The calendar date "YYYY-MM-DD" of a day number (days since 1970-01-01). */
export function formatDay(day: number): string {
  const d = new Date(day * MS_PER_DAY);
  const y = d.getUTCFullYear(), mo = d.getUTCMonth() + 1, da = d.getUTCDate();
  return `${String(y).padStart(4, "0")}-${mo < 10 ? "0" : ""}${mo}-${da < 10 ? "0" : ""}${da}`;
}

/** The local calendar day number (days since 1970-01-01) of the instant `ms` in `zone`. */
export function localDayNumber(zone: string, ms: number): number {
  return Math.floor((ms + utcOffsetSeconds(zone, ms) * 1000) / MS_PER_DAY);
}

/**
 * The local calendar date "YYYY-MM-DD" of the instant `ms` in `zone`.
 *
 * @example
 * ```ts
 * localDate("Pacific/Auckland", Date.parse("2026-11-23T12:00:00Z")); // "2026-11-24"
 * ```
 */
export function localDate(zone: string, ms: number): string {
  return formatDay(localDayNumber(zone, ms));
}

/**
 * The first instant (epoch ms) of local calendar day `day` (a day number or "YYYY-MM-DD") in
 * `zone`: local midnight, or the end of the gap where a zone skips midnight for summer time.
 *
 * @example
 * ```ts
 * localMidnight("Europe/Berlin", "2027-03-28"); // Date.parse("2027-03-27T23:00:00Z")
 * ```
 */
export function localMidnight(zone: string, day: number | string): number {
  const d = typeof day === "string" ? dayNumber(day) : day;
  const wall = d * MS_PER_DAY;
  // Offsets are within ±18 h, so the day starts within that of its wall-clock midnight.
  let t = wall - utcOffsetSeconds(zone, wall) * 1000;
  t = wall - utcOffsetSeconds(zone, t) * 1000;
  if (localDayNumber(zone, t) === d && localDayNumber(zone, t - 1) < d) return t;
  // Midnight falls in a gap, or comes twice: search the day's first minute.
  let lo = wall - 18 * MS_PER_HOUR, hi = wall + 18 * MS_PER_HOUR;
  while (hi - lo > MS_PER_MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
    if (localDayNumber(zone, mid) < d) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The date `n` calendar days after `date` ("YYYY-MM-DD"; `n` may be negative). */
export function addDays(date: string, n: number): string {
  return formatDay(dayNumber(date) + n);
}

/** An instant given as a `Date` or epoch milliseconds, as epoch milliseconds (finite, or a `TypeError`). */
export function toEpochMs(value: number | Date): number {
  const ms = typeof value === "number" ? value : value instanceof Date ? value.getTime() : NaN;
  if (!Number.isFinite(ms)) {
    throw new TypeError(`Cannot use instant "${String(value)}": expected a Date or epoch ms`);
  }
  return ms;
}

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * A UTC offset in seconds as ISO 8601 text: "+09:00", "-03:30", "+05:45" ("+00:00" for UTC).
 *
 * @example
 * ```ts
 * offsetText(20700); // "+05:45"
 * ```
 */
export function offsetText(offsetSeconds: number): string {
  const minutes = Math.round(Math.abs(offsetSeconds) / 60);
  return `${offsetSeconds < 0 ? "-" : "+"}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/**
 * The wall-clock time of the instant `ms` at a UTC offset, "YYYY-MM-DDTHH:MM" (Open-Meteo's form),
 * with seconds and the offset when `full` ("2026-11-23T20:14:00+09:00", as the data file's).
 */
export function localIsoTime(ms: number, offsetSeconds: number, full = false): string {
  const wall = Math.floor(ms / 1000) * 1000 + offsetSeconds * 1000;
  const d = new Date(wall);
  const text = `${formatDay(Math.floor(wall / MS_PER_DAY))}T${pad2(d.getUTCHours())}:${
    pad2(d.getUTCMinutes())
  }`;
  return full ? `${text}:${pad2(d.getUTCSeconds())}${offsetText(offsetSeconds)}` : text;
}

const abbreviations = new Map<string, string>();

/**
 * The zone's abbreviation at the instant `ms`, as ICU's English names it ("CET", "CEST", "GMT+9",
 * "GMT+5:45"): what Open-Meteo answers as `timezone_abbreviation`. Cached per zone and offset.
 */
export function zoneAbbreviation(zone: string, ms: number): string {
  const offset = utcOffsetSeconds(zone, ms);
  const key = `${zone}|${offset}`;
  let found = abbreviations.get(key);
  if (found === undefined) {
    const f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" });
    found = f.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    if (abbreviations.size < 10_000) abbreviations.set(key, found);
  }
  return found;
}
