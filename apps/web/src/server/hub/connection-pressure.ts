import type { GroveSocket } from "./types.ts";

type Connection = GroveSocket["conn"];

export type ConnectionPressure = {
  /** Bytes the hub holds for this browser and has not yet handed to the kernel. */
  bytes(): number;
  /** Resolves at the connection's next write completion (or at once if it has closed); callers re-check `bytes()`. */
  drain(): Promise<void>;
  isClosed(): boolean;
  /** Drops the connection now, with whatever the hub holds for it (a graceful close would wait for it to drain). */
  terminate(): void;
};

/**
 * socket.io has no public backpressure API (socketio/socket.io#3158): emits queue in engine.io's
 * write buffer while the transport is busy, and the websocket buffers what the kernel will not take.
 * This reads both (engine.io 6 and ws internals, pinned by the catalog; the hub's log fan-out test
 * fails if they move) and wakes waiters on every transport write completion.
 */
export function watchPressure(conn: Connection): ConnectionPressure {
  let waiters: (() => void)[] = [];
  let isClosed = false;
  let transport = conn.transport;
  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const onUpgrade = () => {
    transport.off("drain", wake);
    transport = conn.transport;
    transport.on("drain", wake);
    wake();
  };
  transport.on("drain", wake);
  conn.on("drain", wake);
  conn.on("upgrade", onUpgrade);
  conn.once("close", () => {
    isClosed = true;
    // Closed with bytes still queued in ws: the peer is not reading them. Free them now, not after ws's 30 s close timeout.
    if (socketBytes(conn) > 0) terminateSocket(conn);
    transport.off("drain", wake);
    conn.off("drain", wake);
    conn.off("upgrade", onUpgrade);
    wake();
  });
  return {
    bytes: () => bufferedBytes(conn),
    drain: () => (isClosed ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    isClosed: () => isClosed,
    terminate() {
      // close(true): engine.io drops its queue and closes the socket.io session now, not once it drains.
      terminateSocket(conn);
      conn.close(true);
    },
  };
}

export function bufferedBytes(conn: Connection): number {
  let total = 0;
  const queued: unknown = Reflect.get(conn, "writeBuffer");
  if (Array.isArray(queued)) for (const packet of queued as unknown[]) total += packetBytes(packet);
  return total + socketBytes(conn);
}

/** What the websocket (ws) holds because the kernel would not take it; 0 for long-polling. */
function socketBytes(conn: Connection): number {
  const ws: unknown = Reflect.get(conn.transport, "socket");
  return typeof ws === "object" && ws !== null && "bufferedAmount" in ws && typeof ws.bufferedAmount === "number"
    ? ws.bufferedAmount
    : 0;
}

// ws's terminate() destroys the TCP socket and its buffer at once; its close() waits for the peer up to 30 s.
function terminateSocket(conn: Connection): void {
  const ws: unknown = Reflect.get(conn.transport, "socket");
  const terminate: unknown = typeof ws === "object" && ws !== null ? Reflect.get(ws, "terminate") : undefined;
  if (typeof terminate === "function") Reflect.apply(terminate, ws, []);
}

function packetBytes(packet: unknown): number {
  if (typeof packet !== "object" || packet === null || !("data" in packet)) return 0;
  const { data } = packet;
  // Characters, not encoded bytes: counting is O(1) per packet and log text is mostly ASCII.
  if (typeof data === "string") return data.length;
  return data instanceof Uint8Array ? data.byteLength : 0;
}
