import net from "node:net";

export type RawReply = {
  /** The status of the server's answer, 0 when it closed without one. */
  status: number;
  text: string;
  /** Body bytes the client handed to its socket before the exchange ended. */
  sentBytes: number;
  /** True when the client got to send every byte it meant to. */
  isBodyComplete: boolean;
  /** The socket error that ended the exchange (ECONNRESET, EPIPE), undefined when it closed cleanly. */
  errorCode: string | undefined;
};

type RawRequest = { method: string; path: string; headers?: Record<string, string> };

/**
 * HTTP/1.1 over a bare socket, for what fetch refuses to send: a Content-Length the body does not
 * match, or a chunked body streamed as fast as the server takes it. Resolves once the server has
 * closed the connection (or `totalBytes` were sent and answered).
 */
export function rawExchange(
  url: string,
  request: RawRequest & ({ contentLength: number; body: string } | { chunked: { chunkBytes: number; totalBytes: number } }),
): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  let received = "";
  let sentBytes = 0;
  let isBodyComplete = false;
  let isEnded = false;
  let errorCode: string | undefined;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => (received += chunk));
  const stop = () => (isEnded = true);
  socket
    .on("end", stop)
    .on("close", stop)
    .on("error", (error: NodeJS.ErrnoException) => {
      errorCode = error.code ?? error.message;
      stop();
    });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));

  const head = (extra: Record<string, string>) =>
    [
      `${request.method} ${request.path} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      ...Object.entries({ ...request.headers, ...extra }).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");

  const send = async () => {
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    if ("contentLength" in request) {
      socket.write(head({ "content-length": String(request.contentLength) }) + request.body);
      sentBytes = Buffer.byteLength(request.body);
      isBodyComplete = sentBytes === request.contentLength;
      return;
    }
    const { chunkBytes, totalBytes } = request.chunked;
    socket.write(head({ "transfer-encoding": "chunked" }));
    const frame = `${chunkBytes.toString(16)}\r\n${"x".repeat(chunkBytes)}\r\n`;
    // Sends for as long as the server takes it: only the server ending the connection stops it early.
    while (!isEnded && sentBytes < totalBytes) {
      const isFlushed = socket.write(frame);
      sentBytes += chunkBytes;
      if (!isFlushed) await new Promise<void>((resolve) => socket.once("drain", resolve).once("close", resolve));
    }
    if (sentBytes >= totalBytes && !isEnded) {
      isBodyComplete = true;
      socket.write("0\r\n\r\n");
    }
  };

  return send().then(async () => {
    // A complete request answered over keep-alive: ask the server to close once it has answered.
    await Promise.race([closed, untilAnswered(socket, () => received).then(() => socket.end())]);
    await closed;
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
    return { status, text: received, sentBytes, isBodyComplete, errorCode };
  });
}

/** Resolves once a whole response (head and a body of its Content-Length) has arrived. */
function untilAnswered(socket: net.Socket, received: () => string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const text = received();
      const end = text.indexOf("\r\n\r\n");
      if (end === -1) return;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length - end - 4 >= length) {
        socket.off("data", check);
        resolve();
      }
    };
    socket.on("data", check);
    check();
  });
}
