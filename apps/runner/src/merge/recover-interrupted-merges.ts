import { describeError } from "@grove/core";
import { isPidAlive, removeStaleMergeTrees, runGit } from "@grove/core/node";
import { hostname } from "node:os";
import { appendLocalAudit, sessionAuditPath } from "../headless/audit-file.ts";
import type { Logger } from "../logger.ts";
import { listPendingMerges, savePendingMerge, withPendingMerge, type PendingMerge } from "./pending-merges.ts";

/**
 * At start (`grove session run`, `grove runner`): a merge request left "merging" by a grove process that is
 * gone (kill -9, power loss) is settled from git. If its merge is on the integration branch it is recorded
 * as merged, with that commit; otherwise it waits for a decision again. Either way the session's audit trail
 * says so (`merge.interrupted`). The merged-tree test worktrees such a process left are removed first, their
 * uncommitted files kept under refs/grove/merge-test/. Returns the requests it settled.
 */
export async function recoverInterruptedMerges(dataDir: string, log: Logger): Promise<PendingMerge[]> {
  const interrupted = (await listPendingMerges(dataDir)).filter((m) => m.state === "merging" && !isLandingAlive(m));
  const settled: PendingMerge[] = [];
  for (const repo of new Set(interrupted.map((m) => m.repo))) await removeLeftoverTrees(repo, log);
  for (const merge of interrupted) {
    const next = await withPendingMerge(dataDir, merge.runId, (fresh) => settle(dataDir, fresh, log)).catch((error: unknown) => {
      log(`could not settle the interrupted merge of ${merge.branch}: ${describeError(error)}`);
      return null;
    });
    if (next) settled.push(next);
  }
  return settled;
}

/** The merged-tree test worktrees of dead grove processes in `repo`, removed (see removeStaleMergeTrees). */
export async function removeLeftoverTrees(repo: string, log: Logger): Promise<void> {
  const removed = await removeStaleMergeTrees(repo).catch((error: unknown) => {
    log(`could not remove merged-tree test worktrees left in ${repo}: ${describeError(error)}`);
    return [];
  });
  for (const { path, snapshotRef } of removed)
    log(
      `removed the merged-tree test worktree ${path} left by a grove process that died${snapshotRef ? `; what it held is kept as ${snapshotRef}` : ""}`,
    );
}

function isLandingAlive(merge: PendingMerge): boolean {
  return merge.landing !== undefined && (merge.landing.host !== hostname() || isPidAlive(merge.landing.pid));
}

async function settle(dataDir: string, merge: PendingMerge, log: Logger): Promise<PendingMerge | null> {
  if (merge.state !== "merging" || isLandingAlive(merge)) return null; // settled or taken up meanwhile
  const sha = await landedMergeOf(merge);
  const { landing: _landing, decidedBy: _by, decidedAt: _at, comment: _comment, ...waiting } = merge;
  const next: PendingMerge = sha
    ? {
        ...merge,
        landing: undefined,
        state: "merged",
        outcome: { kind: "merged", sha, worktreeRemoved: false, branchDeleted: false },
      }
    : { ...waiting, state: "waiting" };
  await savePendingMerge(dataDir, next);
  const what = sha
    ? `its merge ${sha.slice(0, 12)} is on ${merge.integration}: recorded as merged (worktree and branch kept; grove cleanup removes them)`
    : `nothing of it is on ${merge.integration}: it waits for a decision again (grove approve / grove reject)`;
  log(`the merge of ${merge.branch} was interrupted (the grove process landing it died); ${what}`);
  await appendLocalAudit(sessionAuditPath(dataDir, merge.sessionId), [
    {
      actorType: "runner",
      actorId: "grove",
      action: "merge.interrupted",
      subject: merge.branch,
      sessionId: merge.sessionId,
      runId: merge.runId,
      branch: merge.branch,
      sha: sha ?? merge.headSha,
      details: {
        headSha: merge.headSha,
        integration: merge.integration,
        settledAs: next.state,
        decidedBy: merge.decidedBy ?? null,
      },
    },
  ]).catch((error: unknown) => log(`audit: ${describeError(error)}`));
  return next;
}

/** The commit that brought `headSha` into the integration branch (a merge whose other parent it is), or null. */
async function landedMergeOf(merge: PendingMerge): Promise<string | null> {
  const integration = `refs/heads/${merge.integration}`;
  const ancestor = await runGit(["merge-base", "--is-ancestor", merge.headSha, integration], {
    cwd: merge.repo,
    okExitCodes: [0, 1, 128],
  });
  if (ancestor.exitCode !== 0) return null;
  const { stdout } = await runGit(["rev-list", "--first-parent", "--parents", integration, `^${merge.headSha}`], {
    cwd: merge.repo,
  });
  for (const line of stdout.trim().split("\n")) {
    const [commit, , ...others] = line.split(" ");
    if (commit && others.includes(merge.headSha)) return commit;
  }
  return merge.headSha; // fast-forwarded: the head itself is on the branch
}
