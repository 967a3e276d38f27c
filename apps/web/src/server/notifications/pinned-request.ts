import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { PinnedEndpoint } from "./public-target.ts";

const REQUEST_TIMEOUT_MS = 10_000;

/** One request over a fresh connection to the checked address; the URL's name still goes out as SNI and Host. */
export function requestPinned(
  target: PinnedEndpoint,
  method: string,
  headers: Record<string, string>,
  body: Buffer | null,
): Promise<number> {
  const { url, host, address, family } = target;
  const pinned: LookupFunction = (_name, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const options: https.RequestOptions = {
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method,
    headers,
    lookup: pinned,
    agent: false,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
  return new Promise<number>((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    };
    const req =
      url.protocol === "https:"
        ? https.request({ ...options, servername: isIP(host) ? undefined : host }, onResponse)
        : http.request(options, onResponse);
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}
