import { CityWeatherSchema, type Health } from "./schema.ts";
import type { CityWeather } from "./schema.ts";

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
  return lines.join("\n");
}
