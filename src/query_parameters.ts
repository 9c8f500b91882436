/**
 * Query parameters that several routes and dialects declare alike.
 * @module
 */

import type { QueryParameter } from "./routes.ts";

/**
 * A free-text parameter: the first of its values (or the last, as some APIs take a repeat), or
 * undefined when it is absent.
 *
 * @example
 * ```ts
 * textParameter("lang", "Language of descriptions").parse(["de", "fr"]); // "de"
 * ```
 */
export function textParameter(
  name: string,
  description: string,
  repeated: "first" | "last" = "first",
): QueryParameter<string | undefined> {
  return {
    name,
    description,
    required: false,
    schema: { type: "string" },
    parse: (values) => repeated === "first" ? values[0] : values[values.length - 1],
  };
}
