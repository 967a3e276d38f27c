import type { Server as HttpServer } from "node:http";
import { Server, type Namespace, type Socket } from "socket.io";
import {
  RUNNER_NAMESPACE,
  RunSubscribeSchema,
  type Ack,
  type BrowserToHubEvents,
  type Changed,
  type HubToBrowserEvents,
  type HubToRunnerEvents,
  type LogLine,
  type MergeExecute,
  type RunnerToHubEvents,
  type SessionStart,
} from "@grove/core";
import { listLogLines, type Db } from "@grove/db";
import { readCookie, SESSION_COOKIE, userForSessionToken, type SessionUser } from "../auth/sessions.ts";
import { hashToken } from "../auth/secrets.ts";
import { registerRunnerHandlers, type RunnerHandlers } from "./runner-handlers.ts";

// One server carries both namespaces, so its event maps are the union of the runner's and the browsers' (no name is shared).
type ListenEvents = RunnerToHubEvents & BrowserToHubEvents;
type EmitEvents = HubToRunnerEvents & HubToBrowserEvents;
type SocketData = { runnerId?: string; user?: SessionUser };
type GroveNamespace = Namespace<ListenEvents, EmitEvents, Record<string, never>, SocketData>;
type GroveSocket = Socket<ListenEvents, EmitEvents, Record<string, never>, SocketData>;

const DASHBOARD_ROOM = "dashboard";
const RUNNER_ACK_TIMEOUT_MS = 15_000;
const BACKLOG_PAGE = 5000;

export type Hub = {
  io: Server<ListenEvents, EmitEvents, Record<string, never>, SocketData>;
  isRunnerOnline(runnerId: string): boolean;
  onlineRunnerIds(): string[];
  startSession(runnerId: string, payload: SessionStart): Promise<Ack>;
  executeMerge(runnerId: string, payload: MergeExecute): Promise<Ack>;
  cancelRun(runnerId: string, runId: string): Promise<Ack>;
  publishLogLines(runId: string, lines: LogLine[]): void;
  broadcastChanged(change: Changed): void;
  setRunnerHandlers(handlers: RunnerHandlers): void;
  close(): Promise<void>;
};

export function createHub(opts: { httpServer: HttpServer; db: Db }): Hub {
  const { db } = opts;
  const io = new Server<ListenEvents, EmitEvents, Record<string, never>, SocketData>(opts.httpServer, { path: "/socket.io/", serveClient: false, maxHttpBufferSize: 8e6 });
  const runners: GroveNamespace = io.of(RUNNER_NAMESPACE);
  const browsers: GroveNamespace = io.of("/");
  const runnerSockets = new Map<string, string>();
  let handlers: RunnerHandlers | null = null;

  runners.use((socket, next) => {
    const token: unknown = socket.handshake.auth.token;
    if (typeof token !== "string" || token.length < 20) return next(new Error("unauthorized: a runner token is required"));
    db.runner
      .findUnique({ where: { tokenHash: hashToken(token) } })
      .then((runner) => {
        if (!runner || runner.revokedAt) return next(new Error("unauthorized: unknown or revoked runner token"));
        socket.data.runnerId = runner.id;
        next();
      })
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });

  runners.on("connection", (socket) => {
    const { runnerId } = socket.data;
    if (!runnerId) return socket.disconnect(true);
    const previous = runnerSockets.get(runnerId);
    if (previous) runners.sockets.get(previous)?.disconnect(true);
    runnerSockets.set(runnerId, socket.id);
    if (handlers) registerRunnerHandlers(socket, runnerId, handlers);
    socket.on("disconnect", () => {
      if (runnerSockets.get(runnerId) === socket.id) runnerSockets.delete(runnerId);
      hub.broadcastChanged({ scope: "runners", id: runnerId });
    });
  });

  browsers.use((socket, next) => {
    const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
    userForSessionToken(db, token)
      .then((user) => {
        if (!user) return next(new Error("unauthorized: sign in first"));
        socket.data.user = user;
        next();
      })
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });

  browsers.on("connection", (socket) => {
    void socket.join(DASHBOARD_ROOM);
    socket.on("run:subscribe", (payload, ack) => {
      const parsed = RunSubscribeSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: "invalid subscription" });
      const { runId, since } = parsed.data;
      // Join first, then send the backlog: a line may arrive twice, never zero times; clients dedupe by seq.
      void socket.join(`run:${runId}`);
      void (async () => {
        let cursor = since;
        for (;;) {
          const page = await listLogLines(db, runId, cursor, BACKLOG_PAGE);
          if (page.length > 0) socket.emit("run:log", { runId, lines: page });
          const last = page.at(-1);
          if (!last || page.length < BACKLOG_PAGE) break;
          cursor = last.seq;
        }
      })().then(
        () => ack({ ok: true }),
        (error: unknown) => ack({ ok: false, error: String(error) }),
      );
    });
    socket.on("run:unsubscribe", (payload) => {
      if (typeof payload?.runId === "string") void socket.leave(`run:${payload.runId}`);
    });
  });

  async function withRunner(runnerId: string, send: (socket: GroveSocket) => Promise<Ack>): Promise<Ack> {
    const socketId = runnerSockets.get(runnerId);
    const socket = socketId ? runners.sockets.get(socketId) : undefined;
    if (!socket) return { ok: false, error: "the runner is offline" };
    try {
      return await send(socket);
    } catch {
      return { ok: false, error: "the runner did not answer in time" };
    }
  }

  const hub: Hub = {
    io,
    isRunnerOnline: (runnerId) => runnerSockets.has(runnerId),
    onlineRunnerIds: () => [...runnerSockets.keys()],
    startSession: (runnerId, payload) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("session:start", payload)),
    executeMerge: (runnerId, payload) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("merge:execute", payload)),
    cancelRun: (runnerId, runId) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("run:cancel", { runId })),
    publishLogLines(runId, lines) {
      browsers.to(`run:${runId}`).emit("run:log", { runId, lines });
    },
    broadcastChanged(change) {
      browsers.to(DASHBOARD_ROOM).emit("grove:changed", change);
    },
    setRunnerHandlers(next) {
      handlers = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        void io.close(() => resolve());
      }),
  };
  return hub;
}
