import { decodeMergeRequestChecks, DomainError, transitionMergeRequest, type MergeApproval } from "@grove/core";
import { applyMergeRequestEvent, createMergeRequest, mergeRequestStateOf, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { branchStatusOf, checksFromStatus, voidMergeRequest } from "./merge-checks.ts";
import { handToMergeQueue } from "./merge-dispatch.ts";
import { mergeRequestAudit, refusalError } from "./merge-audit.ts";
import { supersedeEarlierRounds } from "./round-supersede.ts";

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
  const headSha = run.headSha;
  const status = await branchStatusOf(db, { runnerId: run.session.runnerId, repoPath: run.session.repoPath, branch: run.branch });
  const checks = status && status.headSha === headSha ? checksFromStatus(status) : null;
  const where = { sessionId: run.sessionId, runId, branch: run.branch, sha: headSha };
  const mr = await createMergeRequest(db, {
    data: { runId, branch: run.branch, integration: run.session.integration, headSha, ...checks?.data },
    isBlocked: checks?.isBlocked ?? false,
    audit: (action, id) => ({
      actorType: "system",
      actorId: "hub",
      subject: id,
      ...where,
      details:
        action === "merge.blocked"
          ? { reason: checks?.data.blockedReason ?? null, branchKept: true }
          : { integration: run.session.integration, tests: run.testStatus, agent: run.agent, taskId: run.taskId },
    }),
  });
  if (!mr) return;
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  await supersedeEarlierRounds(deps, run, mr.id);
}

/**
 * An approver's decision, pinned to the head SHA they saw. The hub refuses blocked requests and voids
 * requests whose branch moved; the runner checks the SHA again when the merge queue reaches the request.
 */
export async function approveMergeRequest(
  deps: Deps,
  user: SessionUser,
  input: { id: string; sha: string; comment?: string },
): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const from = mergeRequestStateOf(mr);
  const allowed = transitionMergeRequest(from, "approve");
  if (!allowed.ok) throw refusalError(allowed, mr.blockedReason);
  if (mr.headSha !== input.sha) {
    throw new DomainError("SHA_MISMATCH", "The branch moved since this page was loaded; review the new head before approving.");
  }
  const { session } = mr.run;
  const status = await branchStatusOf(db, { runnerId: session.runnerId, repoPath: session.repoPath, branch: mr.branch });
  // A status stored before this request opened may be an earlier round's head of the same branch: not a move.
  if (status && status.updatedAt >= mr.createdAt && !status.live && status.headSha !== mr.headSha) {
    await voidMergeRequest(deps, mr, status.headSha);
    throw new DomainError(
      "SHA_MISMATCH",
      `The branch moved to ${status.headSha.slice(0, 12)} after its tests ran; this request is void. Run the task again for a tested head.`,
    );
  }
  if (!hub.isRunnerOnline(session.runnerId))
    throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const approved = await applyMergeRequestEvent(db, {
    id: mr.id,
    from,
    event: "approve",
    guard: { headSha: input.sha },
    data: {
      decidedBy: user.id,
      decidedAt: new Date(),
      comment: input.comment ?? null,
      approvedSha: input.sha,
      approval: "user",
      error: null,
    },
    audit: () => ({
      actorType: "user",
      actorId: user.email,
      ...mergeRequestAudit(mr, input.sha),
      details: { comment: input.comment ?? "", approval: "user", predictedConflicts: decodeMergeRequestChecks(mr).conflicts },
    }),
  });
  if (approved.kind === "refused") throw refusalError(approved, mr.blockedReason);
  if (approved.kind === "lost") throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  const approval: MergeApproval = { kind: "user", by: user.email, ...(input.comment ? { comment: input.comment } : {}) };
  await handToMergeQueue(deps, { ...mr, approvedSha: input.sha }, approval);
}

/** Rejecting keeps the branch (and its worktree): nothing an agent produced is deleted silently. */
export async function rejectMergeRequest(deps: Deps, user: SessionUser, input: { id: string; comment: string }): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: true } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const rejected = await applyMergeRequestEvent(db, {
    id: mr.id,
    from: mergeRequestStateOf(mr),
    event: "reject",
    data: { decidedBy: user.id, decidedAt: new Date(), comment: input.comment },
    audit: () => ({
      actorType: "user",
      actorId: user.email,
      ...mergeRequestAudit(mr),
      details: { comment: input.comment, branchKept: true },
    }),
  });
  if (rejected.kind === "refused") throw refusalError(rejected, mr.blockedReason);
  if (rejected.kind === "lost") throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}
