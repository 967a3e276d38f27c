import { WAITING_MERGE_REQUEST_STATES, type BranchDiff, type MergeProgress, type RadarSnapshot } from "@grove/core";
import {
  applyMergeRequestEvent,
  applyMergeRequestEventToCurrent,
  mergeRequestStateOf,
  recordMergeRequestDiff,
  updateMergeRequestFacts,
  type Db,
} from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { mayActForMerge } from "./queue-owners.ts";
import { checksFromStatus, voidMergeRequest } from "./merge-checks.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

type Deps = { db: Db; hub: Hub };

/**
 * The overlap radar as a runner sees it: stores the live status of every agent branch of the repository
 * (dropping branches that are gone) and refreshes the checks of pending merge requests on those branches;
 * a request whose branch moved after its tests ran is void.
 */
export async function recordRadarSnapshot(deps: Deps, runnerId: string, snap: RadarSnapshot): Promise<void> {
  const { db, hub } = deps;
  await assertServes(db, runnerId, snap.repoPath);
  const key = { runnerId, repoPath: snap.repoPath };
  await db.$transaction([
    db.branchStatus.deleteMany({ where: { ...key, branch: { notIn: snap.branches.map((b) => b.branch) } } }),
    ...snap.branches.map((b) => {
      const data = {
        integration: snap.integration,
        integrationSha: snap.integrationSha,
        headSha: b.headSha,
        baseSha: b.baseSha,
        live: b.live,
        files: JSON.stringify(b.files),
        workingFiles: JSON.stringify(b.workingFiles),
        conflicts: b.conflicts === null ? null : JSON.stringify(b.conflicts),
        brainFiles: JSON.stringify(b.brainFiles),
        overlaps: JSON.stringify(b.overlaps),
      };
      return db.branchStatus.upsert({
        where: { runnerId_repoPath_branch: { ...key, branch: b.branch } },
        create: { ...key, branch: b.branch, ...data },
        update: data,
      });
    }),
  ]);

  const pending = await db.mergeRequest.findMany({
    where: {
      state: { in: [...WAITING_MERGE_REQUEST_STATES] },
      branch: { in: snap.branches.map((b) => b.branch) },
      run: { session: { runnerId, repoPath: snap.repoPath } },
    },
    include: { run: true },
  });
  for (const mr of pending) {
    const status = await db.branchStatus.findUnique({ where: { runnerId_repoPath_branch: { ...key, branch: mr.branch } } });
    if (!status) continue;
    if (status.headSha !== mr.headSha) {
      // While the agent still runs the head may be stale; a moved head of an idle branch is a real move.
      if (!status.live) await voidMergeRequest(deps, mr, status.headSha);
      continue;
    }
    const checks = checksFromStatus(status, snap.brain);
    const from = mergeRequestStateOf(mr);
    if (!checks.isBlocked) {
      await updateMergeRequestFacts(db, { id: mr.id, from, data: checks.data });
      continue;
    }
    await applyMergeRequestEvent(db, {
      id: mr.id,
      from,
      event: "block",
      data: checks.data,
      audit: () => ({
        actorType: "system",
        actorId: "hub",
        ...mergeRequestAudit(mr),
        details: { reason: checks.data.blockedReason ?? null, branchKept: true },
      }),
    });
  }
  hub.broadcastChanged({ scope: "merges" });
}

/** A finished branch head's diff: kept with the radar status and with the merge requests of that head. */
export async function recordBranchDiff(deps: Deps, runnerId: string, diff: BranchDiff): Promise<void> {
  const { db, hub } = deps;
  await assertServes(db, runnerId, diff.repoPath);
  const data = { diff: diff.diff, diffTruncated: diff.truncated };
  await db.branchStatus.updateMany({
    where: { runnerId, repoPath: diff.repoPath, branch: diff.branch, headSha: diff.headSha },
    data: { ...data, diffSha: diff.headSha },
  });
  const updated = await recordMergeRequestDiff(db, {
    runnerId,
    repoPath: diff.repoPath,
    branch: diff.branch,
    headSha: diff.headSha,
    ...data,
  });
  if (updated > 0) hub.broadcastChanged({ scope: "merges" });
}

/** Where the merge queue is with a request (queued, building, testing, …). */
export async function recordMergeProgress(deps: Deps, runnerId: string, progress: MergeProgress): Promise<void> {
  const mr = await deps.db.mergeRequest.findUnique({
    where: { id: progress.mergeRequestId },
    include: { run: { include: { session: true } } },
  });
  if (!mr || !(await mayActForMerge(deps.db, runnerId, mr))) return;
  const step = await applyMergeRequestEventToCurrent(deps.db, {
    id: progress.mergeRequestId,
    event: "progress",
    // A runner at work on it: no longer waiting for the queue's owner.
    data: { stage: progress.stage, error: null },
  });
  if (step?.kind === "applied") deps.hub.broadcastChanged({ scope: "merges", id: progress.mergeRequestId });
}

/** Refuses a report about a repository the runner did not announce in its hello. */
export async function assertServes(db: Db, runnerId: string, repoPath: string): Promise<void> {
  const runner = await db.runner.findUnique({ where: { id: runnerId }, select: { repos: true } });
  const repos: unknown = runner ? JSON.parse(runner.repos) : [];
  const serves =
    Array.isArray(repos) &&
    repos.some((repo: unknown) => typeof repo === "object" && repo !== null && "path" in repo && repo.path === repoPath);
  if (!serves) throw new Error(`runner ${runnerId} does not serve ${repoPath}`);
}
