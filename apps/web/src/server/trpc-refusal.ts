import type http from "node:http";
import { plainTooLarge, type TooLargeReply } from "./body-limit.ts";
import { foreignOriginMessage } from "./request-origin.ts";

const TRPC_PREFIX = "/api/trpc/";
// tRPC's JSON-RPC codes for the refusals the server makes before tRPC sees the request.
const RPC_CODES = { PAYLOAD_TOO_LARGE: -32013, FORBIDDEN: -32003 } as const;

type Refusal = { code: keyof typeof RPC_CODES; httpStatus: number; message: string };

/**
 * A refusal in the shape tRPC's client reads (superjson's `{ json }` around tRPC's error shape, one per
 * call of a batch), so the dashboard shows the message rather than "could not parse the response".
 * Written by hand because the request is refused before tRPC sees it.
 */
export function trpcRefusalBody(url: string, refusal: Refusal): string {
  const [pathname = "", query = ""] = url.slice(TRPC_PREFIX.length).split("?", 2);
  const paths = decodePath(pathname).split(",");
  const errorOf = (path: string) => ({
    error: {
      json: {
        message: refusal.message,
        code: RPC_CODES[refusal.code],
        data: { code: refusal.code, httpStatus: refusal.httpStatus, path, domainCode: null },
      },
    },
  });
  const isBatch = new URLSearchParams(query).get("batch") === "1";
  return JSON.stringify(isBatch ? paths.map(errorOf) : errorOf(paths[0] ?? ""));
}

export function trpcTooLarge(url: string): TooLargeReply {
  return (limit) => ({
    contentType: "application/json",
    body: trpcRefusalBody(url, { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, message: plainTooLarge(limit).body }),
  });
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

/** 403 before tRPC reads anything: a cross-origin page tried a mutation with the user's cookie. */
export function refuseForeignOrigin(req: http.IncomingMessage, res: http.ServerResponse, url: string): void {
  const body = trpcRefusalBody(url, { code: "FORBIDDEN", httpStatus: 403, message: foreignOriginMessage(req) });
  // Closing the connection spares reading a body that will not be used.
  res
    .writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" })
    .end(body);
}
