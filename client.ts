import {
  CLIENT_HELP,
  CLIENT_PROGRAM,
  CLIENT_USAGE,
  type ClientCommand,
  optionalEnv,
  parseClientArgs,
} from "./src/cli_args.ts";
import { formatCityList, formatForecast, formatHealth, formatWeather, type Style } from "./src/format.ts";
import { VERSION } from "./src/version.ts";
import {
  type RetryEvent,
  WeatherApiError,
  WeatherClient,
  WeatherConnectionError,
} from "./src/weather_client.ts";

/** Prints what went wrong and returns the exit status it maps to. */
function report(error: unknown): number {
  if (error instanceof WeatherConnectionError) {
    // A timeout means something answered the connection: the server is running, only slow.
    const advice = error.timedOut ? "" : "\nIs the server running? Start it with: deno task serve";
    console.error(`error: ${error.message}${advice}`);
    return 3;
  }
  console.error(`error: ${(error as Error).message}`);
  return error instanceof WeatherApiError && error.transient ? 3 : 1;
}

function describeRetry({ attempt, attempts, delayMs, error }: RetryEvent): string {
  const what = error instanceof WeatherApiError ? `${error.status} ${error.message}` : error.message;
  return `retry: attempt ${attempt} of ${attempts} failed (${what}); trying again in ${
    (delayMs / 1000).toFixed(1)
  } s`;
}

async function run(command: Exclude<ClientCommand, { kind: "help" | "version" }>): Promise<number> {
  const { url, json, timeout, units, retries } = command.options;
  const onRetry = json ? undefined : (event: RetryEvent) => console.error(describeRetry(event));
  const client = new WeatherClient({ baseUrl: url, timeout, retries, onRetry });
  const style: Style = { color: !json && Deno.stdout.isTerminal() && !optionalEnv("NO_COLOR") };
  const print = (value: unknown, human: () => string) => console.log(json ? JSON.stringify(value) : human());
  try {
    switch (command.kind) {
      case "health": {
        const health = await client.health();
        print(health, () => formatHealth(health, style));
        return 0;
      }
      case "cities":
      case "tour": {
        const cities = await client.cities();
        print({ cities }, () => formatCityList(cities, style));
        if (command.kind === "cities") return 0;
        if (!json) console.log();
        const tokyo = await client.weatherData("Tokyo", { units });
        print(tokyo, () => formatWeather(tokyo, style));
        return 0;
      }
      case "weather": {
        let status = 0;
        for (const [i, city] of command.cities.entries()) {
          try {
            const body = await client.weatherData(city, { units });
            if (!json && i > 0) console.log();
            print(body, () => formatWeather(body, style));
          } catch (error) {
            if (!(error instanceof WeatherApiError)) throw error;
            status = report(error);
          }
        }
        return status;
      }
      case "forecast": {
        const { city, days, hours } = command;
        // --json prints the body as it came; the table needs it checked.
        if (json) console.log(JSON.stringify(await client.forecastData(city, { days, hours, units })));
        else console.log(formatForecast(await client.forecast(city, { days, hours, units }), style));
        return 0;
      }
    }
  } catch (error) {
    return report(error);
  }
}

async function main(args: string[]): Promise<number> {
  let command: ClientCommand;
  try {
    command = parseClientArgs(args, { WEATHER_URL: optionalEnv("WEATHER_URL") });
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n${CLIENT_USAGE}`);
    return 2;
  }
  if (command.kind === "help") return console.log(CLIENT_HELP), 0;
  if (command.kind === "version") return console.log(`${CLIENT_PROGRAM} ${VERSION}`), 0;
  return await run(command);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
