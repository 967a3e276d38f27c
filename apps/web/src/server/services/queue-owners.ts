import type { QueueLeaseAck, QueueLeaseRequest } from "@grove/core";
import {
  acquireQueueLease,
  appendAuditEvent,
  liveQueueLeases,
  readLiveQueueLease,
  readQueueLease,
  releaseQueueLease,
  type Db,
  type QueueKey,
} from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { parseRunnerRepos, runnersById } from "./runners.ts";

type Deps = { db: Db; hub: Hub };
/** A merge request as far as its queue goes: the session's runner and repository, and the integration branch. */
export type QueuedRequest = { integration: string; run: { session: { runnerId: string; repoPath: string } } };

/** The `grove.repositoryId` a runner announced for one of its repository paths, or null. */
export async function repositoryIdOf(db: Db, runnerId: string, repoPath: string): Promise<string | null> {
  const runner = await db.runner.findUnique({ where: { id: runnerId }, select: { repos: true } });
  return parseRunnerRepos(runner?.repos ?? "[]").find((r) => r.path === repoPath)?.repositoryId ?? null;
}

export async function queueKeyOf(db: Db, mr: QueuedRequest): Promise<QueueKey | null> {
  const repositoryId = await repositoryIdOf(db, mr.run.session.runnerId, mr.run.session.repoPath);
  return repositoryId ? { repositoryId, integration: mr.integration } : null;
}

/** Whether a runner may speak for a merge request: its session's runner, or the current holder of its queue's lease. */
export async function mayActForMerge(db: Db, runnerId: string, mr: QueuedRequest): Promise<boolean> {
  if (mr.run.session.runnerId === runnerId) return true;
  const key = await queueKeyOf(db, mr);
  return key !== null && (await readQueueLease(db, key))?.runnerId === runnerId;
}

/**
 * Where an approved request goes: the runner holding its queue's live lease; "wait" while that runner is offline
 * (killed, say) and its lease runs out: the runner taking the queue over gets it then (resendQueueMerges). With
 * no live lease, the session's runner (which takes the lease, or refuses when another runner owns the queue).
 */
export async function queueOwnerFor(deps: Deps, mr: QueuedRequest): Promise<{ kind: "runner" | "wait"; runnerId: string }> {
  const key = await queueKeyOf(deps.db, mr);
  const lease = key ? await readLiveQueueLease(deps.db, key) : null;
  if (!lease) return { kind: "runner", runnerId: mr.run.session.runnerId };
  return { kind: deps.hub.isRunnerOnline(lease.runnerId) ? "runner" : "wait", runnerId: lease.runnerId };
}

/**
 * Whether an approved request that could not reach its queue's owner keeps its approval: yes when its queue has a
 * lease, live or run out. A runner took it, so the queue's runners contend for it: the holder answering again, or
 * the runner that takes the queue over next, gets the queue's approved requests (resumeMerges, resendQueueMerges).
 * No lease: no runner ever owned the queue and none stands by; only the runner that did not answer could take it.
 */
export async function willQueueHaveOwner(db: Db, mr: QueuedRequest): Promise<boolean> {
  const key = await queueKeyOf(db, mr);
  return key !== null && (await readQueueLease(db, key)) !== null;
}

/** The note an approved request waiting for its queue's owner shows on its card. */
export async function ownerWaitNote(db: Db, runnerId: string, why: string): Promise<string> {
  const runner = await db.runner.findUnique({ where: { id: runnerId }, select: { name: true } });
  return (
    `Waiting for the merge queue's owner: runner ${runner?.name ?? runnerId} ${why}. The approval stands: the merge ` +
    `starts when that runner answers again or another runner takes the queue over.`
  );
}

/** The queues whose live lease this runner holds. */
export async function queuesOwnedBy(db: Db, runnerId: string): Promise<QueueKey[]> {
  return (await liveQueueLeases(db)).filter((lease) => lease.runnerId === runnerId);
}

/**
 * `queue:lease` from a runner: only for a repository it announced. A new holder is audited
 * (`queue.owner_changed`) and `onNewOwner` hands it the queue's approved requests, as to a holder whose lease had
 * run out.
 */
export async function handleQueueLease(
  deps: Deps & { onNewOwner: (runnerId: string, key: QueueKey) => void },
  runnerId: string,
  req: QueueLeaseRequest,
): Promise<QueueLeaseAck> {
  const { db, hub } = deps;
  const runner = await db.runner.findUnique({ where: { id: runnerId }, select: { repos: true } });
  if (!parseRunnerRepos(runner?.repos ?? "[]").some((r) => r.repositoryId === req.repositoryId))
    return { ok: false, error: `this runner announced no repository with grove.repositoryId ${req.repositoryId}` };
  const key = { repositoryId: req.repositoryId, integration: req.integration };
  const holder = { runnerId, instance: req.instance };
  if (req.op === "release") {
    if (await releaseQueueLease(db, key, holder)) hub.broadcastChanged({ scope: "queue" });
    return { ok: true, held: false, runnerId: "", epoch: 0 };
  }
  const answer = await acquireQueueLease(db, key, holder, req.durationMs);
  if (answer.kind === "taken") return { ok: true, held: false, runnerId: answer.lease.runnerId, epoch: answer.lease.epoch };
  if (answer.isNew) {
    await appendAuditEvent(db, {
      actorType: "runner",
      actorId: runnerId,
      action: "queue.owner_changed",
      subject: `${req.repositoryId}:${req.integration}`,
      branch: req.integration,
      details: {
        repositoryId: req.repositoryId,
        integration: req.integration,
        epoch: answer.epoch,
        instance: req.instance,
        previousRunnerId: answer.previous?.runnerId ?? null,
        previousEpoch: answer.previous?.epoch ?? null,
      },
    });
    hub.broadcastChanged({ scope: "queue" });
    hub.broadcastChanged({ scope: "audit" });
    deps.onNewOwner(runnerId, key);
  } else if (answer.hadRunOut) {
    // Its holder again after its lease ran out (paused past it): what was approved meanwhile waits for it.
    deps.onNewOwner(runnerId, key);
  }
  return { ok: true, held: true, epoch: answer.epoch, remainingMs: answer.expiresAtMs - answer.nowMs };
}

export type QueueOwnerView = Awaited<ReturnType<typeof listQueueOwners>>[number];

/** Who owns each merge queue now (its live lease): runner, epoch, and whether that runner is online. */
export async function listQueueOwners(deps: Deps) {
  const leases = await liveQueueLeases(deps.db);
  const byId = await runnersById(
    deps.db,
    leases.map((l) => l.runnerId),
  );
  return leases.map((lease) => {
    const runner = byId.get(lease.runnerId);
    return {
      repositoryId: lease.repositoryId,
      integration: lease.integration,
      runnerId: lease.runnerId,
      runnerName: runner?.name ?? lease.runnerId,
      repoName: runner?.repos.find((r) => r.repositoryId === lease.repositoryId)?.name ?? lease.repositoryId,
      epoch: lease.epoch,
      isOnline: deps.hub.isRunnerOnline(lease.runnerId),
    };
  });
}
