import type http from "node:http";

/** Whether the path part of a request target is valid percent-encoding (UTF-8), as the page router needs. */
export function isDecodablePath(url: string): boolean {
  const queryAt = url.indexOf("?");
  try {
    decodeURIComponent(queryAt === -1 ? url : url.slice(0, queryAt));
    return true;
  } catch {
    return false;
  }
}

export function refuseBadPath(res: http.ServerResponse): void {
  const body = "Bad request: the address has an invalid %-escape.\n";
  res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
}
