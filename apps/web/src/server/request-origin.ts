import type { IncomingMessage } from "node:http";

/**
 * The dashboard's own origins: GROVE_PUBLIC_URL's when it is set, else the host the request was sent
 * to, over http or (behind a TLS proxy) https. Another port of the same host is another origin.
 */
export function dashboardOrigins(req: IncomingMessage, publicUrl: string | null): string[] {
  if (publicUrl) return [originOf(publicUrl)].filter((o) => o !== null);
  const host = req.headers.host;
  if (!host) return [];
  return [originOf(`http://${host}`), originOf(`https://${host}`)].filter((o) => o !== null);
}

/**
 * Whether a state-changing request comes from the dashboard itself. A browser names the page's origin
 * on every POST; a request that names none is taken only when the browser vouches for it
 * (`Sec-Fetch-Site: same-origin`) or, with `isMissingAllowed`, from a client that is not a browser
 * (a cross-site page cannot send a request without an Origin, so that is not the CSRF hole).
 */
export function isDashboardOrigin(
  req: IncomingMessage,
  publicUrl: string | null,
  opts: { isMissingAllowed: boolean } = { isMissingAllowed: false },
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return opts.isMissingAllowed || req.headers["sec-fetch-site"] === "same-origin";
  const named = originOf(origin);
  return named !== null && dashboardOrigins(req, publicUrl).includes(named);
}

/** Why isDashboardOrigin refused `req`: a request naming no Origin is not one from another site. */
export function foreignOriginMessage(req: IncomingMessage): string {
  return req.headers.origin === undefined
    ? "This request did not come from the grove dashboard (it named no Origin, and the browser did not mark it same-origin)."
    : "This request did not come from the grove dashboard (its Origin is another site).";
}

function originOf(url: string): string | null {
  try {
    const { origin, protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:" ? origin : null;
  } catch {
    return null;
  }
}
