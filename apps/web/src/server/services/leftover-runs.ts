import { LIVE_RUN_STATES, type KeptBranch } from "@grove/core";
import type { Db } from "@grove/db";

/**
 * Merge request states whose branch cleanup must leave alone: waiting for a person (a blocked one too: it is
 * rejected or sent back first), approved or merging. A request sent back for a next round (review rounds'
 * "changes_requested") holds nothing of its own: while that round is live, its run keeps the same branch;
 * once it ended, nothing waits on the branch.
 */
const HOLDING_REQUEST_STATES = ["open", "blocked", "approved", "merging"];
/**
 * Run states that still need their worktree: live ones only. A needs_input run's agent was stopped by grove;
 * its answer comes as a re-run, which re-creates the worktree from the branch.
 */
const HOLDING_RUN_STATES: readonly string[] = LIVE_RUN_STATES;

/** What the hub knows of one served repository's agent branches: ended runs' (candidates) and those to keep. */
export async function runBranchesOf(db: Db, repo: { runnerId: string; repoPath: string }) {
  const runs = await db.run.findMany({
    where: { session: { runnerId: repo.runnerId, repoPath: repo.repoPath } },
    select: {
      id: true,
      branch: true,
      state: true,
      mergeRequests: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, state: true } },
    },
    take: 5000,
    orderBy: { createdAt: "desc" },
  });
  const ended: string[] = [];
  const keep: KeptBranch[] = [];
  for (const run of runs) {
    const request = run.mergeRequests[0];
    if (HOLDING_RUN_STATES.includes(run.state)) keep.push({ branch: run.branch, reason: `run ${run.id} is ${run.state}` });
    else if (request && HOLDING_REQUEST_STATES.includes(request.state))
      keep.push({ branch: run.branch, reason: `its merge request ${request.id} is ${request.state}` });
    else ended.push(run.branch);
  }
  return { ended, keep };
}
