import type { GroveSocket } from "./types.ts";

type Connection = GroveSocket["conn"];

export type ConnectionPressure = {
  /** Bytes the hub holds for this browser and has not yet handed to the kernel. */
  bytes(): number;
  /** Resolves at the connection's next write completion (or at once if it has closed); callers re-check `bytes()`. */
  drain(): Promise<void>;
  isClosed(): boolean;
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
    transport.off("drain", wake);
    conn.off("drain", wake);
    conn.off("upgrade", onUpgrade);
    wake();
  });
  return {
    bytes: () => bufferedBytes(conn),
    drain: () => (isClosed ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    isClosed: () => isClosed,
  };
}

export function bufferedBytes(conn: Connection): number {
  let total = 0;
  const queued: unknown = Reflect.get(conn, "writeBuffer");
  if (Array.isArray(queued)) for (const packet of queued as unknown[]) total += packetBytes(packet);
  const ws: unknown = Reflect.get(conn.transport, "socket");
  if (typeof ws === "object" && ws !== null && "bufferedAmount" in ws && typeof ws.bufferedAmount === "number") total += ws.bufferedAmount;
  return total;
}

function packetBytes(packet: unknown): number {
  if (typeof packet !== "object" || packet === null || !("data" in packet)) return 0;
  const { data } = packet;
  // Characters, not encoded bytes: counting is O(1) per packet and log text is mostly ASCII.
  if (typeof data === "string") return data.length;
  return data instanceof Uint8Array ? data.byteLength : 0;
}
