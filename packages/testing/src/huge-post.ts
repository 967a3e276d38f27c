import http from "node:http";

const HUGE_BODY_BYTES = 150 * 1024 * 1024;

/** POSTs 150 MB, stopping as soon as the server answers or drops the connection. */
export function postHuge(url: string, opts: { declareLength: boolean }): Promise<string> {
  const chunk = Buffer.alloc(1024 * 1024, "a");
  return new Promise((resolve) => {
    let outcome: string | null = null;
    const settle = (value: string) => {
      if (outcome !== null) return;
      outcome = value;
      resolve(value);
    };
    const headers: http.OutgoingHttpHeaders = { "content-type": "application/json", origin: new URL(url).origin };
    if (opts.declareLength) headers["content-length"] = HUGE_BODY_BYTES;
    const request = http.request(url, { method: "POST", headers }, (response) => {
      response.resume();
      settle(String(response.statusCode));
    });
    request.on("error", (error: NodeJS.ErrnoException) => settle(`connection ended (${error.code ?? error.message})`));
    void (async () => {
      for (let sent = 0; sent < HUGE_BODY_BYTES && outcome === null && !request.destroyed; sent += chunk.length) {
        if (!request.write(chunk)) await untilDrained(request);
      }
      if (!request.destroyed) request.end();
    })();
  });
}

function untilDrained(request: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      request.off("drain", done).off("close", done);
      resolve();
    };
    request.on("drain", done).on("close", done);
  });
}
