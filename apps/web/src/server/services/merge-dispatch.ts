import {
  DISPATCHED_MERGE_REQUEST_STATES,
  DomainError,
  ResultSchema,
  type MergeApproval,
  type MergeExecute,
  type Result,
} from "@grove/core";
import {
  applyMergeRequestEvent,
  applyMergeRequestEventToCurrent,
  updateMergeRequestFacts,
  type Db,
  type QueueKey,
} from "@grove/db";
import { RUNNER_UNREACHABLE, type Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";
import { ownerWaitNote, queueKeyOf, queueOwnerFor, queuesOwnedBy, willQueueHaveOwner } from "./queue-owners.ts";

type MergeRequestWithRun = {
  id: string;
  runId: string;
  branch: string;
  integration: string;
  approvedSha: string | null;
  headSha: string;
  run: {
    sessionId: string;
    agent: string;
    taskId: string;
    worktreePath: string | null;
    result: string | null;
    session: { repoPath: string; runnerId: string };
  };
};

/** What the runner needs to land an approved request (the RESULT travels along for the brain deposit). */
export function mergeExecutePayload(mr: MergeRequestWithRun, approval: MergeApproval): MergeExecute {
  return {
    mergeRequestId: mr.id,
    runId: mr.runId,
    repoPath: mr.run.session.repoPath,
    branch: mr.branch,
    integration: mr.integration,
    headSha: mr.approvedSha ?? mr.headSha,
    message: `Merge ${mr.run.agent} agent results (${mr.run.taskId})`,
    worktreePath: mr.run.worktreePath,
    sessionId: mr.run.sessionId,
    approval,
    result: storedResult(mr.run.result),
  };
}

/**
 * Sends an approved request (approved just now, or retried) to the merge queue of its integration branch, on the
 * runner that owns that queue (queue-owners.ts): merging once the runner took it. When the owner is unreachable
 * (offline, or it did not answer in time: hung, or dying) and the queue has a lease, the request stays approved,
 * with a note, for the queue's owner: the holder answering again or the next one taking over gets it. A refusal,
 * or an unreachable runner of a queue no runner ever owned, makes it open again (its approval cleared).
 */
export async function handToMergeQueue(
  deps: { db: Db; hub: Hub },
  mr: MergeRequestWithRun,
  approval: MergeApproval,
): Promise<void> {
  const { db, hub } = deps;
  const owner = await queueOwnerFor(deps, mr);
  if (owner.kind === "wait") return waitForOwner(deps, mr.id, owner.runnerId, "is offline");
  const ack = await hub.executeMerge(owner.runnerId, mergeExecutePayload(mr, approval));
  const unreachable = ack.ok ? null : UNREACHABLE_WHY[ack.error];
  if (unreachable && (await willQueueHaveOwner(db, mr))) return waitForOwner(deps, mr.id, owner.runnerId, unreachable);
  // Lost only when the runner's result came first; that result stands.
  await applyMergeRequestEvent(db, {
    id: mr.id,
    from: "approved",
    event: ack.ok ? "dispatch" : "dispatch_failed",
    data: ack.ok
      ? { stage: "queued", error: null }
      : { approval: null, approvedSha: null, error: `Could not start the merge: ${ack.error}` },
  });
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  if (!ack.ok) throw new DomainError("RUNNER_OFFLINE", `The runner could not start the merge: ${ack.error}`);
}

const UNREACHABLE_WHY: Record<string, string | undefined> = {
  [RUNNER_UNREACHABLE.offline]: "is offline",
  [RUNNER_UNREACHABLE.timedOut]: "did not answer in time",
};

/** Approved, it waits for the queue's owner, saying so on its card (unless a result or a resend came first). */
async function waitForOwner(deps: { db: Db; hub: Hub }, id: string, runnerId: string, why: string): Promise<void> {
  const note = await ownerWaitNote(deps.db, runnerId, why);
  if (await updateMergeRequestFacts(deps.db, { id, from: "approved", data: { error: note } }))
    deps.hub.broadcastChanged({ scope: "merges", id });
}

/**
 * After a runner (re)connects: approved requests it never reported a result for are sent again, its sessions'
 * and those of the queues it owns (a hung owner that answers again, say). The runner ignores one it is still
 * working on, and a request whose head already landed comes back as merged.
 */
export async function resumeMerges(deps: { db: Db; hub: Hub }, runnerId: string): Promise<void> {
  const pending: PendingRequest[] = await deps.db.mergeRequest.findMany({
    where: { state: { in: [...DISPATCHED_MERGE_REQUEST_STATES] }, run: { session: { runnerId } } },
    include: { run: { include: { session: true } } },
  });
  for (const key of await queuesOwnedBy(deps.db, runnerId)) {
    const ids = new Set(pending.map((mr) => mr.id));
    pending.push(...(await queueRequests(deps.db, key)).filter((mr) => !ids.has(mr.id)));
  }
  await resend(deps, runnerId, pending);
}

/**
 * A runner took a merge queue over (its owner died or stopped): the queue's approved requests that have no
 * result yet go to it, whichever runner they were sent to before. The new owner finds what already landed.
 */
export async function resendQueueMerges(deps: { db: Db; hub: Hub }, ownerId: string, key: QueueKey): Promise<void> {
  await resend(deps, ownerId, await queueRequests(deps.db, key));
}

/** The requests of one queue that are approved or merging, oldest approval first. */
async function queueRequests(db: Db, key: QueueKey): Promise<PendingRequest[]> {
  const candidates = await db.mergeRequest.findMany({
    where: { state: { in: [...DISPATCHED_MERGE_REQUEST_STATES] }, integration: key.integration },
    include: { run: { include: { session: true } } },
    orderBy: { decidedAt: "asc" },
    take: 1000,
  });
  const pending = [];
  for (const mr of candidates) if ((await queueKeyOf(db, mr))?.repositoryId === key.repositoryId) pending.push(mr);
  return pending;
}

type PendingRequest = Awaited<ReturnType<Db["mergeRequest"]["findMany"]>>[number] & {
  run: MergeRequestWithRun["run"] & { session: { runnerId: string; repoPath: string } };
};

async function resend(deps: { db: Db; hub: Hub }, runnerId: string, pending: PendingRequest[]): Promise<void> {
  const { db, hub } = deps;
  for (const mr of pending) {
    // Only the instance the runner said hello to resends, and only while the runner stays there: an instance
    // it has left does not send the same merges again through the bus.
    if (!hub.isRunnerHere(runnerId)) return;
    const user = mr.decidedBy ? await db.user.findUnique({ where: { id: mr.decidedBy }, select: { email: true } }) : null;
    const approval: MergeApproval = {
      kind: mr.approval === "auto" ? "auto" : "user",
      by: user?.email ?? mr.decidedBy ?? "unknown",
      ...(mr.comment ? { comment: mr.comment } : {}),
    };
    const ack = await hub.executeMerge(runnerId, mergeExecutePayload(mr, approval));
    if (!ack.ok) continue;
    const step = await applyMergeRequestEventToCurrent(db, {
      id: mr.id,
      event: "resend",
      data: { error: null },
      audit: () => ({ actorType: "system", actorId: "hub", ...mergeRequestAudit(mr, mr.approvedSha), details: { runnerId } }),
    });
    if (step?.kind === "applied") hub.broadcastChanged({ scope: "merges", id: mr.id });
  }
}

function storedResult(text: string | null): Result | null {
  if (text === null) return null;
  try {
    const parsed = ResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
