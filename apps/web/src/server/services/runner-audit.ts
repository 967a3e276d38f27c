import { DomainError, isRunnerAuditAction, type AuditRecord } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";

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
  const run = await db.run.findUnique({ where: { id: record.runId }, include: { session: { select: { runnerId: true } } } });
  if (!run || run.session.runnerId !== runnerId)
    throw new DomainError("FORBIDDEN", `run ${record.runId} is not one of this runner's runs`);
  if (record.sessionId !== undefined && record.sessionId !== run.sessionId) {
    throw new DomainError("INVALID_INPUT", `run ${run.id} belongs to session ${run.sessionId}, not ${record.sessionId}`);
  }
  if (record.branch !== undefined && record.branch !== run.branch)
    throw new DomainError("INVALID_INPUT", `run ${run.id} is on branch ${run.branch}, not ${record.branch}`);
  // The actor last: who recorded it is the hub's to say, never the payload's.
  await appendAuditEvent(db, { ...record, sessionId: run.sessionId, branch: run.branch, actorType: "runner", actorId: runnerId });
}
