import { rawExchange } from "./raw-http.ts";
import { sendRawWebsocketFrame } from "./raw-websocket.ts";

const STRANGER_MESSAGE_BYTES = 8 * 1024 * 1024;

/** A client with no session and no runner token trying one 8 MB socket message: how far it got. */
export async function sendStrangerMessage(url: string, transport: "polling" | "websocket"): Promise<string> {
  if (transport === "websocket") {
    const reply = await sendRawWebsocketFrame(url, {
      path: "/socket.io/?EIO=4&transport=websocket",
      totalBytes: STRANGER_MESSAGE_BYTES,
    });
    return reply.status === 101
      ? `websocket open; closed with ${reply.closeCode ?? "no code"} after ${reply.sentBytes} bytes`
      : `websocket ${reply.status}`;
  }
  const handshake = await fetch(`${url}/socket.io/?EIO=4&transport=polling`).catch(() => null);
  const sid = /"sid":"([^"]+)"/.exec((await handshake?.text().catch(() => "")) ?? "")?.[1];
  if (!sid) return `polling ${handshake?.status ?? 0}`;
  const posted = await rawExchange(url, {
    method: "POST",
    path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`,
    headers: { "content-type": "text/plain;charset=UTF-8" },
    chunked: { chunkBytes: 64 * 1024, totalBytes: STRANGER_MESSAGE_BYTES },
  });
  return `polling open; post ${posted.status}`;
}
