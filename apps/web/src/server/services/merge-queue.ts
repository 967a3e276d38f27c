import path from "node:path";
import type { QueueSnapshot } from "@grove/core";
import { readQueueLease, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { assertServes } from "./radar.ts";
import { runnersById } from "./runners.ts";
import { repositoryIdOf } from "./queue-owners.ts";

type Deps = { db: Db; hub: Hub };

/**
 * A runner's merge queue as it reports it: kept (the latest per repository and integration branch) when the
 * repository is one it serves and every request and run in it is its own, so no runner can show or reorder
 * another's work.
 */
export async function recordQueueSnapshot(deps: Deps, runnerId: string, snapshot: QueueSnapshot): Promise<void> {
  const { db, hub } = deps;
  await assertServes(db, runnerId, snapshot.repoPath);
  await assertOwnsEntries(db, runnerId, snapshot);
  const outcome = await hub.queues.put(runnerId, snapshot);
  if (outcome.kind === "refused") throw new Error(outcome.reason);
  if (outcome.kind === "kept") hub.broadcastChanged({ scope: "queue" });
}

async function assertOwnsEntries(db: Db, runnerId: string, snapshot: QueueSnapshot): Promise<void> {
  const requestIds = [...new Set(snapshot.entries.flatMap((e) => (e.mergeRequestId ? [e.mergeRequestId] : [])))];
  const runIds = [...new Set(snapshot.entries.flatMap((e) => (e.runId ? [e.runId] : [])))];
  const repositoryId = await repositoryIdOf(db, runnerId, snapshot.repoPath);
  const lease = repositoryId ? await readQueueLease(db, { repositoryId, integration: snapshot.integration }) : null;
  // The queue's owner lands other runners' requests of the repository too.
  const owned = { session: { ...(lease?.runnerId === runnerId ? {} : { runnerId }), repoPath: snapshot.repoPath } };
  const [requests, runs] = await Promise.all([
    requestIds.length === 0 ? 0 : db.mergeRequest.count({ where: { id: { in: requestIds }, run: owned } }),
    runIds.length === 0 ? 0 : db.run.count({ where: { id: { in: runIds }, ...owned } }),
  ]);
  if (requests !== requestIds.length)
    throw new Error("the queue names merge requests that are not this runner's in this repository");
  if (runs !== runIds.length) throw new Error("the queue names runs that are not this runner's in this repository");
}

export type MergeQueueView = Awaited<ReturnType<typeof listMergeQueues>>[number];

/** Every queue the online runners report, named as the runner names them, entries in landing order. */
export async function listMergeQueues(deps: Deps) {
  const stored = await deps.hub.queues.list();
  const byId = await runnersById(
    deps.db,
    stored.map((q) => q.runnerId),
  );
  return stored
    .map(({ runnerId, snapshot }) => ({
      runnerId,
      runnerName: byId.get(runnerId)?.name ?? runnerId,
      repoName: byId.get(runnerId)?.repos.find((r) => r.path === snapshot.repoPath)?.name ?? path.basename(snapshot.repoPath),
      ...snapshot,
      entries: [...snapshot.entries].sort((a, b) => a.position - b.position),
    }))
    .sort((a, b) => compareQueues(a, b));
}

function compareQueues(a: Pick<QueueSnapshot, "repoPath" | "integration">, b: Pick<QueueSnapshot, "repoPath" | "integration">) {
  return a.repoPath.localeCompare(b.repoPath) || a.integration.localeCompare(b.integration);
}
