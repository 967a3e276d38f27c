import { DomainError } from "@grove/core";
import { access } from "node:fs/promises";
import { join, relative } from "node:path";
import { runRecordPath } from "../run/run-record.ts";
import { readLocalAudit, sessionAuditPath } from "./audit-file.ts";

/**
 * Refuses (ALREADY_EXISTS) a session run whose tasks' run ids already have records in `dataDir`: a run
 * record, a merge request, or events in the session's audit trail. A plan that names an existing session
 * may add tasks to it, never run one of its tasks again under the same run id: that would write over the
 * records of what happened. Also refuses (AUDIT_BROKEN) a session whose audit trail cannot be appended to,
 * before anything is created. Checked while the session is claimed, so no other grove process adds records.
 */
export async function assertRunIdsUnused(dataDir: string, sessionId: string, runIds: readonly string[]): Promise<void> {
  const auditPath = sessionAuditPath(dataDir, sessionId);
  const audited = new Map<string, number>();
  for (const entry of await readLocalAudit(auditPath)) {
    if (entry.runId) audited.set(entry.runId, (audited.get(entry.runId) ?? 0) + 1);
  }
  const taken: string[] = [];
  for (const runId of runIds) {
    const records = [
      ...((await exists(runRecordPath(dataDir, runId)))
        ? [`its run record (${relative(dataDir, runRecordPath(dataDir, runId))})`]
        : []),
      ...((await exists(mergePath(dataDir, runId)))
        ? [`its merge request (${relative(dataDir, mergePath(dataDir, runId))})`]
        : []),
      ...(audited.has(runId) ? [`${audited.get(runId)} audit event(s) in ${relative(dataDir, auditPath)}`] : []),
    ];
    if (records.length > 0) taken.push(`run "${runId}" already has ${records.join(", ")}`);
  }
  if (taken.length === 0) return;
  throw new DomainError(
    "ALREADY_EXISTS",
    `session "${sessionId}" cannot run these tasks again; nothing was started: ${taken.join("; ")} in ${dataDir}. ` +
      `grove never writes over a run's records: give the task another id, or name another session in the plan`,
  );
}

const mergePath = (dataDir: string, runId: string) => join(dataDir, "merges", `${runId}.json`);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
