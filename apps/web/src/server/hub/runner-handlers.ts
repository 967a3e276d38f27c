import type { Socket } from "socket.io";
import {
  AuditRecordSchema,
  BranchDiffSchema,
  MergeProgressSchema,
  MergeResultSchema,
  RadarSnapshotSchema,
  parseRunLogBatch,
  QueueLeaseRequestSchema,
  QueueSnapshotSchema,
  RunLogWatermarkSchema,
  RunnerHelloSchema,
  RunProgressSchema,
  RunReportSchema,
  RunStateEventSchema,
  type Ack,
  type AuditRecord,
  type HubToRunnerEvents,
  type LogAck,
  type QueueLeaseAck,
  type QueueLeaseRequest,
  type ParsedLogBatch,
  type RunnerToHubEvents,
} from "@grove/core";
import { z } from "zod";

export type RunnerHandlers = {
  hello(runnerId: string, payload: z.infer<typeof RunnerHelloSchema>): Promise<void>;
  runState(runnerId: string, payload: z.infer<typeof RunStateEventSchema>): Promise<void>;
  runLog(runnerId: string, payload: ParsedLogBatch): Promise<number>;
  /** The highest seq up to which the run's log is stored, once the batches already received are. */
  logWatermark(runnerId: string, payload: z.infer<typeof RunLogWatermarkSchema>): Promise<number>;
  runReport(runnerId: string, payload: z.infer<typeof RunReportSchema>): Promise<void>;
  audit(runnerId: string, payload: AuditRecord): Promise<void>;
  mergeResult(runnerId: string, payload: z.infer<typeof MergeResultSchema>): Promise<void>;
  mergeProgress(runnerId: string, payload: z.infer<typeof MergeProgressSchema>): Promise<void>;
  runProgress(runnerId: string, payload: z.infer<typeof RunProgressSchema>): Promise<void>;
  radarSnapshot(runnerId: string, payload: z.infer<typeof RadarSnapshotSchema>): Promise<void>;
  branchDiff(runnerId: string, payload: z.infer<typeof BranchDiffSchema>): Promise<void>;
  queueSnapshot(runnerId: string, payload: z.infer<typeof QueueSnapshotSchema>): Promise<void>;
  queueLease(runnerId: string, payload: QueueLeaseRequest): Promise<QueueLeaseAck>;
};

type RunnerSocket = Socket<RunnerToHubEvents, HubToRunnerEvents>;

/**
 * Every inbound payload is parsed; a handler's failure becomes an error ack, never a crash. Each handler's
 * work is tracked: it may still be writing when its socket goes, and the hub's close waits for it.
 */
export function registerRunnerHandlers(
  socket: RunnerSocket,
  runnerId: string,
  handlers: RunnerHandlers,
  track: <T>(work: Promise<T>) => Promise<T>,
): void {
  const guard = <S extends z.ZodType, R>(
    schema: S,
    handle: (payload: z.infer<S>) => Promise<R>,
    toAck: (result: R) => Ack | LogAck | QueueLeaseAck,
  ) => {
    return (payload: unknown, ack: (res: never) => void) => {
      const reply = ack as (res: Ack | LogAck | QueueLeaseAck) => void;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        reply({ ok: false, error: `invalid payload:\n${z.prettifyError(parsed.error)}` });
        return;
      }
      track(handle(parsed.data)).then(
        (result) => reply(toAck(result)),
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
    };
  };
  const ok = (): Ack => ({ ok: true });
  socket.on(
    "runner:hello",
    guard(
      RunnerHelloSchema,
      (p) => handlers.hello(runnerId, p),
      () => ({ ok: true, runnerId }),
    ),
  );
  socket.on(
    "run:state",
    guard(RunStateEventSchema, (p) => handlers.runState(runnerId, p), ok),
  );
  // The log hot path: the envelope by its schema, the lines by a loop (see parseRunLogBatch).
  socket.on("run:log", (payload: unknown, ack: (res: LogAck) => void) => {
    const parsed = parseRunLogBatch(payload);
    if (!parsed.success) return ack({ ok: false, error: `invalid payload: ${parsed.error}` });
    track(handlers.runLog(runnerId, parsed.data)).then(
      (ackedSeq) => ack({ ok: true, ackedSeq }),
      (error: unknown) => ack({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  socket.on(
    "run:log-watermark",
    guard(
      RunLogWatermarkSchema,
      (p) => handlers.logWatermark(runnerId, p),
      (ackedSeq) => ({ ok: true, ackedSeq }),
    ),
  );
  socket.on(
    "run:report",
    guard(RunReportSchema, (p) => handlers.runReport(runnerId, p), ok),
  );
  socket.on(
    "audit:record",
    guard(AuditRecordSchema, (p) => handlers.audit(runnerId, p), ok),
  );
  socket.on(
    "merge:result",
    guard(MergeResultSchema, (p) => handlers.mergeResult(runnerId, p), ok),
  );
  socket.on(
    "merge:progress",
    guard(MergeProgressSchema, (p) => handlers.mergeProgress(runnerId, p), ok),
  );
  socket.on(
    "run:progress",
    guard(RunProgressSchema, (p) => handlers.runProgress(runnerId, p), ok),
  );
  socket.on(
    "radar:snapshot",
    guard(RadarSnapshotSchema, (p) => handlers.radarSnapshot(runnerId, p), ok),
  );
  socket.on(
    "branch:diff",
    guard(BranchDiffSchema, (p) => handlers.branchDiff(runnerId, p), ok),
  );
  socket.on(
    "queue:snapshot",
    guard(QueueSnapshotSchema, (p) => handlers.queueSnapshot(runnerId, p), ok),
  );
  socket.on(
    "queue:lease",
    guard(
      QueueLeaseRequestSchema,
      (p) => handlers.queueLease(runnerId, p),
      (answer) => answer,
    ),
  );
}
