import { CityWeatherSchema, type Health } from "./schema.ts";
import type { CityWeather, Forecast } from "./schema.ts";

/** How to render: with ANSI colors or plain. */
export interface Style {
  color: boolean;
}

const paint = (code: string) => (style: Style, text: string) =>
  style.color ? `\x1b[${code}m${text}\x1b[0m` : text;
const bold = paint("1");
const dim = paint("2");
const cyan = paint("36");

const COMPASS = [
  "N",
  "NNE",
  "NE",
  "ENE",
  "E",
  "ESE",
  "SE",
  "SSE",
  "S",
  "SSW",
  "SW",
  "WSW",
  "W",
  "WNW",
  "NW",
  "NNW",
];

/** The 16-point compass name of a direction in degrees: 0 is N, 90 is E. */
export function compassPoint(degrees: number): string {
  return COMPASS[Math.round((((degrees % 360) + 360) % 360) / 22.5) % 16]!;
}

function withUnit(value: number, unit: string): string {
  return unit === "%" || unit === "°" ? `${value}${unit}` : `${value} ${unit}`;
}

function coordinates(latitude: number, longitude: number): string {
  const lat = `${Math.abs(latitude).toFixed(2)}°${latitude < 0 ? "S" : "N"}`;
  const lon = `${Math.abs(longitude).toFixed(2)}°${longitude < 0 ? "W" : "E"}`;
  return `${lat} ${lon}`;
}

function rows(style: Style, pairs: [string, string][]): string[] {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `  ${dim(style, label.padEnd(width))}  ${value}`);
}

/** Renders the city list as a count and the names in aligned columns at most `width` wide. */
export function formatCityList(names: readonly string[], style: Style, width = 80): string {
  const header = bold(style, `${names.length} ${names.length === 1 ? "city" : "cities"}`);
  if (names.length === 0) return header;
  const cell = Math.max(...names.map((name) => name.length)) + 2;
  const perRow = Math.max(1, Math.floor((width - 2) / cell));
  const lines = [header];
  for (let i = 0; i < names.length; i += perRow) {
    lines.push("  " + names.slice(i, i + perRow).map((name) => name.padEnd(cell)).join("").trimEnd());
  }
  return lines.join("\n");
}

function formatCityWeather(city: CityWeather, style: Style): string {
  const { current: now, units } = city;
  const observed = now.observed_at.replace("T", " ").replace(/:\d\d(?:\.\d+)?(?=[+-]|Z)/, " ");
  return [
    `${bold(style, city.name)}, ${city.country}  ${
      dim(style, `${coordinates(city.latitude, city.longitude)}  ${city.timezone}`)
    }`,
    ...rows(style, [
      ["Condition", `${cyan(style, now.condition)} ${dim(style, `(WMO ${now.weather_code})`)}`],
      [
        "Temperature",
        `${bold(style, withUnit(now.temperature, units.temperature))}, feels like ${
          withUnit(now.feels_like, units.feels_like)
        }`,
      ],
      ["Humidity", withUnit(now.humidity, units.humidity)],
      [
        "Wind",
        `${withUnit(now.wind_speed, units.wind_speed)} from ${compassPoint(now.wind_direction)} (${
          withUnit(now.wind_direction, units.wind_direction)
        })`,
      ],
      ["Pressure", withUnit(now.pressure, units.pressure)],
      ["Observed", observed],
    ]),
  ].join("\n");
}

function formatAny(value: unknown, style: Style): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return JSON.stringify(value);
  const pairs = Object.entries(value).map(([key, field]): [string, string] => [
    key,
    typeof field === "string" ? field : JSON.stringify(field),
  ]);
  return pairs.length === 0 ? "{}" : rows(style, pairs).join("\n");
}

/**
 * Renders a weather body for people. A body of this API's shape gets the full layout; any other
 * object (from another server speaking the same routes) is listed field by field.
 */
export function formatWeather(body: unknown, style: Style): string {
  const parsed = CityWeatherSchema.safeParse(body);
  return parsed.success ? formatCityWeather(parsed.data, style) : formatAny(body, style);
}

/** A column of {@linkcode table}: how its cells align, and spaces before it. */
interface Column {
  align: "left" | "right";
  /** Spaces before the column; the first column's are the indent. */
  gap: number;
  /** The column that gives up width, its cells cut with "…", for rows to fit the table's width. */
  shrinks?: boolean;
  paint?: (style: Style, text: string) => string;
}

/**
 * Lays out `cells` (one array per row) in aligned columns, the last one unpadded, at most `width`
 * wide when the shrinking column can give enough. Paint comes after padding, so colour codes
 * never count towards a width.
 */
function table(style: Style, columns: readonly Column[], cells: readonly string[][], width = 80): string[] {
  const widths = columns.map((_, c) => Math.max(0, ...cells.map((row) => row[c]!.length)));
  const total = columns.reduce((sum, column, c) => sum + column.gap + widths[c]!, 0);
  const shrinking = columns.findIndex((column) => column.shrinks);
  if (shrinking >= 0 && total > width) {
    widths[shrinking] = Math.max(MIN_SHRUNK, widths[shrinking]! - (total - width));
  }
  return cells.map((row) =>
    columns.map((column, c) => {
      const w = widths[c]!;
      let text = row[c]!;
      if (text.length > w) text = `${text.slice(0, w - 1)}…`;
      const padding = " ".repeat(c === columns.length - 1 && column.align === "left" ? 0 : w - text.length);
      const painted = column.paint ? column.paint(style, text) : text;
      return " ".repeat(column.gap) + (column.align === "left" ? painted + padding : padding + painted);
    }).join("").trimEnd()
  );
}

/** The narrowest a shrinking column gets: "Overcast" still fits whole. */
const MIN_SHRUNK = 8;

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Mon 23 Nov" for the date "2026-11-23" (or the date part of a local ISO time). */
function dayLabel(date: string): string {
  const [year, month, day] = date.slice(0, 10).split("-").map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return `${WEEKDAYS[weekday]} ${String(day).padStart(2, "0")} ${MONTHS[month - 1]}`;
}

/** The HH:MM of a local ISO time, as written: the city's clock, not this machine's. */
const clock = (time: string) => time.slice(11, 16);

/** Sunrise and sunset as "06:24 16:30", or what stands in for a sun that does not rise or set. */
function sunTimes(day: Forecast["daily"][number]): string {
  if (day.sunrise !== null && day.sunset !== null) return `${clock(day.sunrise)} ${clock(day.sunset)}`;
  if (day.daylight_duration >= 86_400) return "— polar day";
  if (day.daylight_duration <= 0) return "— polar night";
  return `${day.sunrise === null ? "—" : clock(day.sunrise)} ${
    day.sunset === null ? "—" : clock(day.sunset)
  }`;
}

/** `values` with as many decimals as the most precise of them, so that a column lines up on the point. */
function sameDecimals(values: readonly number[]): string[] {
  const places = Math.max(0, ...values.map((value) => /\.(\d+)$/.exec(String(value))?.[1]?.length ?? 0));
  return values.map((value) => value.toFixed(places));
}

/**
 * Renders a forecast for people, within 80 columns: a line on the current conditions, a row per
 * day (condition, lowest/highest temperature, precipitation and its chance, strongest wind and
 * where it mostly came from, sunrise and sunset), then a row per hour when the body has hours.
 * Times are the city's local times as the body writes them.
 */
export function formatForecast(forecast: Forecast, style: Style): string {
  const { current: now, units } = forecast;
  const header = `${bold(style, forecast.name)}, ${forecast.country}  ${
    dim(style, `${dayLabel(now.time)} ${clock(now.time)}`)
  }  ${cyan(style, now.condition)}  ${bold(style, withUnit(now.temperature, units.temperature))}`;
  const conditionColumn: Column = { align: "left", gap: 2, shrinks: true, paint: cyan };
  const { daily, hourly } = forecast;
  const temperatures = sameDecimals(daily.flatMap((day) => [day.temperature_min, day.temperature_max]));
  const sums = sameDecimals(daily.map((day) => day.precipitation_sum));
  const winds = sameDecimals(daily.map((day) => day.wind_speed_max));
  const days = table(
    style,
    [
      { align: "left", gap: 0 },
      conditionColumn,
      { align: "right", gap: 2 },
      { align: "right", gap: 2 },
      { align: "right", gap: 1 },
      { align: "right", gap: 2 },
      { align: "left", gap: 1 },
      { align: "left", gap: 2 },
    ],
    daily.map((day, d) => [
      dayLabel(day.date),
      day.condition,
      `${temperatures[2 * d]}/${temperatures[2 * d + 1]} ${units.temperature_max}`,
      `${sums[d]} ${units.precipitation_sum}`,
      withUnit(day.precipitation_probability_max, units.precipitation_probability_max),
      `${winds[d]} ${units.wind_speed_max}`,
      compassPoint(day.wind_direction_dominant),
      sunTimes(day),
    ]),
  );
  const lines = [header, ...days];
  if (hourly.length > 0) {
    const temperatures = sameDecimals(hourly.map((hour) => hour.temperature));
    const amounts = sameDecimals(hourly.map((hour) => hour.precipitation));
    const winds = sameDecimals(hourly.map((hour) => hour.wind_speed));
    const hours = table(
      style,
      [
        { align: "left", gap: 0 },
        conditionColumn,
        { align: "right", gap: 2 },
        { align: "right", gap: 2 },
        { align: "right", gap: 1 },
        { align: "right", gap: 2 },
        { align: "left", gap: 1 },
      ],
      hourly.map((hour, h) => [
        `${dayLabel(hour.time).slice(0, 3)} ${clock(hour.time)}`,
        hour.condition,
        `${temperatures[h]} ${units.temperature}`,
        `${amounts[h]} ${units.precipitation}`,
        withUnit(hour.precipitation_probability, units.precipitation_probability),
        `${winds[h]} ${units.wind_speed}`,
        compassPoint(hour.wind_direction),
      ]),
    );
    lines.push("", ...hours);
  }
  return lines.join("\n");
}

function describeReportedControls(controls: Health["controls"]): string {
  const parts: string[] = [];
  if (controls.delay_ms) {
    const [min, max] = controls.delay_ms;
    parts.push(`delay ${min === max ? min : `${min}-${max}`} ms`);
  }
  if (controls.fail_rate) parts.push(`fail-rate ${controls.fail_rate}`);
  if (controls.rate_limit) {
    parts.push(`rate-limit ${controls.rate_limit.limit}/${controls.rate_limit.window_s === 1 ? "s" : "min"}`);
  }
  return parts.join(", ");
}

/** Renders the health report on one line, with more naming any mock controls and a failed reload. */
export function formatHealth(health: Health, style: Style): string {
  const line = `${bold(style, health.status)}  ${health.cities} cities  version ${health.version}  ` +
    `loaded ${health.loaded_at} from ${health.source}`;
  const controls = describeReportedControls(health.controls);
  const lines = [line];
  if (controls) lines.push(`  ${cyan(style, "mock controls:")} ${controls}`);
  if (health.last_reload_error !== null) lines.push(`  last reload failed: ${health.last_reload_error}`);
  const up = health.upstream;
  if (up !== null) {
    const rate = `, ${Math.round(up.cache.hit_rate * 100)} % cache hits`;
    const failed = up.last_error === null ? "" : `; last error: ${up.last_error}`;
    lines.push(`  ${cyan(style, "upstream:")} ${up.url} ${up.state}, ${up.calls} calls${rate}${failed}`);
  }
  return lines.join("\n");
}
