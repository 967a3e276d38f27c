import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { z } from "zod";
import {
  AckSchema,
  DomainError,
  encodeLogLines,
  MAX_SOCKET_MESSAGE_BYTES,
  QueryAckSchema,
  RUNNER_NAMESPACE,
  RUNNER_QUERY_ANSWERS,
  type Ack,
  type Changed,
  type HubToRunnerEvents,
  type RunnerQueryName,
} from "@grove/core";
import type { Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { serveBrowsers } from "./browser-namespace.ts";
import type { HubBus } from "./bus.ts";
import { PRESENCE_TIMING, watchClusterPresence, type PresenceTiming } from "./cluster-presence.ts";
import type { FanoutLimits } from "./fanout-budget.ts";
import { allowKnownPeers } from "./handshake-auth.ts";
import { createInFlightWork } from "./in-flight-work.ts";
import type { Hub } from "./hub-contract.ts";
import { createLogFanout } from "./log-fanout.ts";
import { createPeerLimits } from "./peer-limits.ts";
import { createMemoryQueueStore, type QueueStore } from "./queue-store.ts";
import type { RunnerHandlers } from "./runner-handlers.ts";
import { sendToRunner } from "./runner-link.ts";
import { serveRunners } from "./runner-namespace.ts";
import { DASHBOARD_ROOM, runnerRoom, userRoom, type GroveNamespace, type GroveServerIo } from "./types.ts";

const RUNNER_ACK_TIMEOUT_MS = 15_000;
const QUERY_TIMEOUT_MS = 30_000;

type QueryAnswer<K extends RunnerQueryName> = z.infer<(typeof RUNNER_QUERY_ANSWERS)[K]>;

/** The errors the hub itself answers when a runner could not be asked; any other refusal is the runner's answer. */
export const RUNNER_UNREACHABLE = { offline: "the runner is offline", timedOut: "the runner did not answer in time" } as const;

export type { Hub } from "./hub-contract.ts";

export type HubOptions = {
  httpServer: HttpServer;
  db: Db;
  auth: GroveAuth;
  logFanout?: Partial<FanoutLimits>;
  /** Shared with the other dashboard instances (GROVE_REDIS_URL); null: this process is the only one. */
  bus?: HubBus | null;
  /** Tests lower the presence announcements' period and expiry. */
  presence?: PresenceTiming;
  queues?: QueueStore;
  /** How long a close waits for work still running (tests lower it); 10 s by default. */
  closeBudgetMs?: number;
  /** How long the hub waits for a runner to acknowledge a command (tests lower it); RUNNER_ACK_TIMEOUT_MS by default. */
  runnerAckTimeoutMs?: number;
};

export function createHub(opts: HubOptions): Hub {
  const limits = createPeerLimits();
  const bus = opts.bus ?? null;
  const io: GroveServerIo = new Server(opts.httpServer, {
    path: "/socket.io/",
    serveClient: false,
    // Who it is first, then bounded messages on a bounded number of connections: a stranger gets none.
    allowRequest: allowKnownPeers({ ...opts, limits }),
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    ...(bus ? { adapter: bus.adapter } : {}),
  });
  limits.watch(io);
  const browsers: GroveNamespace = io.of("/");
  const listeners: ((change: Changed) => void)[] = [];
  let handlers: RunnerHandlers | null = null;
  const queues = opts.queues ?? createMemoryQueueStore();
  const work = createInFlightWork();

  const logs = createLogFanout({ db: opts.db, browsers, limits: opts.logFanout, peers: bus?.logs });
  serveBrowsers(browsers, { auth: opts.auth, logs });
  const runnerNamespace: GroveNamespace = io.of(RUNNER_NAMESPACE);
  const runners = serveRunners(runnerNamespace, {
    db: opts.db,
    handlers: () => handlers,
    track: work.track,
    onChange: (runnerId) => {
      // The others learn of the runner before their browsers hear that the runners changed.
      presence?.announce();
      hub.broadcastChanged({ scope: "runners", id: runnerId });
    },
    onGone: (runnerId) =>
      void work.track(queues.dropRunner(runnerId)).then(
        () => hub.broadcastChanged({ scope: "queue" }),
        (error: unknown) => console.error(`dropping the merge queues of runner ${runnerId} failed:`, error),
      ),
  });
  const presence = bus ? watchClusterPresence(io, () => runners.onlineIds(), opts.presence ?? PRESENCE_TIMING) : null;
  if (bus) {
    bus.logs.onLines((runId, lines) => logs.publish(runId, lines));
    io.on("peer:progress", (progress) => logs.publishProgress(progress));
  }
  const link = { runners: runnerNamespace, connections: runners, isShared: bus !== null };

  async function withRunner(runnerId: string, event: keyof HubToRunnerEvents, payload: unknown): Promise<Ack> {
    try {
      const answer = await sendToRunner(link, runnerId, event, payload, opts.runnerAckTimeoutMs ?? RUNNER_ACK_TIMEOUT_MS);
      if (answer.kind === "offline") return { ok: false, error: RUNNER_UNREACHABLE.offline };
      const ack = AckSchema.safeParse(answer.raw);
      // The runner's own ack, as it sent it, once it has an ack's shape.
      return ack.success ? (answer.raw as Ack) : { ok: false, error: `the runner sent an unreadable answer to ${event}` };
    } catch {
      return { ok: false, error: RUNNER_UNREACHABLE.timedOut };
    }
  }

  const hub: Hub = {
    io,
    isRunnerOnline: (runnerId) => presence?.isOnline(runnerId) ?? runners.socketOf(runnerId) !== undefined,
    onlineRunnerIds: () => presence?.onlineIds() ?? runners.onlineIds(),
    isBusUp: () => bus?.isUp() ?? true,
    isRunnerHere: (runnerId) => runners.socketOf(runnerId) !== undefined,
    startSession: (runnerId, payload) => withRunner(runnerId, "session:start", payload),
    executeMerge: (runnerId, payload) => withRunner(runnerId, "merge:execute", payload),
    cancelRun: (runnerId, runId) => withRunner(runnerId, "run:cancel", { runId }),
    withdrawMerge: (runnerId, mergeRequestId) => withRunner(runnerId, "merge:withdraw", { mergeRequestId }),
    prioritizeMerge: (runnerId, mergeRequestId) => withRunner(runnerId, "merge:prioritize", { mergeRequestId }),
    queues,
    async ask(runnerId, query, payload) {
      const reply = await sendToRunner(link, runnerId, query, payload, QUERY_TIMEOUT_MS).catch(() => {
        throw new DomainError("RUNNER_OFFLINE", "The runner did not answer in time.");
      });
      if (reply.kind === "offline")
        throw new DomainError("RUNNER_OFFLINE", "That runner is offline; start it to see its repositories.");
      const ack = QueryAckSchema.safeParse(reply.raw);
      if (!ack.success) throw new DomainError("INVALID_INPUT", `The runner sent an unreadable answer to ${query}.`);
      if (!ack.data.ok) throw new DomainError("INVALID_INPUT", `The runner could not answer: ${ack.data.error}`);
      const answer = RUNNER_QUERY_ANSWERS[query].safeParse(ack.data.data);
      if (!answer.success) throw new DomainError("INVALID_INPUT", `The runner's answer to ${query} is malformed.`);
      return answer.data as QueryAnswer<typeof query>;
    },
    disconnectRunner(runnerId) {
      runners.disconnect(runnerId);
      // A revoked runner connected to another instance is cut off there too.
      if (bus) runnerNamespace.in(runnerRoom(runnerId)).disconnectSockets(true);
    },
    disconnectUser: (userId) => void browsers.in(userRoom(userId)).disconnectSockets(true),
    publishLogLines(runId, lines, rows) {
      logs.publish(runId, lines);
      // The instances whose browsers follow the run get them; the bus keeps one sender's order.
      const first = lines[0];
      if (bus && first) bus.logs.publish(runId, first.seq, rows ?? encodeLogLines(lines));
    },
    publishRunProgress(progress) {
      logs.publishProgress(progress);
      if (bus) io.serverSideEmit("peer:progress", progress);
    },
    logBytesHeld: () => logs.heldBytes(),
    broadcastChanged(change) {
      browsers.to(DASHBOARD_ROOM).emit("grove:changed", change);
      for (const listener of listeners) listener(change);
    },
    onChanged: (listener) => void listeners.push(listener),
    setRunnerHandlers(next) {
      handlers = next;
    },
    track: work.track,
    async close() {
      presence?.close();
      // Disconnecting the sockets starts work of its own (each runner's last-seen write): settled after it.
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      const left = await work.settle(opts.closeBudgetMs ?? 10_000);
      if (left > 0) console.error(`hub closed with ${left} task(s) still running after its budget`);
    },
  };
  return hub;
}
