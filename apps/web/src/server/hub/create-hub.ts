import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { z } from "zod";
import {
  DomainError,
  MAX_SOCKET_MESSAGE_BYTES,
  QueryAckSchema,
  RUNNER_NAMESPACE,
  RUNNER_QUERY_ANSWERS,
  type Ack,
  type Changed,
  type LogLine,
  type RunProgress,
  type MergeExecute,
  type RunnerQueryEvents,
  type RunnerQueryName,
  type SessionStart,
} from "@grove/core";
import type { Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { serveBrowsers } from "./browser-namespace.ts";
import type { FanoutLimits } from "./fanout-budget.ts";
import { allowKnownPeers } from "./handshake-auth.ts";
import { createLogFanout } from "./log-fanout.ts";
import { createPeerLimits } from "./peer-limits.ts";
import type { RunnerHandlers } from "./runner-handlers.ts";
import { serveRunners } from "./runner-namespace.ts";
import { DASHBOARD_ROOM, userRoom, type GroveNamespace, type GroveServerIo, type GroveSocket } from "./types.ts";

const RUNNER_ACK_TIMEOUT_MS = 15_000;
const QUERY_TIMEOUT_MS = 30_000;

type QueryPayload<K extends RunnerQueryName> = Parameters<RunnerQueryEvents[K]>[0];
type QueryAnswer<K extends RunnerQueryName> = z.infer<(typeof RUNNER_QUERY_ANSWERS)[K]>;

/** The errors the hub itself answers when a runner could not be asked; any other refusal is the runner's answer. */
export const RUNNER_UNREACHABLE = { offline: "the runner is offline", timedOut: "the runner did not answer in time" } as const;

export type Hub = {
  io: GroveServerIo;
  isRunnerOnline(runnerId: string): boolean;
  onlineRunnerIds(): string[];
  startSession(runnerId: string, payload: SessionStart): Promise<Ack>;
  executeMerge(runnerId: string, payload: MergeExecute): Promise<Ack>;
  cancelRun(runnerId: string, runId: string): Promise<Ack>;
  /** Takes an approved merge back out of the runner's queue; refused once the runner has started it. */
  withdrawMerge(runnerId: string, mergeRequestId: string): Promise<Ack>;
  /** Asks a runner about one of its repositories; throws a DomainError the user can read when it cannot answer. */
  ask<K extends RunnerQueryName>(runnerId: string, query: K, payload: QueryPayload<K>): Promise<QueryAnswer<K>>;
  disconnectRunner(runnerId: string): void;
  disconnectUser(userId: string): void;
  /** Fans out lines that are already stored: a browser that has fallen behind reads them again from the database. */
  publishLogLines(runId: string, lines: LogLine[]): void;
  /** Passes a run's progress on to the browsers showing its log; nothing is stored. */
  publishRunProgress(progress: RunProgress): void;
  /** Bytes of log lines the hub holds for browsers that have not taken them yet (bounded by the fan-out's limits). */
  logBytesHeld(): number;
  broadcastChanged(change: Changed): void;
  /** Called after every change the hub announces to browsers (notifications listen here). */
  onChanged(listener: (change: Changed) => void): void;
  setRunnerHandlers(handlers: RunnerHandlers): void;
  close(): Promise<void>;
};

export function createHub(opts: { httpServer: HttpServer; db: Db; auth: GroveAuth; logFanout?: Partial<FanoutLimits> }): Hub {
  const limits = createPeerLimits();
  const io: GroveServerIo = new Server(opts.httpServer, {
    path: "/socket.io/",
    serveClient: false,
    // Who it is first, then bounded messages on a bounded number of connections: a stranger gets none.
    allowRequest: allowKnownPeers({ ...opts, limits }),
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
  });
  limits.watch(io);
  const browsers: GroveNamespace = io.of("/");
  const listeners: ((change: Changed) => void)[] = [];
  let handlers: RunnerHandlers | null = null;

  const logs = createLogFanout({ db: opts.db, browsers, limits: opts.logFanout });
  serveBrowsers(browsers, { auth: opts.auth, logs });
  const runners = serveRunners(io.of(RUNNER_NAMESPACE), {
    db: opts.db,
    handlers: () => handlers,
    onChange: (runnerId) => hub.broadcastChanged({ scope: "runners", id: runnerId }),
  });

  async function withRunner(runnerId: string, send: (socket: GroveSocket) => Promise<Ack>): Promise<Ack> {
    const socket = runners.socketOf(runnerId);
    if (!socket) return { ok: false, error: RUNNER_UNREACHABLE.offline };
    try {
      return await send(socket);
    } catch {
      return { ok: false, error: RUNNER_UNREACHABLE.timedOut };
    }
  }

  const hub: Hub = {
    io,
    isRunnerOnline: (runnerId) => runners.socketOf(runnerId) !== undefined,
    onlineRunnerIds: () => runners.onlineIds(),
    startSession: (runnerId, payload) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("session:start", payload)),
    executeMerge: (runnerId, payload) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("merge:execute", payload)),
    cancelRun: (runnerId, runId) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("run:cancel", { runId })),
    withdrawMerge: (runnerId, mergeRequestId) =>
      withRunner(runnerId, (socket) => socket.timeout(RUNNER_ACK_TIMEOUT_MS).emitWithAck("merge:withdraw", { mergeRequestId })),
    async ask(runnerId, query, payload) {
      const socket = runners.socketOf(runnerId);
      if (!socket) throw new DomainError("RUNNER_OFFLINE", "That runner is offline; start it to see its repositories.");
      // socket.io cannot correlate a generic event name with its payload; the payload type is checked by `ask`'s signature.
      const timed = socket.timeout(QUERY_TIMEOUT_MS);
      const emit = timed.emitWithAck.bind(timed) as (event: RunnerQueryName, body: unknown) => Promise<unknown>;
      const raw = await emit(query, payload).catch(() => {
        throw new DomainError("RUNNER_OFFLINE", "The runner did not answer in time.");
      });
      const ack = QueryAckSchema.safeParse(raw);
      if (!ack.success) throw new DomainError("INVALID_INPUT", `The runner sent an unreadable answer to ${query}.`);
      if (!ack.data.ok) throw new DomainError("INVALID_INPUT", `The runner could not answer: ${ack.data.error}`);
      const answer = RUNNER_QUERY_ANSWERS[query].safeParse(ack.data.data);
      if (!answer.success) throw new DomainError("INVALID_INPUT", `The runner's answer to ${query} is malformed.`);
      return answer.data as QueryAnswer<typeof query>;
    },
    disconnectRunner: (runnerId) => runners.disconnect(runnerId),
    disconnectUser: (userId) => void browsers.in(userRoom(userId)).disconnectSockets(true),
    publishLogLines: (runId, lines) => logs.publish(runId, lines),
    publishRunProgress: (progress) => logs.publishProgress(progress),
    logBytesHeld: () => logs.heldBytes(),
    broadcastChanged(change) {
      browsers.to(DASHBOARD_ROOM).emit("grove:changed", change);
      for (const listener of listeners) listener(change);
    },
    onChanged: (listener) => void listeners.push(listener),
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
