import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * How strict a check is. `allowLoopback` is for tests with a local receiver: loopback addresses, and plain http
 * to them. `allowPlainHttp` lets plain http go to public addresses too (webhooks; Web Push is https only).
 */
export type TargetPolicy = { allowLoopback: boolean; allowPlainHttp?: boolean };

/** A URL that passed the check, with the address it resolved to: the request goes there and nowhere else. */
export type PinnedEndpoint = { url: URL; host: string; address: string; family: 4 | 6 };

/** Says why a URL is refused, in the words of what it was for (a push endpoint, a webhook). */
export type Refuse = (why: string) => never;

const LOOPBACK = blockList([
  ["127.0.0.0", 8, "ipv4"],
  ["::1", 128, "ipv6"],
]);

// Everything a push service on the public internet is not. IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked
// against the IPv4 ranges by BlockList itself; NAT64, 6to4 and IPv4-compatible forms embed IPv4 and go too.
const NOT_PUBLIC = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 96, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["64:ff9b:1::", 48, "ipv6"],
  ["2002::", 16, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
]);

/**
 * Checks a URL the hub is about to send to (before it is stored and again before each request): http(s),
 * whose host is, and resolves only to, public addresses. Resolving at send time (and connecting to the
 * address checked) is what stops a name that was public when saved from pointing the hub at itself later.
 */
export async function checkPublicTarget(
  raw: string,
  maxBytes: number,
  policy: TargetPolicy,
  refuse: Refuse,
): Promise<PinnedEndpoint> {
  if (Buffer.byteLength(raw) > maxBytes) refuse(`is longer than ${maxBytes} bytes`);
  const url = URL.canParse(raw) ? new URL(raw) : refuse("is not a URL");
  const isHttp = url.protocol === "http:";
  if (url.protocol !== "https:" && !(isHttp && (policy.allowLoopback || policy.allowPlainHttp))) refuse("must be an https URL");
  if (url.username || url.password) refuse("must not carry a user name or password");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.+$/, "");
  if (isLocalhostName(host) && !policy.allowLoopback) refuse(`names this machine (${host})`);
  const addresses = await resolve(host, refuse);
  for (const { address, family } of addresses) {
    const type = family === 4 ? "ipv4" : "ipv6";
    const isLoopback = LOOPBACK.check(address, type);
    if (isLoopback && policy.allowLoopback) continue;
    if (isLoopback || NOT_PUBLIC.check(address, type)) refuse(`points at ${address}, a loopback, private or reserved address`);
    if (isHttp && !policy.allowPlainHttp) refuse("must be an https URL");
  }
  const [first] = addresses;
  if (!first) refuse(`has a host (${host}) with no address`);
  return { url, host, address: first.address, family: first.family };
}

async function resolve(host: string, refuse: Refuse): Promise<{ address: string; family: 4 | 6 }[]> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) return [{ address: host, family: literal }];
  const found = await lookup(host, { all: true, verbatim: true }).catch(() =>
    refuse(`has a host (${host}) that does not resolve`),
  );
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase();
  return name === "localhost" || name.endsWith(".localhost");
}

function blockList(ranges: [string, number, "ipv4" | "ipv6"][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, type] of ranges) list.addSubnet(network, prefix, type);
  return list;
}
