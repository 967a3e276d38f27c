import { AuditRecordSchema, RunReportSchema, RunStateEventSchema, type LogStream, type RunReport, type RunState } from "@grove/core";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { HubOutbox } from "./hub-outbox.ts";
import type { LogShipper, RunLog } from "./log-shipper.ts";

export type LocalHubListener = {
  onLine?: (runId: string, stream: LogStream, text: string) => void;
  onState?: (runId: string, state: RunState, error: string | undefined) => void;
};

/**
 * Stand-ins for the hub connection when a session runs headless (`grove session run`): states and
 * reports come back to the caller, log lines go straight to it, audit records to a JSONL file.
 */
export function createLocalHub(auditPath: string, listener: LocalHubListener) {
  const reports = new Map<string, RunReport>();
  const states = new Map<string, RunState>();
  let auditing: Promise<void> = Promise.resolve();

  const outbox: HubOutbox = {
    send(event, payload) {
      switch (event) {
        case "run:state": {
          const state = RunStateEventSchema.parse(payload);
          states.set(state.runId, state.state);
          listener.onState?.(state.runId, state.state, state.error);
          break;
        }
        case "run:report": {
          const report = RunReportSchema.parse(payload);
          reports.set(report.runId, report);
          break;
        }
        case "audit:record": {
          const record = { ...AuditRecordSchema.parse(payload), actor: "grove session run", at: Date.now() };
          auditing = auditing
            .then(async () => {
              await mkdir(dirname(auditPath), { recursive: true });
              await appendFile(auditPath, `${JSON.stringify(record)}\n`);
            })
            .catch(() => undefined);
          break;
        }
        case "merge:result":
          break;
      }
      return Promise.resolve(true);
    },
    drain: async () => {
      await auditing;
      return true;
    },
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

  return { outbox, shipper, reports, states };
}
