import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Encoding } from "./http.ts";

/**
 * Compresses a body once, for every later request that accepts `encoding`. Bodies over 256 KiB
 * use a faster brotli level: a 100,000-city list should not stall the first request for seconds.
 * Returns undefined when compression would not make the body smaller.
 */
export function compressBody(body: Uint8Array, encoding: Encoding): Uint8Array<ArrayBuffer> | undefined {
  const compressed = encoding === "br"
    ? brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: body.length > 256 * 1024 ? 5 : 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    })
    : gzipSync(body, { level: 6 });
  if (compressed.length >= body.length) return undefined;
  return new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.length) as Uint8Array<
    ArrayBuffer
  >;
}
