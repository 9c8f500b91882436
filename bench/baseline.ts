// The ceiling bench:load compares our server with: a bare Deno.serve on 127.0.0.1 answering every
// request with one precomputed body, whatever the request.
//
//   deno run --allow-net=127.0.0.1 --allow-read=body.json bench/baseline.ts --body body.json \
//     [--status 200] [--header "content-type: application/json"]... [--port 0]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    body: { type: "string" },
    status: { type: "string", default: "200" },
    header: { type: "string", multiple: true, default: [] },
    port: { type: "string", default: "0" },
  },
});
const body = values.body === undefined ? null : await Deno.readFile(values.body);
const status = Number(values.status);
const headers = values.header.map((line) => {
  const colon = line.indexOf(":");
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()] as [string, string];
});

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(values.port),
  onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}/ (baseline)`),
}, () => new Response(body, { status, headers }));
