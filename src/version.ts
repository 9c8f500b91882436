import config from "../deno.json" with { type: "json" };

/** The project's version, from `deno.json`, so that `--version` and the package agree. */
export const VERSION: string = config.version;
