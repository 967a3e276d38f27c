import { DomainError, type MergeApproval } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { branchStatusOf, checksFromStatus, readJsonArray, voidMergeRequest } from "./merge-checks.ts";
import { mergeExecutePayload } from "./merge-dispatch.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

export { recordMergeResult } from "./merge-results.ts";

type Deps = { db: Db; hub: Hub };

const MERGEABLE_TESTS = new Set(["passed", "untested", "none"]);

/**
 * A run that exited 0 with commits and tests that did not fail opens one merge request pinned to its head SHA, carrying what
 * the overlap radar already knows of that head (diff, predicted conflicts, overlaps, brain policy).
 */
export async function openMergeRequestIfGreen(deps: Deps, runId: string): Promise<void> {
  const { db, hub } = deps;
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { session: true } });
  // A run with no commits of its own has nothing to merge; an untested one opens, marked so, for a person.
  if (run.exitCode !== 0 || !MERGEABLE_TESTS.has(run.testStatus ?? "") || !run.headSha || run.headSha === run.baseSha) return;
  const existing = await db.mergeRequest.findFirst({ where: { runId, headSha: run.headSha } });
  if (existing) return;
  const status = await branchStatusOf(db, { runnerId: run.session.runnerId, repoPath: run.session.repoPath, branch: run.branch });
  const checks = status && status.headSha === run.headSha ? checksFromStatus(status) : {};
  const mr = await db.mergeRequest.create({
    data: { runId, branch: run.branch, integration: run.session.integration, headSha: run.headSha, state: "open", ...checks },
  });
  await appendAuditEvent(db, {
    actorType: "system",
    actorId: "hub",
    action: "merge.opened",
    subject: mr.id,
    sessionId: run.sessionId,
    runId,
    branch: run.branch,
    sha: run.headSha,
    details: { integration: mr.integration, tests: run.testStatus, agent: run.agent, taskId: run.taskId },
  });
  if (mr.state === "blocked") await auditBlocked(db, mr.id, run, mr.blockedReason);
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}

export async function auditBlocked(db: Db, id: string, run: { sessionId: string; id: string; branch: string; headSha: string | null }, reason: string | null) {
  await appendAuditEvent(db, { actorType: "system", actorId: "hub", action: "merge.blocked", subject: id, sessionId: run.sessionId, runId: run.id, branch: run.branch, sha: run.headSha, details: { reason, branchKept: true } });
}

/**
 * An approver's decision, pinned to the head SHA they saw. The hub refuses blocked requests and voids
 * requests whose branch moved; the runner checks the SHA again when the merge queue reaches the request.
 */
export async function approveMergeRequest(deps: Deps, user: SessionUser, input: { id: string; sha: string; comment?: string }): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  if (mr.state === "blocked") throw new DomainError("FORBIDDEN", mr.blockedReason ?? "This merge request is blocked.");
  if (mr.state !== "open") throw new DomainError("INVALID_INPUT", `This merge request is ${mr.state}, not open.`);
  if (mr.headSha !== input.sha) {
    throw new DomainError("SHA_MISMATCH", "The branch moved since this page was loaded; review the new head before approving.");
  }
  const { session } = mr.run;
  const status = await branchStatusOf(db, { runnerId: session.runnerId, repoPath: session.repoPath, branch: mr.branch });
  if (status && !status.live && status.headSha !== mr.headSha) {
    await voidMergeRequest(deps, mr, status.headSha);
    throw new DomainError("SHA_MISMATCH", `The branch moved to ${status.headSha.slice(0, 12)} after its tests ran; this request is void. Run the task again for a tested head.`);
  }
  if (!hub.isRunnerOnline(session.runnerId)) throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const claimed = await db.mergeRequest.updateMany({
    where: { id: mr.id, state: "open", headSha: input.sha },
    data: { state: "approved", decidedBy: user.id, decidedAt: new Date(), comment: input.comment ?? null, approvedSha: input.sha, approval: "user" },
  });
  if (claimed.count !== 1) throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.approved",
    ...mergeRequestAudit(mr, input.sha),
    details: { comment: input.comment ?? "", approval: "user", predictedConflicts: mr.conflicts === null ? null : readJsonArray(mr.conflicts) },
  });
  const approval: MergeApproval = { kind: "user", by: user.email, ...(input.comment ? { comment: input.comment } : {}) };
  const ack = await hub.executeMerge(session.runnerId, mergeExecutePayload({ ...mr, approvedSha: input.sha }, approval));
  await db.mergeRequest.update({
    where: { id: mr.id },
    data: ack.ok ? { state: "merging", stage: "queued" } : { state: "open", approval: null, approvedSha: null, error: `Could not start the merge: ${ack.error}` },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  if (!ack.ok) throw new DomainError("RUNNER_OFFLINE", `The runner could not start the merge: ${ack.error}`);
}

/** Rejecting keeps the branch (and its worktree): nothing an agent produced is deleted silently. */
export async function rejectMergeRequest(deps: Deps, user: SessionUser, input: { id: string; comment: string }): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: true } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const claimed = await db.mergeRequest.updateMany({
    where: { id: mr.id, state: { in: ["open", "blocked"] } },
    data: { state: "rejected", decidedBy: user.id, decidedAt: new Date(), comment: input.comment },
  });
  if (claimed.count !== 1) throw new DomainError("INVALID_INPUT", `This merge request is ${mr.state}, not open.`);
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.rejected",
    ...mergeRequestAudit(mr),
    details: { comment: input.comment, branchKept: true },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}

