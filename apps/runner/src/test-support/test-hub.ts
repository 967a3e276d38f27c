import {
  AuditRecordSchema,
  BranchDiffSchema,
  QueueLeaseRequestSchema,
  QueueSnapshotSchema,
  MergeProgressSchema,
  RunProgressSchema,
  MergeResultSchema,
  RadarSnapshotSchema,
  MAX_SOCKET_MESSAGE_BYTES,
  RUNNER_NAMESPACE,
  RUNNER_TOKEN_HEADER,
  parseRunLogBatch,
  RunLogWatermarkSchema,
  RunnerHelloSchema,
  RunReportSchema,
  RunStateEventSchema,
  type Ack,
  type HubToRunnerEvents,
  type LogLine,
  type MergeExecute,
  type RunnerToHubEvents,
  type SessionStart,
} from "@grove/core";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Namespace } from "socket.io";
import type { z } from "zod";

type RunnerNamespace = Namespace<RunnerToHubEvents, HubToRunnerEvents>;
export type HubEvent = { event: keyof RunnerToHubEvents; payload: unknown; at: number };

/** What survives a hub restart, like the hub's database: every event, and log lines by (runId, seq). */
export type HubStore = {
  events: HubEvent[];
  lines: Map<string, Map<number, LogLine>>;
  /** Log lines received again after they were stored (resends); harmless, but counted. */
  duplicates: number;
  /** The merge queues' leases by repository and branch (one runner: any new process of it takes them over). */
  leases: Map<string, { instance: string; epoch: number }>;
};

export function createHubStore(): HubStore {
  return { events: [], lines: new Map(), duplicates: 0, leases: new Map() };
}

export type TestHub = {
  port: number;
  url: string;
  store: HubStore;
  connections: number;
  startSession(payload: SessionStart): Promise<Ack>;
  executeMerge(payload: MergeExecute): Promise<Ack>;
  cancelRun(runId: string): Promise<Ack>;
  prioritizeMerge(mergeRequestId: string): Promise<Ack>;
  close(): Promise<void>;
};

/**
 * A small real hub for runner tests: a socket.io server on a real port with the /runner namespace,
 * checking the token, parsing every payload with the protocol schemas and acking log batches with the
 * highest contiguous stored seq, as the real hub does.
 */
export async function startTestHub(opts: {
  token: string;
  port?: number;
  store?: HubStore;
  /** False makes the hub store a batch but never ack it, like a hub that dies between the two. */
  ackLogs?: () => boolean;
  /** A reason makes the hub refuse that log batch (`{ ok: false }`) without storing it. */
  refuseLog?: () => string | null;
  /** False makes the hub store any other event but never ack it, like a hub that dies between the two. */
  ackEvents?: () => boolean;
}): Promise<TestHub> {
  const store = opts.store ?? createHubStore();
  const httpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (httpServer.address() as AddressInfo).port;
  // As the real hub: the token at the engine.io handshake too, and messages of at most MAX_SOCKET_MESSAGE_BYTES.
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    allowRequest: (req, callback) => {
      const isAllowed = req.headers[RUNNER_TOKEN_HEADER] === opts.token;
      callback(isAllowed ? null : "unauthorized", isAllowed);
    },
  });
  const runners: RunnerNamespace = io.of(RUNNER_NAMESPACE);
  const runner = () => {
    const socket = [...runners.sockets.values()].at(-1);
    if (!socket) throw new Error("no runner connected");
    return socket;
  };
  const hub: TestHub = {
    port,
    url: `http://127.0.0.1:${port}`,
    store,
    connections: 0,
    startSession: (payload) => runner().timeout(5_000).emitWithAck("session:start", payload),
    executeMerge: (payload) => runner().timeout(5_000).emitWithAck("merge:execute", payload),
    cancelRun: (runId) => runner().timeout(5_000).emitWithAck("run:cancel", { runId }),
    prioritizeMerge: (mergeRequestId) => runner().timeout(5_000).emitWithAck("merge:prioritize", { mergeRequestId }),
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };

  runners.use((socket, next) => {
    if (socket.handshake.auth.token === opts.token) return next();
    next(new Error("unauthorized"));
  });
  const watermarkOf = (runId: string) => {
    const lines = store.lines.get(runId);
    let acked = 0;
    while (lines?.has(acked + 1)) acked++;
    return acked;
  };
  runners.on("connection", (socket) => {
    hub.connections++;
    const record = <S extends z.ZodType>(event: keyof RunnerToHubEvents, schema: S, payload: unknown): z.infer<S> => {
      const data = schema.parse(payload);
      store.events.push({ event, payload: data, at: Date.now() });
      return data;
    };
    socket.on("runner:hello", (payload, ack) => {
      record("runner:hello", RunnerHelloSchema, payload);
      ack({ ok: true, runnerId: "runner-test" });
    });
    socket.on("run:log", (payload, ack) => {
      const parsed = parseRunLogBatch(payload);
      if (!parsed.success) throw new Error(`invalid run:log payload: ${parsed.error}`);
      const batch = parsed.data;
      const refusal = opts.refuseLog?.() ?? null;
      if (refusal !== null) return ack({ ok: false, error: refusal });
      const lines = store.lines.get(batch.runId) ?? new Map<number, LogLine>();
      store.lines.set(batch.runId, lines);
      for (const line of batch.lines) {
        if (lines.has(line.seq)) store.duplicates++;
        else lines.set(line.seq, line);
      }
      if (opts.ackLogs?.() ?? true) ack({ ok: true, ackedSeq: watermarkOf(batch.runId) });
    });
    // As the real hub's lease (packages/db queue-lease.ts) for runners of one hub process: a new holder gets the next epoch.
    socket.on("queue:lease", (payload, ack) => {
      const req = record("queue:lease", QueueLeaseRequestSchema, payload);
      const key = `${req.repositoryId}\0${req.integration}`;
      const lease = store.leases.get(key);
      if (req.op === "release") {
        if (lease?.instance === req.instance) store.leases.set(key, { instance: "", epoch: lease.epoch });
        return ack({ ok: true, held: false, runnerId: "", epoch: 0 });
      }
      const epoch = lease?.instance === req.instance ? lease.epoch : (lease?.epoch ?? 0) + 1;
      store.leases.set(key, { instance: req.instance, epoch });
      ack({ ok: true, held: true, epoch, remainingMs: req.durationMs });
    });
    socket.on("run:log-watermark", (payload, ack) => {
      ack({ ok: true, ackedSeq: watermarkOf(RunLogWatermarkSchema.parse(payload).runId) });
    });
    for (const [event, schema] of [
      ["run:state", RunStateEventSchema],
      ["run:report", RunReportSchema],
      ["audit:record", AuditRecordSchema],
      ["merge:result", MergeResultSchema],
      ["merge:progress", MergeProgressSchema],
      ["run:progress", RunProgressSchema],
      ["radar:snapshot", RadarSnapshotSchema],
      ["branch:diff", BranchDiffSchema],
      ["queue:snapshot", QueueSnapshotSchema],
    ] as const) {
      socket.on(event, (payload: unknown, ack: (res: Ack) => void) => {
        record(event, schema, payload);
        if (opts.ackEvents?.() ?? true) ack({ ok: true });
      });
    }
  });
  return hub;
}

export function eventsOf<S extends z.ZodType>(store: HubStore, event: keyof RunnerToHubEvents, schema: S): z.infer<S>[] {
  return store.events.filter((e) => e.event === event).map((e) => schema.parse(e.payload));
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
