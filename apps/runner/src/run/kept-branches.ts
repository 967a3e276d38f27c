import type { KeptBranch } from "@grove/core";
import { listPendingMerges } from "../merge/pending-merges.ts";
import { listRunRecords, TERMINAL_STATES } from "./run-record.ts";

export type LocalRunBranches = { ended: string[]; keep: KeptBranch[] };

/**
 * What this runner's records say about `repo`'s agent branches: those of ended runs (cleanup's candidates),
 * and those never to touch: a live run's, and a headless merge request's that waits or merges. `withoutHub`
 * (the CLI, which cannot ask the hub): a succeeded run's too, unless a headless decision closed it, because
 * its request may still wait on the hub.
 */
export async function localRunBranches(dataDir: string, repo: string, opts: { withoutHub: boolean }): Promise<LocalRunBranches> {
  const [records, merges] = await Promise.all([listRunRecords(dataDir), listPendingMerges(dataDir)]);
  const mergeOf = new Map(merges.filter((m) => m.repo === repo).map((m) => [m.runId, m]));
  const found: LocalRunBranches = { ended: [], keep: [] };
  for (const record of records.filter((r) => r.repo === repo)) {
    const merge = mergeOf.get(record.runId);
    // An ended run's worktree is a leftover, needs_input's too: grove stopped that agent, and the answer comes
    // as a re-run, which re-creates the worktree from the branch (cleanup snapshots what it held first).
    if (!TERMINAL_STATES.includes(record.state)) {
      found.keep.push({ branch: record.branch, reason: `run ${record.runId} is ${record.state}` });
      continue;
    }
    found.ended.push(record.branch);
    if (merge && (merge.state === "waiting" || merge.state === "merging")) {
      found.keep.push({ branch: record.branch, reason: `its merge request is ${merge.state} (grove approve / grove reject)` });
    } else if (opts.withoutHub && record.state === "succeeded" && !merge) {
      found.keep.push({
        branch: record.branch,
        reason: "its run succeeded and its merge request may still wait on the hub: clean it up from the dashboard's Health page",
      });
    }
  }
  return found;
}
