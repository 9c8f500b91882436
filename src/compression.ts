import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Encoding } from "./http.ts";

/**
 * Smallest body worth compressing, in bytes. A smaller answer fits in one TCP segment with its
 * headers either way, so compressing it saves no round trip; and with 100,000 cities, keeping
 * compressed copies of the ~450-byte city bodies cost more memory (30–110 MB more RSS after
 * 20,000 requests) and first-hit time (half the throughput of a crawl) than the bytes it saved.
 */
export const MIN_COMPRESSED_BODY = 1024;

/** The largest body brotli compresses at its best quality; larger ones get a faster level. */
export const BEST_BROTLI_BODY = 16 * 1024;

/**
 * Compresses a body once, for every later request that accepts `encoding`. Brotli's best quality
 * (11) is for bodies up to 16 KiB, where it takes a few milliseconds; larger ones (forecasts,
 * Open-Meteo answers, a 100,000-city list) use quality 5, some 25 % larger but a hundred times
 * faster, so that a first request does not wait tenths of a second or more.
 * Returns undefined for bodies under {@linkcode MIN_COMPRESSED_BODY} and when compression would
 * not make the body smaller.
 */
export function compressBody(body: Uint8Array, encoding: Encoding): Uint8Array<ArrayBuffer> | undefined {
  if (body.length < MIN_COMPRESSED_BODY) return undefined;
  const compressed = encoding === "br"
    ? brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: body.length > BEST_BROTLI_BODY ? 5 : 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    })
    : gzipSync(body, { level: 6 });
  if (compressed.length >= body.length) return undefined;
  return new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.length) as Uint8Array<
    ArrayBuffer
  >;
}
