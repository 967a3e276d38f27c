import { RunnerProcessSchema, runnerInUseMessage } from "@grove/core";
import type { Db } from "@grove/db";
import { hashToken } from "../auth/secrets.ts";
import { registerRunnerHandlers, type RunnerHandlers } from "./runner-handlers.ts";
import { otherLiveProcess } from "./runner-process-check.ts";
import { runnerRoom, type GroveNamespace, type GroveSocket } from "./types.ts";

const HEARTBEAT_WRITE_MS = 20_000;

export type RunnerConnections = {
  socketOf(runnerId: string): GroveSocket | undefined;
  onlineIds(): string[];
  disconnect(runnerId: string): void;
};

/** The runner a token belongs to, unless it is unknown or revoked. */
export async function findLiveRunner(db: Db, token: string): Promise<{ id: string } | null> {
  if (token.length < 20) return null;
  const runner = await db.runner.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, revokedAt: true } });
  return runner && !runner.revokedAt ? { id: runner.id } : null;
}

/** Runners: a token (stored hashed, not revoked) at connect; one live process and connection per runner; heartbeats recorded. */
export function serveRunners(
  runners: GroveNamespace,
  deps: {
    db: Db;
    handlers: () => RunnerHandlers | null;
    /** Keeps the hub's close waiting for work a connection started (see in-flight-work.ts). */
    track: <T>(work: Promise<T>) => Promise<T>;
    onChange: (runnerId: string) => void;
    /** The runner has no live connection any more (a replaced connection is not gone). */
    onGone: (runnerId: string) => void;
  },
): RunnerConnections {
  const { db, track } = deps;
  const live = new Map<string, string>();
  const recordSeen = (runnerId: string) =>
    void track(db.runner.updateMany({ where: { id: runnerId }, data: { lastSeenAt: new Date() } })).catch(() => undefined);

  runners.use((socket, next) => {
    const token: unknown = socket.handshake.auth.token;
    if (typeof token !== "string" || token.length < 20) return next(new Error("unauthorized: a runner token is required"));
    const named = RunnerProcessSchema.safeParse(socket.handshake.auth.process);
    const newcomer = named.success ? named.data : null;
    findLiveRunner(db, token)
      .then(async (runner) => {
        if (!runner) return next(new Error("unauthorized: unknown or revoked runner token"));
        // One live process per token: a second one is refused, or the two would take the connection (and the
        // merge queues' leases) from each other in turn.
        const holder = await otherLiveProcess(runners, runner.id, newcomer);
        if (holder) return next(new Error(runnerInUseMessage(holder)));
        socket.data.runnerId = runner.id;
        if (newcomer) socket.data.process = newcomer;
        next();
      })
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });

  runners.on("connection", (socket) => {
    const { runnerId } = socket.data;
    if (!runnerId) return socket.disconnect(true);
    const previous = live.get(runnerId);
    if (previous) runners.sockets.get(previous)?.disconnect(true);
    // A connection the runner left behind on another instance goes too (through the bus, when there is one).
    runners.in(runnerRoom(runnerId)).except(socket.id).disconnectSockets(true);
    void socket.join(runnerRoom(runnerId));
    live.set(runnerId, socket.id);
    const handlers = deps.handlers();
    if (handlers) registerRunnerHandlers(socket, runnerId, handlers, track);
    // socket.io's own ping/pong is the heartbeat; written at most every 20 s.
    let lastWrite = 0;
    socket.conn.on("heartbeat", () => {
      if (Date.now() - lastWrite < HEARTBEAT_WRITE_MS) return;
      lastWrite = Date.now();
      recordSeen(runnerId);
    });
    socket.on("disconnect", () => {
      if (live.get(runnerId) === socket.id) {
        live.delete(runnerId);
        deps.onGone(runnerId);
      }
      recordSeen(runnerId);
      deps.onChange(runnerId);
    });
    deps.onChange(runnerId);
  });

  return {
    socketOf(runnerId) {
      const id = live.get(runnerId);
      return id ? runners.sockets.get(id) : undefined;
    },
    onlineIds: () => [...live.keys()],
    disconnect(runnerId) {
      const id = live.get(runnerId);
      if (id) runners.sockets.get(id)?.disconnect(true);
    },
  };
}
