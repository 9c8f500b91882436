// Who a request comes from, as `--rate-limit` counts it: the connection's peer, or, behind a proxy
// the server was told to trust (`--trust-proxy`), the client that proxy names.

/** What `Deno.serve` tells a handler about the connection; only the peer's address is used. */
export interface ConnectionInfo {
  remoteAddr: { hostname: string } | Deno.Addr;
}

/** The peer's address of a connection, or "unknown" when it has none (a Unix socket, a test). */
export function peerAddress(info: ConnectionInfo | undefined): string {
  return info?.remoteAddr && "hostname" in info.remoteAddr ? info.remoteAddr.hostname : "unknown";
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An IP address in one spelling: IPv6 compressed and lower-cased, an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) as its IPv4 address. Throws `TypeError` for text that is not an address;
 * `what` names it in the message.
 */
export function canonicalAddress(text: string, what = "address"): string {
  const bare = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (IPV4.test(bare)) return bare;
  let v6;
  try {
    // The URL parser checks an IPv6 address and spells it in its one canonical form.
    v6 = bare.includes(":") ? new URL(`http://[${bare}]/`).hostname.slice(1, -1) : undefined;
  } catch { /* reported below */ }
  if (v6 === undefined) {
    throw new TypeError(`Invalid ${what} ${JSON.stringify(text)}: expected an IP address, like 127.0.0.1`);
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

// Longest forwarded address kept as a rate-limit key; an IPv6 address with a zone fits.
const MAX_FORWARDED = 64;

/**
 * The client a trusted proxy names: its `X-Real-IP`, else the last entry of `X-Forwarded-For`
 * (the one that proxy appended; the entries before it are the client's own word). Undefined when
 * the request carries neither.
 */
function forwardedClient(request: Request): string | undefined {
  const real = request.headers.get("x-real-ip")?.trim();
  if (real) return real.slice(0, MAX_FORWARDED);
  const forwarded = request.headers.get("x-forwarded-for");
  if (forwarded === null) return undefined;
  const last = forwarded.slice(forwarded.lastIndexOf(",") + 1).trim();
  return last === "" ? undefined : last.slice(0, MAX_FORWARDED);
}

/**
 * How to find a request's client: the connection's peer, unless the peer is one of the `trusted`
 * proxy addresses (already {@linkcode canonicalAddress}ed), whose `X-Real-IP` or
 * `X-Forwarded-For` is then believed. With no trusted proxy no header is read at all.
 *
 * @example
 * ```ts
 * const clientOf = clientAddress(["127.0.0.1"]);
 * clientOf(request, { remoteAddr: { hostname: "127.0.0.1" } }); // the X-Real-IP nginx set
 * ```
 */
export function clientAddress(
  trusted: readonly string[] | undefined,
): (request: Request, info: ConnectionInfo | undefined) => string {
  if (trusted === undefined || trusted.length === 0) return (_request, info) => peerAddress(info);
  const proxies = new Set(trusted);
  return (request, info) => {
    const peer = peerAddress(info);
    let known = proxies.has(peer);
    // Deno names an IPv4 peer of a dual-stack socket by its mapped IPv6 address.
    if (!known && peer.includes(":")) {
      try {
        known = proxies.has(canonicalAddress(peer));
      } catch { /* not an address: not a proxy */ }
    }
    return (known && forwardedClient(request)) || peer;
  };
}
