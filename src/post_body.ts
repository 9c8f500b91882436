/**
 * The query a POST carries in its body, for routes that read one there as from a URL (Open-Meteo's
 * `/v1/forecast`).
 * @module
 */

import { MAX_BODY_BYTES } from "./problem.ts";

/**
 * The query of a POST body as a search string: a form (`application/x-www-form-urlencoded`, also
 * when no type is given) is one already; a JSON object's members become parameters, arrays
 * comma-joined. Undefined when the body is over {@linkcode MAX_BODY_BYTES}.
 * @throws {SyntaxError} For a JSON body that is not an object of values and arrays.
 * @example
 * ```ts
 * await bodySearch(new Request("http://x/v1/forecast", { method: "POST", body: "latitude=1" })); // "?latitude=1"
 * ```
 */
export async function bodySearch(request: Request): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await request.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    for await (const chunk of request.body) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return undefined; // leaving the loop cancels the stream
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, at), at += chunk.length;
  const text = new TextDecoder().decode(bytes);
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === undefined || type === "application/x-www-form-urlencoded") {
    return text === "" ? "" : `?${text}`;
  }
  if (type !== "application/json") {
    throw new SyntaxError(`expected a form (application/x-www-form-urlencoded) or JSON, not ${type}`);
  }
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SyntaxError("expected a JSON object of parameters");
  }
  const form = new URLSearchParams();
  for (const [key, member] of Object.entries(value)) {
    const items = Array.isArray(member) ? member : [member];
    if (items.some((item) => item !== null && typeof item === "object")) {
      throw new SyntaxError(`expected a value or an array of values for ${JSON.stringify(key)}`);
    }
    form.append(key, items.join(","));
  }
  return `?${form}`;
}
