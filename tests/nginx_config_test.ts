import assert from "node:assert/strict";
import { openMeteoErrorBody } from "../src/dialects/open_meteo_errors.ts";
import { openWeatherMapErrorBody } from "../src/dialects/openweathermap_errors.ts";
import { fillTemplate, nginxConfig, type NginxSettings, rateLimitedBodies } from "../src/nginx_config.ts";
import { fail, problem } from "../src/problem.ts";
import { ROOT } from "./_helpers.ts";

const TEMPLATE = await Deno.readTextFile(new URL("deploy/nginx.conf", ROOT));
/** The nginx program here, on PATH or where Debian puts it; undefined when there is none. */
async function findNginx(): Promise<string | undefined> {
  for (const path of ["nginx", "/usr/sbin/nginx"]) {
    try {
      if ((await new Deno.Command(path, { args: ["-v"], stderr: "null" }).output()).success) return path;
    } catch { /* not there */ }
  }
  return undefined;
}
const NGINX = await findNginx();

/** Whether this runs as root, when nginx takes a `user` (without --allow-sys, which the suite lacks). */
async function root(): Promise<boolean> {
  const { stdout } = await new Deno.Command("id", { args: ["-u"] }).output();
  return new TextDecoder().decode(stdout).trim() === "0";
}
const BASE: NginxSettings = {
  dir: "/tmp/cluster-x",
  listen: { host: "127.0.0.1", port: 5000 },
  ports: [40001],
};

Deno.test("fillTemplate() fills text marks, repeats a line per item of a list and drops a line without a value", () => {
  const template = "a {{X}} b\nserver {{PORT}} x={{X}};\nuser {{USER}};\nend";
  assert.equal(
    fillTemplate(template, { X: "1", PORT: ["p1", "p2"], USER: undefined }),
    "a 1 b\nserver p1 x=1;\nserver p2 x=1;\nend",
  );
  assert.equal(fillTemplate("{{L}}", { L: [] }), "", "an empty list leaves the line out");
});

Deno.test("fillTemplate() throws RangeError for a mark without a value and for two lists on a line", () => {
  assert.throws(() => fillTemplate("a {{NOPE}}", {}), {
    name: "RangeError",
    message: "No value for the template mark {{NOPE}}",
  });
  assert.throws(() => fillTemplate("{{A}} {{B}}", { A: ["1"], B: ["2"] }), RangeError);
});

Deno.test("nginxConfig() fills every mark of deploy/nginx.conf: instances, listen address, directory", () => {
  const config = nginxConfig(TEMPLATE, { ...BASE, ports: [40001, 40002, 40003] });
  assert.doesNotMatch(config, /\{\{/);
  assert.deepEqual(
    [...config.matchAll(/^\s*server (\S+) max_fails=1 fail_timeout=1s;$/gm)].map((match) => match[1]),
    ["127.0.0.1:40001", "127.0.0.1:40002", "127.0.0.1:40003"],
  );
  assert.match(config, /^\s*listen 127\.0\.0\.1:5000 backlog=4096;$/m);
  assert.match(config, /^pid \/tmp\/cluster-x\/nginx\.pid;$/m);
  for (const temp of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    assert.match(config, new RegExp(`^\\s*${temp}_temp_path /tmp/cluster-x/${temp};$`, "m"));
  }
  assert.match(config, /^\s*proxy_cache weather;$/m);
  assert.doesNotMatch(config, /^\s*user /m, "no user directive unless asked");
  assert.doesNotMatch(config, /limit_req /, "no rate limit unless asked");
  assert.match(
    nginxConfig(TEMPLATE, { ...BASE, listen: { host: "::1", port: 8080 } }),
    /^\s*listen \[::1\]:8080 /m,
  );
  assert.throws(() => nginxConfig(TEMPLATE, { ...BASE, listen: { host: "::1", port: 0 } }), RangeError);
  assert.match(nginxConfig(TEMPLATE, { ...BASE, user: "root" }), /^user root;/m);
  assert.match(nginxConfig(TEMPLATE, { ...BASE, cache: false }), /^\s*proxy_cache off;$/m);
  assert.throws(() => nginxConfig(TEMPLATE, { ...BASE, ports: [] }), RangeError);
  assert.throws(() => nginxConfig(TEMPLATE, { ...BASE, dir: "/tmp/a b" }), RangeError);
});

Deno.test("nginxConfig() retries only errors and timeouts, POST /v1/forecast included, never a 503", () => {
  const config = nginxConfig(TEMPLATE, BASE);
  const retries = [...config.matchAll(/^\s*proxy_next_upstream (.*);$/gm)].map((match) => match[1]);
  assert.deepEqual(retries, ["error timeout", "error timeout non_idempotent"]);
  assert.doesNotMatch(config, /http_5\d\d/);
});

Deno.test("nginxConfig() --rate-limit: one zone, a burst of N, and each API's own 429 body", () => {
  const config = nginxConfig(TEMPLATE, { ...BASE, rateLimit: { limit: 30, windowMs: 60_000 } });
  assert.match(config, /limit_req_zone \$binary_remote_addr zone=clients:10m rate=30r\/m;/);
  assert.equal(config.match(/limit_req zone=clients burst=30 nodelay;/g)?.length, 4);
  assert.match(config, /add_header Retry-After 2 always;/);
  const detail = "Too many requests: the limit is 30 per 60 s per client";
  const bodies = rateLimitedBodies({ limit: 30, windowMs: 60_000 });
  assert.equal(bodies.ours, JSON.stringify(problem("rate_limited", detail)));
  assert.equal(bodies.openMeteo, openMeteoErrorBody(fail("rate_limited", detail)).body);
  assert.equal(bodies.openWeatherMap, openWeatherMapErrorBody(fail("rate_limited", detail)).body);
  for (const body of Object.values(bodies)) assert.ok(config.includes(`return 429 '${body}';`), body);
});

Deno.test("nginxConfig() gives nginx's 429 the CORS origin the servers would allow", () => {
  assert.doesNotMatch(nginxConfig(TEMPLATE, BASE), /^\s*"~\." "\*";$/m);
  assert.match(nginxConfig(TEMPLATE, { ...BASE, cors: { kind: "any" } }), /^\s*"~\." "\*";$/m);
  const listed = nginxConfig(TEMPLATE, {
    ...BASE,
    cors: { kind: "list", origins: new Set(["https://a.example"]) },
  });
  assert.match(listed, /^\s*"https:\/\/a\.example" \$http_origin;$/m);
});

Deno.test({
  name: NGINX === undefined
    ? "nginx -t accepts the configuration nginxConfig() writes (ignored: nginx not installed)"
    : "nginx -t accepts the configuration nginxConfig() writes, for every combination of settings",
  ignore: NGINX === undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "weather-nginx-test-" });
    try {
      for (
        const extra of [
          {},
          { user: await root() ? "root" : undefined, rateLimit: { limit: 5, windowMs: 1000 } },
          { cache: false, cors: { kind: "any" as const }, listen: { host: "::1", port: 5001 } },
          { cors: { kind: "list" as const, origins: new Set(["https://a.example", "http://b:3000"]) } },
        ]
      ) {
        const config = nginxConfig(TEMPLATE, { ...BASE, dir, ports: [40001, 40002], ...extra });
        await Deno.writeTextFile(`${dir}/nginx.conf`, config);
        const { code, stderr } = await new Deno.Command(NGINX!, {
          args: ["-t", "-q", "-p", `${dir}/`, "-c", `${dir}/nginx.conf`, "-e", "stderr"],
        }).output();
        assert.equal(new TextDecoder().decode(stderr), "", JSON.stringify(extra));
        assert.equal(code, 0);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
