import { randomBytes } from "node:crypto";
import net from "node:net";

export type RawFrameReply = {
  /** The status of the server's answer to the upgrade (101 when it switched protocols), 0 when none came. */
  status: number;
  /** What the server answered to the upgrade when it refused it (head and body). */
  refusal: string;
  /** The code of the server's close frame, if it sent one. */
  closeCode: number | null;
  /** Payload bytes handed to the socket before the server ended the connection (or all of them). */
  sentBytes: number;
  isFrameComplete: boolean;
};

/**
 * A websocket upgrade over a bare socket, then one text frame that announces `totalBytes` and streams them
 * for as long as the server takes them: what a hostile client does, without a client library that would
 * refuse or buffer it first. Resolves once the server has closed the connection, or everything was sent
 * and the server closed or answered afterwards.
 */
export function sendRawWebsocketFrame(
  url: string,
  request: { path: string; headers?: Record<string, string>; totalBytes: number },
): Promise<RawFrameReply> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  let received = Buffer.alloc(0);
  let isEnded = false;
  let sentBytes = 0;
  socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const stop = () => (isEnded = true);
  socket.on("end", stop).on("close", stop).on("error", stop);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));

  const headerEnd = () => received.indexOf("\r\n\r\n");
  const untilHead = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (headerEnd() === -1 && !isEnded) return;
        socket.off("data", check).off("close", check);
        resolve();
      };
      socket.on("data", check).on("close", check);
      check();
    });

  const send = async () => {
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const head = [
      `GET ${request.path} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      "upgrade: websocket",
      "connection: Upgrade",
      `sec-websocket-key: ${randomBytes(16).toString("base64")}`,
      "sec-websocket-version: 13",
      ...Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    socket.write(head);
    await untilHead();
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received.toString("latin1"))?.[1] ?? 0);
    if (status !== 101) return status;
    // A masked text frame with a 64-bit length; an all-zero mask leaves the payload as written.
    const frameHead = Buffer.alloc(14);
    frameHead[0] = 0x81;
    frameHead[1] = 0x80 | 127;
    frameHead.writeBigUInt64BE(BigInt(request.totalBytes), 2);
    socket.write(frameHead);
    const chunk = Buffer.alloc(64 * 1024, "4");
    while (!isEnded && sentBytes < request.totalBytes) {
      const piece = chunk.subarray(0, Math.min(chunk.length, request.totalBytes - sentBytes));
      const isFlushed = socket.write(piece);
      sentBytes += piece.length;
      if (!isFlushed) await new Promise<void>((resolve) => socket.once("drain", resolve).once("close", resolve));
    }
    return status;
  };

  return send().then(async (status) => {
    if (status === 101 && !isEnded) socket.end();
    await closed;
    return {
      status,
      refusal: status === 101 ? "" : received.toString("utf8"),
      closeCode: closeCodeOf(received.subarray(headerEnd() + 4)),
      sentBytes,
      isFrameComplete: sentBytes >= request.totalBytes,
    };
  });
}

/** The code of the first close frame (opcode 8) among the server's frames, skipping the frames before it. */
function closeCodeOf(frames: Buffer): number | null {
  let at = 0;
  while (at + 2 <= frames.length) {
    const opcode = (frames[at] ?? 0) & 0x0f;
    let length = (frames[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = frames.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(frames.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (opcode === 8) return length >= 2 && start + 2 <= frames.length ? frames.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}
