import { plainTooLarge, type TooLargeReply } from "./body-limit.ts";

const TRPC_PREFIX = "/api/trpc/";
// tRPC's JSON-RPC code for PAYLOAD_TOO_LARGE.
const PAYLOAD_TOO_LARGE = -32013;

/**
 * A 413 in the shape tRPC's client reads (superjson's `{ json }` around tRPC's error shape, one per call of
 * a batch), so the dashboard shows the message rather than "could not parse the response". Written by
 * hand because the body is refused before tRPC sees the request.
 */
export function trpcTooLarge(url: string): TooLargeReply {
  return (limit) => {
    const { body: message } = plainTooLarge(limit);
    const [pathname = "", query = ""] = url.slice(TRPC_PREFIX.length).split("?", 2);
    const paths = decodePath(pathname).split(",");
    const errorOf = (path: string) => ({
      error: { json: { message, code: PAYLOAD_TOO_LARGE, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path, domainCode: null } } },
    });
    const isBatch = new URLSearchParams(query).get("batch") === "1";
    const body = isBatch ? paths.map(errorOf) : errorOf(paths[0] ?? "");
    return { contentType: "application/json", body: JSON.stringify(body) };
  };
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
