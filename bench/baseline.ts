// The references bench:load compares our server with, on 127.0.0.1.
//
// The ceiling: a bare Deno.serve answering every request with one precomputed body, whatever the
// request, and only the headers given.
//
// With --floor, the least a handler can do through Deno's API for our server's per-request
// features: it reads the request URL and the headers our server reads (request id, Host,
// Prefer, the conditional and encoding headers) and answers a clone of one prepared response with
// every header given, setting a fresh request id. What our server costs beyond the floor is ours
// to remove; what the floor costs beyond the ceiling is the price of the features on this runtime.
//
// With --log as well, the floor writes the server's own access log to stderr (src/access_log.ts,
// batched as the server batches it): what a line per request costs a handler that does nothing else.
//
//   deno run --allow-net=127.0.0.1 --allow-read=body.json bench/baseline.ts --body body.json \
//     [--status 200] [--header "content-type: application/json"]... [--floor [--log]] [--port 0]
import { parseArgs } from "node:util";
import { withAccessLog } from "../src/access_log.ts";
import { stderrLines } from "../src/server_wiring.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    body: { type: "string" },
    status: { type: "string", default: "200" },
    header: { type: "string", multiple: true, default: [] },
    floor: { type: "boolean", default: false },
    log: { type: "boolean", default: false },
    port: { type: "string", default: "0" },
  },
});
const body = values.body === undefined ? null : await Deno.readFile(values.body);
const status = Number(values.status);
const headers = values.header.map((line) => {
  const colon = line.indexOf(":");
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
});

function ceiling(): Response {
  return new Response(body, { status, headers });
}

const template = new Response(body, { status, headers });
// What was read is summed here, where the optimizer cannot drop it.
let read = 0;

function floor(request: Request): Response {
  const url = request.url;
  read += url.indexOf("?", url.indexOf("/", 8));
  const fields = request.headers;
  fields.getSetCookie(); // one call for the whole list, as our server does
  for (
    const name of ["x-request-id", "host", "prefer", "if-none-match", "if-modified-since", "accept-encoding"]
  ) {
    read += fields.get(name)?.length ?? 0;
  }
  const response = template.clone();
  response.headers.set("x-request-id", crypto.randomUUID());
  return response;
}

const log = stderrLines();
const handler = values.floor ? floor : ceiling;
const name = `${values.floor ? "floor" : "baseline"}${values.log ? ", with the access log" : ""}`;

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(values.port),
  onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}/ (${name})`),
}, values.log ? withAccessLog(handler, (line) => log.push(line)) : handler);
