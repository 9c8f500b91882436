// Placeholder of the upstream client's types, until its module lands.
import type { HourlyVariable } from "./model/variables.ts";

/** One location's upstream weather. */
export interface UpstreamWeather {
  readonly latitude: number;
  readonly longitude: number;
  readonly elevation: number | undefined;
  readonly fetchedAt: number;
  readonly version: number;
  readonly current: {
    readonly time: number;
    readonly values: Readonly<Partial<Record<HourlyVariable, number>>>;
  };
  readonly hourly: {
    readonly start: number;
    readonly length: number;
    readonly values: Readonly<Partial<Record<HourlyVariable, Float64Array>>>;
  };
}

/** The upstream client. */
export interface Upstream {
  peek(latitude: number, longitude: number): { weather: UpstreamWeather; fresh: boolean } | undefined;
  load(latitude: number, longitude: number): Promise<boolean>;
  status(): Readonly<Record<string, unknown>>;
}
