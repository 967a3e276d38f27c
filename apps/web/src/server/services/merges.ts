import { DomainError, type MergeOutcome } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";

type Deps = { db: Db; hub: Hub };

/** A run that exited 0 with passing tests opens one merge request pinned to its head SHA. */
export async function openMergeRequestIfGreen(deps: Deps, runId: string): Promise<void> {
  const { db, hub } = deps;
  const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { session: true } });
  if (run.exitCode !== 0 || run.testStatus !== "passed" || !run.headSha || run.headSha === run.baseSha) return;
  const existing = await db.mergeRequest.findFirst({ where: { runId, headSha: run.headSha } });
  if (existing) return;
  const mr = await db.mergeRequest.create({
    data: { runId, branch: run.branch, integration: run.session.integration, headSha: run.headSha, state: "open" },
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
    details: { integration: mr.integration, tests: run.testStatus },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}

export async function approveMergeRequest(
  deps: Deps,
  user: SessionUser,
  input: { id: string; sha: string; comment?: string },
): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  if (mr.state !== "open") throw new DomainError("INVALID_INPUT", `This merge request is ${mr.state}, not open.`);
  if (mr.headSha !== input.sha) {
    throw new DomainError("SHA_MISMATCH", "The branch moved since this page was loaded; review the new head before approving.");
  }
  const { runnerId } = mr.run.session;
  if (!hub.isRunnerOnline(runnerId)) throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const claimed = await db.mergeRequest.updateMany({
    where: { id: mr.id, state: "open" },
    data: { state: "approved", decidedBy: user.id, decidedAt: new Date(), comment: input.comment ?? null, approvedSha: input.sha },
  });
  if (claimed.count !== 1) throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.approved",
    subject: mr.id,
    sessionId: mr.run.sessionId,
    runId: mr.runId,
    branch: mr.branch,
    sha: input.sha,
    details: { comment: input.comment ?? "" },
  });
  const ack = await hub.executeMerge(runnerId, {
    mergeRequestId: mr.id,
    runId: mr.runId,
    repoPath: mr.run.session.repoPath,
    branch: mr.branch,
    integration: mr.integration,
    headSha: input.sha,
    message: `Merge ${mr.run.agent} agent results (${mr.run.taskId})`,
    worktreePath: mr.run.worktreePath,
  });
  await db.mergeRequest.update({
    where: { id: mr.id },
    data: ack.ok ? { state: "merging" } : { state: "open", error: `Could not start the merge: ${ack.error}` },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  if (!ack.ok) throw new DomainError("RUNNER_OFFLINE", `The runner could not start the merge: ${ack.error}`);
}

export async function rejectMergeRequest(deps: Deps, user: SessionUser, input: { id: string; comment: string }): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: true } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const claimed = await db.mergeRequest.updateMany({
    where: { id: mr.id, state: "open" },
    data: { state: "rejected", decidedBy: user.id, decidedAt: new Date(), comment: input.comment },
  });
  if (claimed.count !== 1) throw new DomainError("INVALID_INPUT", `This merge request is ${mr.state}, not open.`);
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.rejected",
    subject: mr.id,
    sessionId: mr.run.sessionId,
    runId: mr.runId,
    branch: mr.branch,
    sha: mr.headSha,
    details: { comment: input.comment, branchKept: true },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}

export async function recordMergeResult(deps: Deps, runnerId: string, mergeRequestId: string, outcome: MergeOutcome): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: mergeRequestId }, include: { run: { include: { session: true } } } });
  if (!mr || mr.run.session.runnerId !== runnerId) throw new Error(`merge request ${mergeRequestId} is not this runner's`);
  if (mr.state === "merged" || mr.state === "failed") return;
  const data =
    outcome.kind === "merged"
      ? { state: "merged", mergeSha: outcome.sha, error: null }
      : outcome.kind === "conflict"
        ? { state: "failed", error: `Merge conflict in ${outcome.files.join(", ") || "the branch"}; the branch is kept.` }
        : { state: "failed", error: `${outcome.reason} The branch is kept.` };
  await db.mergeRequest.update({ where: { id: mr.id }, data });
  if (outcome.kind !== "merged") {
    await appendAuditEvent(db, {
      actorType: "system",
      actorId: "hub",
      action: "merge.failed",
      subject: mr.id,
      sessionId: mr.run.sessionId,
      runId: mr.runId,
      branch: mr.branch,
      sha: mr.headSha,
      details: { outcome },
    });
  }
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  hub.broadcastChanged({ scope: "sessions", id: mr.run.sessionId });
}
