import { randomBytes } from "node:crypto";
import net from "node:net";

export type StuckViewer = { close(): void };

const MAX_WAIT_CHARS = 64 * 1024;

/**
 * A dashboard viewer that subscribes to a run's log from `since` and, once the first lines arrive,
 * never reads again: a raw websocket speaking just enough engine.io/socket.io to subscribe, whose
 * TCP socket is then paused, so the kernel buffers fill and the hub is left holding whatever it sends.
 */
export async function connectStuckViewer(url: string, cookie: string, runId: string, since = 0): Promise<StuckViewer> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let isClosed = false;
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  void closed.then(() => (isClosed = true));
  socket.on("error", () => undefined);
  let seen = "";
  let onText: (() => void) | null = null;
  socket.on("data", (chunk: Buffer) => {
    seen = (seen + chunk.toString("latin1")).slice(-MAX_WAIT_CHARS);
    onText?.();
  });
  const until = (marker: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (seen.includes(marker)) {
          onText = null;
          seen = "";
          resolve();
        } else if (isClosed || seen.includes('44{"message"'))
          reject(new Error(`the hub refused the viewer or closed it before it sent ${marker}: ${seen.slice(-300)}`));
      };
      onText = check;
      void closed.then(check);
      check();
    });

  socket.write(
    [
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      "Connection: Upgrade",
      "Upgrade: websocket",
      "Sec-WebSocket-Version: 13",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      `Cookie: ${cookie}`,
      "",
      "",
    ].join("\r\n"),
  );
  // engine.io's open packet, then socket.io's namespace connect and its answer.
  await until('0{"sid"');
  socket.write(maskedFrame("40"));
  await until('40{"sid"');
  socket.write(maskedFrame(`420${JSON.stringify(["run:subscribe", { runId, since }])}`));
  await until('"run:log"');
  socket.pause();
  return { close: () => socket.destroy() };
}

/** One client-to-server websocket text frame (clients must mask theirs). */
function maskedFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const mask = randomBytes(4);
  const length =
    payload.length < 126
      ? Buffer.from([0x80 | payload.length])
      : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x81]), length, mask, masked]);
}

/**
 * The same viewer over engine.io's long-polling transport (a browser whose websockets are blocked): it
 * polls until the first lines arrive and never polls again, so the hub's queue for it is all it holds.
 */
export async function connectStuckPollingViewer(url: string, cookie: string, runId: string, since = 0): Promise<void> {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const poll = async (sid?: string) => {
    const response = await fetch(sid ? `${base}&sid=${sid}` : base, { headers: { cookie } });
    if (!response.ok) throw new Error(`poll failed: ${response.status}`);
    return response.text();
  };
  const send = async (sid: string, packet: string) => {
    const response = await fetch(`${base}&sid=${sid}`, {
      method: "POST",
      headers: { cookie, "content-type": "text/plain;charset=UTF-8" },
      body: packet,
    });
    if (!response.ok) throw new Error(`send failed: ${response.status} ${await response.text()}`);
  };
  const open = /^0(\{.*\})$/.exec(await poll())?.[1];
  const { sid } = JSON.parse(open ?? "{}") as { sid?: string };
  if (!sid) throw new Error("no engine.io handshake");
  await send(sid, "40");
  while (!(await poll(sid)).includes('40{"sid"'));
  await send(sid, `420${JSON.stringify(["run:subscribe", { runId, since }])}`);
  while (!(await poll(sid)).includes('"run:log"'));
}
