import { DomainError, isRunnerAuditAction, type AuditRecord } from "@grove/core";
import { appendAuditEvent, appendAuditEventOnce, type Db } from "@grove/db";
import { mayActForMerge } from "./queue-owners.ts";

/**
 * Stores what a runner says happened, as the runner's word: only about one of its own runs (its
 * session and branch are the run's), and only of the kinds a runner records. Anything else is
 * refused whole, so no runner token can put an approval, or another runner's run, on record.
 */
export async function recordRunnerAudit(db: Db, runnerId: string, record: AuditRecord): Promise<void> {
  if (!isRunnerAuditAction(record.action)) {
    const why = record.action === "merge.approved" ? ": approvals are recorded by the hub, from the approver's decision" : "";
    throw new DomainError("FORBIDDEN", `a runner cannot record "${record.action}"${why}`);
  }
  if (!record.runId)
    throw new DomainError(
      "INVALID_INPUT",
      `the audit record "${record.action}" names no run; a runner records events of its own runs only`,
    );
  const run = await db.run.findUnique({
    where: { id: record.runId },
    include: { session: { select: { runnerId: true, repoPath: true, integration: true } } },
  });
  // A merge's steps may come from the runner that owns the merge queue now, not only from the run's own runner.
  if (!run || !(await mayActForMerge(db, runnerId, { integration: integrationOf(record, run.session.integration), run })))
    throw new DomainError("FORBIDDEN", `run ${record.runId} is not one of this runner's runs`);
  if (record.sessionId !== undefined && record.sessionId !== run.sessionId) {
    throw new DomainError("INVALID_INPUT", `run ${run.id} belongs to session ${run.sessionId}, not ${record.sessionId}`);
  }
  if (record.branch !== undefined && record.branch !== run.branch)
    throw new DomainError("INVALID_INPUT", `run ${run.id} is on branch ${run.branch}, not ${record.branch}`);
  const { receiptKey, ...fields } = record;
  // The actor last: who recorded it is the hub's to say, never the payload's.
  const event = { ...fields, sessionId: run.sessionId, branch: run.branch, actorType: "runner" as const, actorId: runnerId };
  // Keyed per runner, so no runner can claim another's keys.
  if (receiptKey === undefined) await appendAuditEvent(db, event);
  else await appendAuditEventOnce(db, `audit:${runnerId}:${receiptKey}`, event);
}

/** The integration branch a merge step names (`details.into`), else the session's. */
function integrationOf(record: AuditRecord, fallback: string): string {
  const into = record.details?.into;
  return typeof into === "string" ? into : fallback;
}
