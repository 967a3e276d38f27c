import { DomainError, transitionMergeRequest } from "@grove/core";
import { applyMergeRequestEvent, mergeRequestStateOf, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit, refusalError } from "./merge-audit.ts";
import { queueOwnerFor } from "./queue-owners.ts";

/**
 * Undoes an approval (an accidental tap) while the merge is still in the runner's speculative queue (waiting,
 * its candidate built or tested: that test is stopped): the runner takes it out first, and refuses once it is
 * landing; then the request is open again, audited.
 */
/** The stages of a merge that is landing (compare-and-swap, deposit, cleanup): past undoing. */
const LANDING_STAGES = new Set(["advancing", "depositing", "cleaning"]);

export async function withdrawApproval(deps: { db: Db; hub: Hub }, user: SessionUser, input: { id: string }): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { include: { session: true } } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  const from = mergeRequestStateOf(mr);
  const allowed = transitionMergeRequest(from, "withdraw");
  if (!allowed.ok) throw refusalError(allowed, mr.blockedReason);
  if (mr.stage !== null && LANDING_STAGES.has(mr.stage))
    throw new DomainError("INVALID_INPUT", `The merge has started (${mr.stage}); the approval can no longer be undone.`);
  // The approval went to the queue's owner, which may be another runner than the session's (queue leases): the
  // request is in that runner's queue, and only it can take it out.
  const owner = await queueOwnerFor(deps, mr);
  if (owner.kind === "wait" || !hub.isRunnerOnline(owner.runnerId))
    throw new DomainError("RUNNER_OFFLINE", "The runner that owns this repository's merge queue is offline.");
  const ack = await hub.withdrawMerge(owner.runnerId, mr.id);
  if (!ack.ok) throw new DomainError("INVALID_INPUT", `The approval can no longer be undone: ${ack.error}.`);
  // The audit names people by email, as merge.approved does (decidedBy holds the user's id).
  const approver = mr.decidedBy ? await db.user.findUnique({ where: { id: mr.decidedBy }, select: { email: true } }) : null;
  const step = await applyMergeRequestEvent(db, {
    id: mr.id,
    from,
    event: "withdraw",
    data: { stage: null, decidedBy: null, decidedAt: null, comment: null, approvedSha: null, approval: null, error: null },
    audit: () => ({
      actorType: "user",
      actorId: user.email,
      ...mergeRequestAudit(mr),
      details: { approvedBy: approver?.email ?? mr.decidedBy, approvedSha: mr.approvedSha, stage: mr.stage },
    }),
  });
  if (step.kind === "refused") throw refusalError(step, mr.blockedReason);
  if (step.kind === "lost") throw new DomainError("INVALID_INPUT", "The merge moved on a moment ago; reload to see where it is.");
  hub.broadcastChanged({ scope: "merges", id: mr.id });
}
