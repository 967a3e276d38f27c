import { DomainError, type MergeApproval } from "@grove/core";
import { applyMergeRequestEvent, mergeRequestStateOf, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit, refusalError } from "./merge-audit.ts";
import { handToMergeQueue } from "./merge-dispatch.ts";

/**
 * A failed merge queued again, pinned to the same approved head (the integration branch moved since, or
 * whatever failed is fixed there): an approver's decision of its own. The runner checks the head again,
 * builds the merged tree on the current integration head and tests it as for any approved merge.
 */
export async function retryMerge(
  deps: { db: Db; hub: Hub },
  user: SessionUser,
  input: { mergeRequestId: string },
): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({
    where: { id: input.mergeRequestId },
    include: { run: { include: { session: true } } },
  });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  if (mr.snapshotRef && mr.state === "failed")
    throw new DomainError("INVALID_INPUT", `This merge request was abandoned; its work is kept as ${mr.snapshotRef}.`);
  const approvedSha = mr.approvedSha ?? mr.headSha;
  if (!hub.isRunnerOnline(mr.run.session.runnerId))
    throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository is offline.");
  const retried = await applyMergeRequestEvent(db, {
    id: mr.id,
    from: mergeRequestStateOf(mr),
    event: "retry",
    data: { decidedBy: user.id, decidedAt: new Date(), approvedSha, approval: "user", error: null, stage: null },
    audit: () => ({
      actorType: "user",
      actorId: user.email,
      ...mergeRequestAudit(mr, approvedSha),
      details: { previousError: mr.error, taskId: mr.run.taskId, round: mr.run.round },
    }),
  });
  if (retried.kind === "refused") throw refusalError(retried, null);
  if (retried.kind === "lost") throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  const approval: MergeApproval = { kind: "user", by: user.email, comment: "retry" };
  await handToMergeQueue(deps, { ...mr, approvedSha }, approval);
}
