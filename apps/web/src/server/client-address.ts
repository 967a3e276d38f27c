import { BlockList, isIP } from "node:net";

/** The proxies whose X-Forwarded-For grove believes (GROVE_TRUSTED_PROXIES); none unless configured. */
export type TrustedProxies = BlockList;

/** Addresses ("10.0.0.5") and networks ("10.0.0.0/8", "::1/128"); throws on anything else. */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.trim().split("/");
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new Error(`"${entry}" is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)`);
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

/**
 * The address a request came from, for per-client limits. The socket's peer, unless that peer is a trusted
 * proxy: then X-Forwarded-For is read from its right end (the entry the proxy itself added) past every
 * trusted hop, so a client cannot pick its own address by sending the header, and clients behind the proxy
 * do not all share the proxy's one address.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies | null,
): string {
  let address = peer ?? "unknown";
  if (!trusted) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop !== "");
  while (isTrusted(address, trusted)) {
    const next = hops.pop();
    if (next === undefined || isIP(next) === 0) break;
    address = next;
  }
  return address;
}

function isTrusted(address: string, trusted: TrustedProxies): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? "ipv6" : "ipv4");
}
