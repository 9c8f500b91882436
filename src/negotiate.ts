/** One media range of an `Accept` header: `type/subtype` (either may be `*`) and its quality. */
export interface MediaRange {
  /** Lower-case top-level type, or `*`. */
  readonly type: string;
  /** Lower-case subtype, or `*`. */
  readonly subtype: string;
  /** Quality 0–1; 0 means "not acceptable". */
  readonly q: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an `Accept` header (RFC 9110 §12.5.1) into its media ranges. Malformed ranges are
 * skipped rather than failing the request; parameters other than `q` are ignored.
 */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [range = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    const [type = "", subtype = "", extra] = range.split("/");
    if (extra !== undefined || !TOKEN.test(type) || !TOKEN.test(subtype)) continue;
    if (type === "*" && subtype !== "*") continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [name, value = ""] = param.split("=").map((piece) => piece.trim());
      if (name !== "q") continue;
      if (!QVALUE.test(value)) valid = false;
      q = Number(value);
      break; // parameters after q are accept-extensions, not media-type parameters
    }
    if (valid) ranges.push({ type, subtype, q });
  }
  return ranges;
}

function specificity(range: MediaRange): number {
  return range.type === "*" ? 0 : range.subtype === "*" ? 1 : 2;
}

/** The quality `ranges` give `mediaType` (lower-case `type/subtype`): that of the most specific match. */
export function qualityOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.split("/");
  let best: MediaRange | undefined;
  for (const range of ranges) {
    const matches = (range.type === "*" || range.type === type) &&
      (range.subtype === "*" || range.subtype === subtype);
    if (matches && (best === undefined || specificity(range) > specificity(best))) best = range;
  }
  return best?.q ?? 0;
}

/**
 * Picks which of `offered` (lower-case `type/subtype`, in order of the server's preference) an
 * `Accept` header prefers: the highest quality wins, ties go to the earlier offer. A missing or
 * empty header accepts anything. Returns `undefined` when nothing offered is acceptable.
 *
 * @example
 * ```ts
 * const offered = ["application/json", "text/html"];
 * preferredMediaType("text/html,application/xml;q=0.9", offered); // "text/html"
 * preferredMediaType("text/html;q=0.5, application/json", offered); // "application/json"
 * preferredMediaType(null, offered); // "application/json": anything goes, so the first offer
 * ```
 */
export function preferredMediaType(
  accept: string | null,
  offered: readonly string[],
): string | undefined {
  const ranges = accept === null || accept.trim() === "" ? parseAccept("*/*") : parseAccept(accept);
  let chosen: string | undefined;
  let chosenQ = 0;
  for (const mediaType of offered) {
    const q = qualityOf(ranges, mediaType);
    if (q > chosenQ) [chosen, chosenQ] = [mediaType, q];
  }
  return chosen;
}
