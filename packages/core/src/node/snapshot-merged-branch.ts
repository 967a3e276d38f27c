import { validateNamePart } from "../naming/agent-branch.ts";
import { writeArchiveRef } from "./snapshot-worktree.ts";

export const MERGED_PREFIX = "refs/grove/merged/";

/**
 * Keeps a merged branch's head under `refs/grove/merged/<agent>/<task>/<epoch-ms>` before the branch is
 * deleted: the commits are reachable from the merge anyway, but this keeps which branch they were.
 */
export function snapshotMergedBranch(repo: string, agent: string, taskId: string, head: string): Promise<string> {
  validateNamePart("agent", agent);
  validateNamePart("task id", taskId);
  return writeArchiveRef(repo, `${MERGED_PREFIX}${agent}/${taskId}/`, head);
}
