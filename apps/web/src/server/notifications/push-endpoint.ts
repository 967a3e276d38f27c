import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { DomainError } from "@grove/core";

export const MAX_PUSH_ENDPOINT_BYTES = 2_000;

/** `allowLoopback` is for tests with a local push service: loopback addresses, and plain http to them. */
export type PushEndpointPolicy = { allowLoopback: boolean };

/** An endpoint that passed the check, with the address it resolved to: the request goes there and nowhere else. */
export type PinnedEndpoint = { url: URL; host: string; address: string; family: 4 | 6 };

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
 * Checks a Web Push endpoint before it is stored and again before each push: an https URL whose host is,
 * and resolves only to, public addresses. Resolving at send time (and connecting to the address checked)
 * is what stops a name that was public at registration from pointing the hub at itself later.
 */
export async function checkPushEndpoint(endpoint: string, policy: PushEndpointPolicy): Promise<PinnedEndpoint> {
  if (Buffer.byteLength(endpoint) > MAX_PUSH_ENDPOINT_BYTES) refuse(`is longer than ${MAX_PUSH_ENDPOINT_BYTES} bytes`);
  const url = URL.canParse(endpoint) ? new URL(endpoint) : refuse("is not a URL");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowLoopback)) refuse("must be an https URL");
  if (url.username || url.password) refuse("must not carry a user name or password");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.+$/, "");
  if (isLocalhostName(host) && !policy.allowLoopback) refuse(`names this machine (${host})`);
  const addresses = await resolve(host);
  for (const { address, family } of addresses) {
    const type = family === 4 ? "ipv4" : "ipv6";
    const isLoopback = LOOPBACK.check(address, type);
    if (isLoopback && policy.allowLoopback) continue;
    if (isLoopback || NOT_PUBLIC.check(address, type)) refuse(`points at ${address}, a loopback, private or reserved address`);
    if (url.protocol === "http:") refuse("must be an https URL");
  }
  const [first] = addresses;
  if (!first) refuse(`has a host (${host}) with no address`);
  return { url, host, address: first.address, family: first.family };
}

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
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

function refuse(why: string): never {
  throw new DomainError(
    "INVALID_INPUT",
    `The push endpoint ${why}; grove sends Web Push only to a push service's public https address.`,
  );
}

function blockList(ranges: [string, number, "ipv4" | "ipv6"][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, type] of ranges) list.addSubnet(network, prefix, type);
  return list;
}
