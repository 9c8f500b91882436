import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CLIENT_FLAGS,
  CLIENT_HELP,
  CLIENT_USAGE,
  parseClientArgs,
  parseCors,
  parseInstant,
  parsePort,
  parseRecordArgs,
  parseServerArgs,
  RECORD_FLAGS,
  RECORD_HELP,
  RECORD_USAGE,
  SERVER_FLAGS,
  SERVER_USAGE,
  serverHelp,
} from "../src/cli_args.ts";

Deno.test("parseServerArgs() defaults to 127.0.0.1:5000 and the bundled data", () => {
  assert.deepEqual(parseServerArgs([]), {
    kind: "serve",
    options: {
      host: "127.0.0.1",
      port: 5000,
      data: undefined,
      watch: true,
      maxAge: 10,
      cors: { kind: "off" },
      controls: {},
      quiet: false,
      grace: 5000,
      drain: 0,
      now: undefined,
      apiKeys: undefined,
      upstream: undefined,
      reusePort: false,
      trustProxy: [],
    },
  });
});

Deno.test("parseServerArgs() reads every flag, in both --flag value and --flag=value forms", () => {
  assert.deepEqual(
    parseServerArgs([
      "--host",
      "::1",
      "--port=0",
      "--data",
      "x.json",
      "--no-watch",
      "--max-age",
      "0",
      "--cors",
      "--quiet",
      "--now",
      "2026-11-23T21:00:00+09:00",
      "--api-key",
      "k1",
      "--api-key=k2",
      "--upstream",
      "http://127.0.0.1:5001/",
      "--upstream-ttl=60",
      "--upstream-timeout",
      "500",
      "--reuse-port",
      "--drain=250",
      "--trust-proxy",
      "127.0.0.1",
      "--trust-proxy=[::1]",
      "--trust-proxy",
      "127.0.0.1",
    ]),
    {
      kind: "serve",
      options: {
        host: "::1",
        port: 0,
        data: "x.json",
        watch: false,
        maxAge: 0,
        cors: { kind: "any" },
        controls: {},
        quiet: true,
        grace: 5000,
        drain: 250,
        now: Date.UTC(2026, 10, 23, 12),
        apiKeys: ["k1", "k2"],
        upstream: { url: "http://127.0.0.1:5001", ttlMs: 60_000, timeoutMs: 500 },
        reusePort: true,
        trustProxy: ["127.0.0.1", "::1"],
      },
    },
  );
  assert.deepEqual(parseServerArgs(["--help", "--port", "nope"]), { kind: "help" });
  assert.deepEqual(parseServerArgs(["-h"]), { kind: "help" });
  assert.deepEqual(parseServerArgs(["--version"]), { kind: "version" });
});

Deno.test("parseServerArgs() reads --upstream alone as Open-Meteo's API, with a TTL of 15 minutes and 3 s", () => {
  const alone = parseServerArgs(["--upstream", "--quiet"]);
  assert.deepEqual(alone.kind === "serve" && alone.options.upstream, {
    url: "https://api.open-meteo.com",
    ttlMs: 900_000,
    timeoutMs: 3000,
  });
  assert.equal(alone.kind === "serve" && alone.options.quiet, true);
  for (
    const [args, message] of [
      [["--upstream", "ftp://x"], /expected http or https/],
      [["--upstream", "nonsense"], /expected an absolute http or https URL/],
      [["--upstream", "http://x/?a=1"], /expected no query or fragment/],
      [["--upstream", "http://u:p@x/"], /expected no user name or password/],
      [["--upstream", "--upstream-ttl", "0"], /upstream-ttl/],
      [["--upstream", "--upstream-timeout", "-5"], /upstream-timeout/],
      [["--upstream-timeout", "500"], /Option "--upstream-timeout" needs --upstream/],
      [["--upstream-ttl=60"], /Option "--upstream-ttl" needs --upstream/],
    ] as const
  ) {
    assert.throws(() => parseServerArgs([...args]), message, args.join(" "));
  }
});

Deno.test("parseServerArgs() falls back to HOST and PORT, flags winning", () => {
  const env = { HOST: "0.0.0.0", PORT: "8080" };
  const fromEnv = parseServerArgs([], env);
  assert.equal(fromEnv.kind === "serve" && fromEnv.options.host, "0.0.0.0");
  assert.equal(fromEnv.kind === "serve" && fromEnv.options.port, 8080);
  const flagged = parseServerArgs(["--port", "9000", "--host", "127.0.0.1"], env);
  assert.equal(flagged.kind === "serve" && flagged.options.port, 9000);
  assert.equal(flagged.kind === "serve" && flagged.options.host, "127.0.0.1");
  assert.throws(() => parseServerArgs([], { PORT: "http" }), /Invalid PORT environment variable "http"/);
});

Deno.test("parseServerArgs() rejects unknown flags, missing values and stray arguments", () => {
  assert.throws(() => parseServerArgs(["--prot", "1"]), {
    name: "TypeError",
    message: 'Unknown option "--prot"',
  });
  assert.throws(() => parseServerArgs(["--port"]), {
    name: "TypeError",
    message: 'Option "--port" needs a value',
  });
  assert.throws(() => parseServerArgs(["--quiet=yes"]), /Option "--quiet" takes no value/);
  assert.throws(() => parseServerArgs(["extra"]), /Unexpected argument "extra"/);
  assert.throws(() => parseServerArgs(["--data="]), /Invalid data path/);
  assert.throws(() => parseServerArgs(["--host="]), /Invalid host/);
  assert.throws(() => parseServerArgs(["--no-watch=1"]), /Option "--no-watch" takes no value/);
  assert.throws(() => parseServerArgs(["--watch"]), /Unknown option "--watch"/);
});

Deno.test("parsePort() accepts exactly the integers 0 to 65535", () => {
  assert.equal(parsePort("0"), 0);
  assert.equal(parsePort("65535"), 65535);
  assert.throws(() => parsePort("65536"), RangeError);
  for (const bad of ["-1", "1.5", "", "0x10", "1e3", "80a", " "]) {
    assert.throws(() => parsePort(bad), TypeError, bad);
  }
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), (port) => parsePort(String(port)) === port));
  fc.assert(fc.property(fc.integer({ min: 65536 }), (port) => {
    assert.throws(() => parsePort(String(port)), RangeError);
  }));
});

Deno.test("parseClientArgs() runs the tutorial tour with no command", () => {
  assert.deepEqual(parseClientArgs([]), {
    kind: "tour",
    options: {
      url: new URL("http://127.0.0.1:5000"),
      json: false,
      timeout: 5000,
      units: undefined,
      retries: 2,
    },
  });
});

Deno.test("parseClientArgs() reads commands and options in any order", () => {
  assert.deepEqual(
    parseClientArgs(["weather", "São Paulo", "--json", "Tokyo", "--timeout", "250", "--units", "imperial"]),
    {
      kind: "weather",
      cities: ["São Paulo", "Tokyo"],
      options: {
        url: new URL("http://127.0.0.1:5000"),
        json: true,
        timeout: 250,
        units: "imperial",
        retries: 2,
      },
    },
  );
  const health = parseClientArgs(["health", "--url=http://localhost:8000/api/"]);
  assert.equal(health.kind, "health");
  assert.equal(health.kind === "health" && health.options.url.href, "http://localhost:8000/api/");
  const fromEnv = parseClientArgs(["cities"], { WEATHER_URL: "https://weather.test" });
  assert.equal(fromEnv.kind === "cities" && fromEnv.options.url.href, "https://weather.test/");
});

Deno.test("parseClientArgs() rejects bad commands, URLs and timeouts", () => {
  assert.throws(() => parseClientArgs(["forecats", "Tokyo"]), /Unknown command "forecats": expected cities/);
  assert.throws(() => parseClientArgs(["weather"]), /needs at least one city/);
  assert.throws(() => parseClientArgs(["cities", "Tokyo"]), /takes no arguments/);
  assert.throws(() => parseClientArgs(["--url", "ftp://127.0.0.1"]), /expected http or https/);
  assert.throws(
    () => parseClientArgs(["--url", "127.0.0.1:5000"]),
    /expected one like http:\/\/127\.0\.0\.1:5000/,
  );
  assert.throws(() => parseClientArgs(["--url", "not a url"]), /Invalid URL/);
  assert.throws(() => parseClientArgs(["--timeout", "0"]), RangeError);
  assert.throws(() => parseClientArgs(["--timeout", "soon"]), TypeError);
  assert.throws(() => parseClientArgs(["--verbose"]), /Unknown option "--verbose"/);
  assert.throws(
    () => parseClientArgs(["--units", "kelvin"]),
    /Invalid units "kelvin": expected "metric", "imperial", "si"/,
  );
});

Deno.test("parseClientArgs() reads forecast CITY with --days and --hours", () => {
  assert.deepEqual(parseClientArgs(["forecast", "New York", "--days", "3", "--hours=12", "--units", "si"]), {
    kind: "forecast",
    city: "New York",
    days: 3,
    hours: 12,
    options: {
      url: new URL("http://127.0.0.1:5000"),
      json: false,
      timeout: 5000,
      units: "si",
      retries: 2,
    },
  });
  // Days left to the server; no hours unless asked for.
  const plain = parseClientArgs(["forecast", "Tokyo", "--json"]);
  assert.equal(plain.kind, "forecast");
  assert.deepEqual(plain.kind === "forecast" && [plain.days, plain.hours, plain.options.json], [
    undefined,
    0,
    true,
  ]);
  const edges = parseClientArgs(["--days=16", "--hours", "384", "forecast", "Lima"]);
  assert.deepEqual(edges.kind === "forecast" && [edges.days, edges.hours], [16, 384]);
});

Deno.test("parseClientArgs() rejects forecast without one city, and --days or --hours out of range", () => {
  assert.throws(() => parseClientArgs(["forecast"]), {
    name: "TypeError",
    message: 'Command "forecast" needs a city',
  });
  assert.throws(() => parseClientArgs(["forecast", "New", "York"]), {
    name: "TypeError",
    message: 'Command "forecast" takes one city, got 2: quote a name with spaces, like "New York"',
  });
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--days", "0"]), {
    name: "RangeError",
    message: 'Invalid days "0": expected 1 to 16',
  });
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--days", "17"]), RangeError);
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--days", "three"]), {
    name: "TypeError",
    message: 'Invalid days "three": expected a whole number',
  });
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--hours", "385"]), {
    name: "RangeError",
    message: 'Invalid hours "385": expected 0 to 384',
  });
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--hours", "-1"]), TypeError);
  assert.throws(() => parseClientArgs(["forecast", "Tokyo", "--days"]), /Option "--days" needs a value/);
});

Deno.test("parseClientArgs() accepts --days and --hours only with forecast", () => {
  for (const args of [["weather", "Tokyo", "--days", "3"], ["--hours", "2"], ["cities", "--hours=1"]]) {
    assert.throws(() => parseClientArgs(args), {
      name: "TypeError",
      message: new RegExp(`^Option "--(days|hours)" is only for the "forecast" command$`),
    }, args.join(" "));
  }
  // Even out of range, the option is reported as misplaced first.
  assert.throws(() => parseClientArgs(["health", "--days", "99"]), /only for the "forecast" command/);
  // An unknown command is reported as such, not as a misplaced option.
  assert.throws(() => parseClientArgs(["forcast", "Tokyo", "--days", "3"]), /Unknown command "forcast"/);
});

Deno.test("parseServerArgs() reads --max-age as whole seconds", () => {
  const served = parseServerArgs(["--max-age", "300"]);
  assert.equal(served.kind === "serve" && served.options.maxAge, 300);
  assert.throws(() => parseServerArgs(["--max-age", "-1"]), TypeError);
  assert.throws(() => parseServerArgs(["--max-age", "1.5"]), TypeError);
  assert.throws(() => parseServerArgs(["--max-age", "99999999"]), RangeError);
});

Deno.test("parseServerArgs() reads --cors alone, with origins, and repeated", () => {
  const policy = (args: string[]) => {
    const command = parseServerArgs(args);
    assert.equal(command.kind, "serve");
    return command.kind === "serve" ? command.options.cors : undefined;
  };
  assert.deepEqual(policy([]), { kind: "off" });
  assert.deepEqual(policy(["--cors"]), { kind: "any" });
  assert.deepEqual(policy(["--cors", "--port", "0"]), { kind: "any" });
  assert.deepEqual(policy(["--cors", "*"]), { kind: "any" });
  assert.deepEqual(policy(["--cors", "https://app.example", "--cors=http://localhost:3000/"]), {
    kind: "list",
    origins: new Set(["https://app.example", "http://localhost:3000"]),
  });
});

Deno.test("parseCors() refuses values that are not origins", () => {
  for (const bad of ["app.example", "https://app.example/path", "ftp://x.example", "null"]) {
    assert.throws(() => parseCors([bad]), /Invalid CORS origin/, bad);
  }
});

Deno.test("parseServerArgs() and parseClientArgs() skip a leading --, as npm users type it", () => {
  const served = parseServerArgs(["--", "--port", "5501"]);
  assert.equal(served.kind === "serve" && served.options.port, 5501);
  const asked = parseClientArgs(["--", "health", "--json"]);
  assert.equal(asked.kind, "health");
  assert.equal(asked.kind === "health" && asked.options.json, true);
  // Only a leading one: a "--" later still ends the options.
  assert.throws(() => parseServerArgs(["--quiet", "--", "--port", "1"]), /Unexpected argument "--port"/);
});

Deno.test("parseServerArgs() reads --grace as whole milliseconds", () => {
  const served = parseServerArgs(["--grace", "250"]);
  assert.equal(served.kind === "serve" && served.options.grace, 250);
  assert.throws(() => parseServerArgs(["--grace", "soon"]), {
    name: "TypeError",
    message: /Invalid grace "soon"/,
  });
  assert.throws(() => parseServerArgs(["--grace", "600001"]), RangeError);
});

Deno.test("parseServerArgs() rejects a --trust-proxy that is not an address and a --drain out of range", () => {
  assert.throws(() => parseServerArgs(["--trust-proxy", "localhost"]), {
    name: "TypeError",
    message: 'Invalid trust-proxy address "localhost": expected an IP address, like 127.0.0.1',
  });
  assert.throws(() => parseServerArgs(["--trust-proxy"]), /Option "--trust-proxy" needs a value/);
  assert.throws(() => parseServerArgs(["--drain", "60001"]), {
    name: "RangeError",
    message: /Invalid drain "60001"/,
  });
  assert.throws(() => parseServerArgs(["--reuse-port=1"]), /Option "--reuse-port" takes no value/);
});

Deno.test("SERVER_USAGE and serverHelp() show every flag of SERVER_FLAGS, and parsing knows each", () => {
  assert.match(SERVER_USAGE, /^Usage: weather-server \[--host HOST\] \[--port PORT\] /);
  const help = serverHelp("Routes: (a test line)");
  assert.ok(help.includes(`\n${SERVER_USAGE}\n`));
  assert.ok(help.includes("\nRoutes: (a test line)\n"), "the routes line is the one passed in");
  for (const flag of SERVER_FLAGS) {
    const label = flag.value === undefined ? `--${flag.name}` : `--${flag.name} `;
    assert.ok(SERVER_USAGE.includes(`[${label}`), `usage lists --${flag.name}`);
    assert.match(help, new RegExp(`\\n  ${label.replace(/[|[\]]/g, "\\$&")}`), `help lists --${flag.name}`);
    assert.ok(help.includes(flag.description), `help describes --${flag.name}`);
    const args = flag.value === undefined ? [`--${flag.name}`] : [`--${flag.name}=${sample(flag.name)}`];
    // The upstream's settings go with --upstream.
    if (flag.name.startsWith("upstream-")) args.push("--upstream");
    assert.doesNotThrow(() => parseServerArgs(args), `--${flag.name} parses`);
  }
});

Deno.test("CLIENT_USAGE and CLIENT_HELP show every flag of CLIENT_FLAGS, --retries included", () => {
  assert.match(
    CLIENT_USAGE,
    /^Usage: weather-client \[--url URL\] .*\[--days N\] \[--hours N\] .*\[--retries N\] .*\[cities \| weather CITY\.\.\. \| forecast CITY \| health\]$/,
  );
  for (const flag of CLIENT_FLAGS) {
    assert.ok(CLIENT_USAGE.includes(`[--${flag.name}`), `usage lists --${flag.name}`);
    assert.ok(CLIENT_HELP.includes(`\n  --${flag.name}`), `help lists --${flag.name}`);
    assert.ok(CLIENT_HELP.includes(flag.description), `help describes --${flag.name}`);
  }
  assert.match(CLIENT_HELP, /\n {2}forecast CITY {4}Show a city's forecast/);
});

/** A valid value for each server flag that takes one. */
function sample(name: string): string {
  const values: Record<string, string> = {
    host: "::1",
    port: "0",
    data: "x.json",
    "max-age": "1",
    cors: "*",
    grace: "1",
    delay: "1-2",
    "fail-rate": "0.5",
    seed: "1",
    now: "2026-11-23T12:00:00Z",
    "api-key": "abc",
    "rate-limit": "1/s",
    upstream: "http://127.0.0.1:5001",
    "upstream-ttl": "60",
    "upstream-timeout": "500",
    drain: "100",
    "trust-proxy": "127.0.0.1",
  };
  return values[name] ?? "";
}

Deno.test("parseInstant() reads ISO 8601 times with an offset, and rejects the rest", () => {
  assert.equal(parseInstant("2026-11-23T12:00:00Z"), Date.UTC(2026, 10, 23, 12));
  assert.equal(parseInstant("2026-11-23T12:00Z"), Date.UTC(2026, 10, 23, 12));
  assert.equal(parseInstant("2026-11-23T21:00:00.5+09:00"), Date.UTC(2026, 10, 23, 12, 0, 0, 500));
  assert.equal(parseInstant("2028-02-29T00:00:00-05:00"), Date.UTC(2028, 1, 29, 5));
  for (
    const text of [
      "2026-11-23",
      "2026-11-23T12:00:00",
      "2026-02-30T12:00:00Z",
      "2026-11-23T25:00Z",
      "now",
      "",
    ]
  ) {
    assert.throws(() => parseInstant(text), (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.equal(
        error.message,
        `Invalid time ${
          JSON.stringify(text)
        }: expected ISO 8601 with Z or an offset, like 2026-11-23T12:00:00Z`,
      );
      return true;
    }, text);
  }
  assert.throws(() => parseServerArgs(["--now", "tomorrow"]), /Invalid time "tomorrow"/);
});

Deno.test("parseServerArgs() takes --api-key keys as they would appear in appid=, and refuses others", () => {
  for (const key of ["", "a b", "a&b", "k=v", "é"]) {
    assert.throws(() => parseServerArgs(["--api-key", key]), /Invalid API key/, JSON.stringify(key));
  }
  const parsed = parseServerArgs(["--api-key", "0123abcd"]);
  assert.deepEqual(parsed.kind === "serve" && parsed.options.apiKeys, ["0123abcd"]);
});

Deno.test("parseRecordArgs() needs --upstream and --out; a bare --upstream is Open-Meteo's", () => {
  assert.deepEqual(parseRecordArgs(["--upstream", "--out", "live.json"]), {
    kind: "record",
    options: {
      upstream: new URL("https://api.open-meteo.com"),
      out: "live.json",
      data: undefined,
      forecastDays: 16,
      pastDays: 2,
      partial: false,
      concurrency: 4,
    },
  });
  const parsed = parseRecordArgs([
    "--upstream=http://127.0.0.1:5001/",
    "--out",
    "x.json",
    "--data",
    "c.json",
    "--days",
    "3",
    "--past-days=0",
    "--partial",
    "--concurrency",
    "2",
  ]);
  assert.deepEqual(
    parsed.kind === "record" && { ...parsed.options, upstream: parsed.options.upstream.href },
    {
      upstream: "http://127.0.0.1:5001/",
      out: "x.json",
      data: "c.json",
      forecastDays: 3,
      pastDays: 0,
      partial: true,
      concurrency: 2,
    },
  );
  assert.deepEqual(parseRecordArgs(["-h"]), { kind: "help" });
  assert.throws(() => parseRecordArgs(["--out", "x.json"]), {
    name: "TypeError",
    message: 'Missing option "--upstream"',
  });
  assert.throws(() => parseRecordArgs(["--upstream", "--out", ""]), TypeError);
  assert.throws(() => parseRecordArgs(["--upstream", "--out", "x", "--past-days", "93"]), RangeError);
  assert.throws(
    () => parseRecordArgs(["--upstream", "http://x/?a=1", "--out", "x"]),
    /expected no query or fragment/,
  );
});

Deno.test("RECORD_USAGE and RECORD_HELP show every flag of RECORD_FLAGS, required ones unbracketed", () => {
  assert.match(RECORD_USAGE, /^Usage: deno task record --upstream \[URL\] --out FILE \[--data CITIES\] /);
  for (const flag of RECORD_FLAGS) {
    assert.ok(RECORD_USAGE.includes(`--${flag.name}`), flag.name);
    assert.ok(RECORD_HELP.includes(`  --${flag.name}`), flag.name);
  }
});
