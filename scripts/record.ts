// `deno task record`: live weather from an Open-Meteo-compatible API into a data file that serves
// it offline. The work is src/record.ts's; this entry parses flags, prints progress and exits.
import { basename, dirname, resolve } from "node:path";
import { writeFileAtomic } from "../src/atomic_file.ts";
import { parseRecordArgs, RECORD_HELP, RECORD_USAGE, type RecordCommand } from "../src/cli_args.ts";
import { readDataFile } from "../src/data_file.ts";
import { type CityDone, recordCities, recordedFileText } from "../src/record.ts";
import type { WeatherFile } from "../src/schema.ts";
import { BUNDLED_DATA } from "../src/server_wiring.ts";

const encoder = new TextEncoder();
const write = (text: string) => {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) written += Deno.stderr.writeSync(bytes.subarray(written));
};
const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/ \(os error \d+\).*$/s, "");

/** Why `out` cannot be written to, checked before any request: its directory must exist. */
async function outProblem(out: string): Promise<string | undefined> {
  const directory = dirname(resolve(out));
  try {
    if (!(await Deno.stat(directory)).isDirectory) return `"${directory}" is not a directory`;
  } catch {
    return `no such directory "${directory}"`;
  }
  try {
    if ((await Deno.stat(out)).isDirectory) return "it is a directory";
  } catch { /* a new file */ }
  return undefined;
}

async function main(args: string[]): Promise<number> {
  let command: RecordCommand;
  try {
    command = parseRecordArgs(args);
  } catch (error) {
    console.error(`error: ${messageOf(error)}\n${RECORD_USAGE}`);
    return 2;
  }
  if (command.kind === "help") return console.log(RECORD_HELP), 0;
  const { upstream, out, data, forecastDays, pastDays, partial, concurrency } = command.options;
  const problem = await outProblem(out);
  if (problem !== undefined) {
    console.error(`error: Cannot write "${out}": ${problem}\n${RECORD_USAGE}`);
    return 2;
  }
  let file: WeatherFile;
  try {
    ({ file } = await readDataFile(data ?? BUNDLED_DATA));
  } catch (error) {
    console.error(`error: ${messageOf(error)}\n${RECORD_USAGE}`);
    return 2;
  }

  // On a terminal one line shows how far it got (failures stay above it); elsewhere a line per city.
  const terminal = Deno.stderr.isTerminal();
  let failures = 0;
  const onCity = ({ name, done, total, failure }: CityDone) => {
    if (failure) failures++;
    const line = failure ? `${name}: failed: ${failure.reason}` : `${name}: recorded`;
    if (!terminal) return write(`${line}\n`);
    write(
      `\r\x1b[K${failure ? `${line}\n` : ""}Recording: ${done} of ${total} cities` +
        (failures ? `, ${failures} failed` : ""),
    );
  };
  const outcome = await recordCities(file, upstream, { forecastDays, pastDays, concurrency, onCity });
  if (terminal) write("\r\x1b[K");

  const total = file.cities.length, recorded = outcome.recorded.length;
  const failed = outcome.failed.map((city) => city.name).join(", ");
  const skipped = outcome.failed.filter((city) => city.skipped).length;
  const notAsked = skipped > 0 ? ` (${skipped} not asked)` : "";
  if (outcome.unreachable) {
    const reason = outcome.failed.find((city) => !city.skipped)?.reason ?? "no city to record";
    console.error(`error: ${reason}; nothing recorded${notAsked}, "${out}" untouched`);
    return 3;
  }
  if (recorded === 0 || (outcome.failed.length > 0 && !partial)) {
    const hint = recorded > 0 ? " (--partial writes the cities recorded)" : "";
    console.error(
      `Recorded ${recorded} of ${total} cities; failed: ${failed}${notAsked}. Nothing written to "${out}"${hint}`,
    );
    return 1;
  }
  let text: string;
  try {
    text = recordedFileText(file, outcome.recorded, basename(out));
  } catch (error) {
    console.error(`error: The recording does not validate, nothing written: ${messageOf(error)}`);
    return 1;
  }
  try {
    await writeFileAtomic(out, text);
  } catch (error) {
    console.error(`error: Cannot write "${out}": ${messageOf(error)}`);
    return 1;
  }
  // The upstream's current slot: serving the file with the clock there replays the recording as it was.
  const slot = outcome.recorded.map((city) => city.scenarios.at(-1)!.from).sort().at(-1);
  const replay = `; replay it with --data ${out} --now ${slot}`;
  if (outcome.failed.length > 0) {
    console.error(
      `Recorded ${recorded} of ${total} cities into ${out}; failed: ${failed}${notAsked}${replay}`,
    );
    return 1;
  }
  console.error(`Recorded ${recorded} of ${total} cities into ${out}${replay}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
