import { DomainError } from "@grove/core";
import { appendAuditEvent, updateMergeRequestFacts, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";
import { runBranchesOf } from "./leftover-runs.ts";

/**
 * Gives up a request whose merge failed (a conflict, a red merged tree, a refusal): its runner keeps the
 * branch's work under refs/grove/archive/ (commits and uncommitted files), then removes worktree and branch.
 * The request stays failed, now with the ref that keeps its work, and its error says so.
 */
export async function abandonMergeRequest(deps: { db: Db; hub: Hub }, user: SessionUser, input: { id: string }) {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  if (mr.state !== "failed")
    throw new DomainError("INVALID_INPUT", `This merge request is ${mr.state}; only one whose merge failed can be abandoned.`);
  if (mr.snapshotRef)
    throw new DomainError("INVALID_INPUT", `This merge request was abandoned already; its work is kept as ${mr.snapshotRef}.`);
  const { runnerId, repoPath } = mr.run.session;
  if (!hub.isRunnerOnline(runnerId)) throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const answer = await hub.ask(runnerId, "leftovers:clean", {
    repoPath,
    branches: [mr.branch],
    ...(await runBranchesOf(db, { runnerId, repoPath })),
  });
  const cleaned = answer.cleaned[0];
  if (!cleaned)
    throw new DomainError("INVALID_INPUT", `The runner kept ${mr.branch}: ${answer.refused[0]?.reason ?? "no reason given"}.`);
  await updateMergeRequestFacts(db, {
    id: mr.id,
    from: "failed",
    data: { snapshotRef: cleaned.snapshotRef, error: abandonedError(mr.error, cleaned.snapshotRef) },
  });
  await appendAuditEvent(db, {
    actorType: "user",
    actorId: user.email,
    action: "merge.abandoned",
    ...mergeRequestAudit(mr, cleaned.snapshotSha),
    details: { snapshotRef: cleaned.snapshotRef, worktree: cleaned.path, headSha: mr.headSha },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  return cleaned;
}

/** Why the merge failed, without the promise that the branch is kept (it is gone now), and where its work is. */
export function abandonedError(error: string | null, snapshotRef: string): string {
  const why = (error ?? "The merge failed.").replace(/\s*The branch is kept[^.]*\./g, "").trim();
  return `${why} Abandoned: its work is kept as ${snapshotRef}; its worktree and branch are removed.`;
}
