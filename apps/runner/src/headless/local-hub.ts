import {
  AuditRecordSchema,
  RunReportSchema,
  RunStateEventSchema,
  type LogStream,
  type RunReport,
  type RunState,
  describeError,
} from "@grove/core";
import { appendLocalAudit } from "./audit-file.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import type { LogShipper, RunLog } from "../log/run-log.ts";

export type LocalHubListener = {
  onLine?: (runId: string, stream: LogStream, text: string) => void;
  onState?: (runId: string, state: RunState, error: string | undefined) => void;
  /** An audit record could not be written (the first such failure; later records are refused alike). */
  onAuditError?: (message: string) => void;
};

/** Who records the events: the runner on behalf of `grove session run`, or a person (`grove approve`). */
export type LocalActor = { actorType: "runner" | "user"; actorId: string };
const HEADLESS_ACTOR: LocalActor = { actorType: "runner", actorId: "grove session run" };

/**
 * Stand-ins for the hub connection when a session runs headless (`grove session run`): states and
 * reports come back to the caller, log lines go straight to it, audit records to a hash-chained
 * JSONL file (appendLocalAudit), in the order they were sent.
 */
export function createLocalHub(auditPath: string, listener: LocalHubListener, actor: LocalActor = HEADLESS_ACTOR) {
  const reports = new Map<string, RunReport>();
  const states = new Map<string, RunState>();
  let auditing: Promise<boolean> = Promise.resolve(true);
  let auditError: string | null = null;

  const outbox: HubOutbox = {
    send(event, payload) {
      switch (event) {
        case "run:state": {
          const state = RunStateEventSchema.parse(payload);
          // The same state again (a waiting reason coming or going, said in the run's own lines) is no news.
          const isNews = states.get(state.runId) !== state.state || state.error !== undefined;
          states.set(state.runId, state.state);
          if (isNews) listener.onState?.(state.runId, state.state, state.error);
          break;
        }
        case "run:report": {
          const report = RunReportSchema.parse(payload);
          reports.set(report.runId, report);
          break;
        }
        case "audit:record": {
          const written = appendLocalAudit(auditPath, [{ ...AuditRecordSchema.parse(payload), ...actor }]).then(
            () => true,
            (error: unknown) => {
              if (auditError === null) {
                auditError = describeError(error);
                listener.onAuditError?.(auditError);
              }
              return false;
            },
          );
          auditing = Promise.all([auditing, written]).then(([before, now]) => before && now);
          return written;
        }
        case "merge:result":
          break;
      }
      return Promise.resolve(true);
    },
    drain: () => auditing,
    restore: () => Promise.resolve(0),
    close: () => undefined,
  };

  const shipper: LogShipper = {
    open(runId) {
      let seq = 0;
      const runLog: RunLog = {
        runId,
        write(stream, text) {
          seq++;
          listener.onLine?.(runId, stream, text);
          return true;
        },
        whenWritable: () => Promise.resolve(),
        checkpoint: () => undefined,
        resumedCheckpoint: undefined,
        flush: () => Promise.resolve(),
        lastSeq: () => seq,
        finish: () => Promise.resolve(true),
      };
      return Promise.resolve(runLog);
    },
    // Headless runs are never resumed: they end with the process that runs them.
    resume: () => Promise.resolve(null),
    stop: () => Promise.resolve(),
  };

  return { outbox, shipper, reports, states, auditError: () => auditError };
}
