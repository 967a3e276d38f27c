import { describeError } from "@grove/core";
import { archiveRefPrefix, headSha, snapshotCommit, writeArchiveRef } from "@grove/core/node";
import { concludeMerge, isMergeInProgress, unresolvedConflicts, type ConflictLeft } from "./merge-integration-in.ts";
import type { RunScope } from "./run-scope.ts";

/**
 * After the agent of a round whose merge of the integration branch conflicted exited 0: when no conflicted file
 * holds a marker line or was left untouched (merge-integration-in.ts), grove concludes the merge (if the agent did not) and returns null;
 * otherwise the worktree stays as it is, a snapshot of it is kept under refs/grove/archive/, and the reason the
 * run fails is returned ("conflicts unresolved: <files>").
 */
export async function settleRoundMerge(
  scope: RunScope,
  worktreePath: string,
  conflicts: readonly ConflictLeft[],
): Promise<string | null> {
  if (conflicts.length === 0) return null;
  const { task } = scope.req;
  try {
    const unresolved = await unresolvedConflicts(worktreePath, conflicts);
    if (unresolved.length === 0) {
      if (!(await isMergeInProgress(worktreePath))) {
        scope.system("the agent resolved the merge conflicts and concluded the merge itself");
        return null;
      }
      const sha = await concludeMerge(worktreePath, task.agent);
      scope.system(`the agent resolved the merge conflicts; grove concluded the merge as ${task.agent}: ${sha.slice(0, 12)}`);
      return null;
    }
    const head = await headSha(worktreePath);
    const snapshot = await snapshotCommit(
      worktreePath,
      head,
      `grove snapshot of ${scope.branch}: merge conflicts left unresolved by run ${task.runId}`,
    );
    const ref = await writeArchiveRef(scope.req.repo.repo, archiveRefPrefix(task.agent, task.taskId), snapshot);
    const reason = `conflicts unresolved: ${unresolved.join(", ")}`;
    scope.system(`${reason}. The worktree is left as it is; a snapshot of it is kept in ${ref}`);
    return reason;
  } catch (error) {
    return `could not settle the merge of the integration branch: ${describeError(error)}`;
  }
}
