import type { IncomingMessage } from "node:http";
import type { GroveServerIo, GroveSocket } from "./types.ts";

/** Who a handshake proved to be: a signed-in user's browser, or a runner by its token. */
export type Peer = { kind: "browser" | "runner"; id: string };

/** What a browser ever sends is a run id to follow or leave; a few hundred bytes. */
export const MAX_BROWSER_MESSAGE_BYTES = 16 * 1024;
/** Live engine.io connections one user (all their tabs) or one runner token may hold. */
export const MAX_CONNECTIONS_PER_PEER = 16;

type Connection = GroveSocket["conn"];
type Limitable = { maxHttpBufferSize?: number; socket?: { _receiver?: { _maxPayload?: number } | null } };
const isLimitable = (transport: unknown): transport is Limitable => typeof transport === "object" && transport !== null;

export type PeerLimits = {
  /** Records who a handshake's request is; false when that peer already holds all its connections. */
  admit(req: IncomingMessage, peer: Peer): boolean;
  /** Counts and limits the connections engine.io opens for admitted handshakes. */
  watch(io: GroveServerIo): void;
};

/**
 * Bounds what one peer can make the hub hold: at most MAX_CONNECTIONS_PER_PEER connections each, and a
 * browser's messages at MAX_BROWSER_MESSAGE_BYTES once it is connected (a runner's stay at the server-wide
 * MAX_SOCKET_MESSAGE_BYTES). The count is checked at the handshake (a clean 403) and again when engine.io
 * opens the connection, where handshakes that raced past the first check are closed.
 */
export function createPeerLimits(): PeerLimits {
  const peers = new WeakMap<IncomingMessage, string>();
  const open = new Map<string, number>();
  const keyOf = (peer: Peer) => `${peer.kind}:${peer.id}`;

  const onConnection = (conn: Connection) => {
    const key = peers.get(conn.request);
    if (!key || (open.get(key) ?? 0) >= MAX_CONNECTIONS_PER_PEER) return void conn.close(true);
    open.set(key, (open.get(key) ?? 0) + 1);
    conn.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
    if (!key.startsWith("browser:")) return;
    limitTransport(conn.transport);
    conn.on("upgrade", (transport: unknown) => limitTransport(transport));
  };

  return {
    admit(req, peer) {
      const key = keyOf(peer);
      peers.set(req, key);
      return (open.get(key) ?? 0) < MAX_CONNECTIONS_PER_PEER;
    },
    watch: (io) => void io.engine.on("connection", onConnection),
  };
}

/**
 * engine.io has one message limit for every connection: a polling transport reads its own copy (set at the
 * handshake), a websocket's is its ws receiver's (engine.io 6 and ws 8 internals, pinned by the catalog;
 * socket-limits.test.ts fails if they move).
 */
function limitTransport(transport: unknown): void {
  if (!isLimitable(transport)) return;
  if (typeof transport.maxHttpBufferSize === "number") transport.maxHttpBufferSize = MAX_BROWSER_MESSAGE_BYTES;
  const receiver = transport.socket?._receiver;
  if (receiver && typeof receiver._maxPayload === "number") receiver._maxPayload = MAX_BROWSER_MESSAGE_BYTES;
}
