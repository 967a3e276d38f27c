import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RecordedRequest = { method: string; url: string; body: string };
export type RequestHandler = (request: RecordedRequest, res: ServerResponse) => void;

export type LoopbackServer = {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Every request the CLI made, in order: a test can check what the CLI sent. */
  requests: RecordedRequest[];
  close(): Promise<void>;
};

/**
 * An HTTP server on 127.0.0.1, port 0 unless `port` names one (a stack started before the double, as the
 * e2e stack is, was told its URL), that hands each request with its whole body to `handle`.
 */
export async function startLoopbackServer(handle: RequestHandler, port = 0): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "GET", url: req.url ?? "/", body: Buffer.concat(chunks).toString("utf8") };
      requests.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // A CLI may keep its connection alive after it exited; do not wait for its timeout.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a whole server-sent-events stream: `event: <name>` and `data: <json>` per event. */
export function writeSse(res: ServerResponse, events: readonly (readonly [string, unknown])[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The request body as JSON, or undefined when it is not JSON. */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
