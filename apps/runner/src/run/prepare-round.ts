import { DomainError, type RoundSpec } from "@grove/core";
import {
  archiveRefPrefix,
  branchSha,
  headSha,
  runGit,
  snapshotCommit,
  worktreeStatus,
  writeArchiveRef,
  type CreatedWorktree,
} from "@grove/core/node";
import { isMergeInProgress, mergeIntegrationIn, type IntegrationMerge } from "./merge-integration-in.ts";

/** Where a review round starts, and what grove did to its branch before the agent. */
export type PreparedRound = {
  spec: RoundSpec;
  worktree: CreatedWorktree;
  /** The branch's head when the round began: the previous round's work. */
  previousHead: string;
  /** What the round's diff and commit count are measured from: `continue` the previous head, `fresh` the integration head. */
  baseSha: string;
  /** The archive ref (refs/grove/archive/<agent>/<task>/<ms>) holding the previous work, when grove kept one. */
  keptRef: string | null;
  /** Paths left uncommitted in the worktree before the round: kept there (and in keptRef). */
  leftovers: string[];
  /** Whether a merge the round before left in progress was undone (its state is in keptRef). */
  abortedMerge: boolean;
  /** Merging the integration branch in (`bringIntegration`); null when not asked for. */
  merge: IntegrationMerge | null;
};

type RoundTarget = { repo: string; agent: string; taskId: string; branch: string; integration: string };

/** A later round needs its task's branch: without it there is nothing to continue, and nothing is created. */
export async function previousRoundHead(target: RoundTarget, spec: RoundSpec): Promise<string> {
  const head = await branchSha(target.repo, target.branch);
  if (head !== null) return head;
  throw new DomainError(
    "NOT_FOUND",
    `round ${spec.number} continues ${target.branch} (run ${spec.previousRunId}), but that branch is gone; nothing was created. ` +
      `Its work may be kept under refs/grove/ (\`grove archive list\`): restore it, or start the task anew.`,
  );
}

/**
 * Readies the worktree of a later round (the worktree already exists on the task's branch): `continue` keeps
 * the branch and what was left uncommitted (also snapshotted under refs/grove/archive/); `fresh` archives the
 * old work, then resets the branch to the integration head. Then, when asked, merges the integration branch in.
 */
export async function prepareRound(
  target: RoundTarget,
  spec: RoundSpec,
  worktree: CreatedWorktree,
  previousHead: string,
): Promise<PreparedRound> {
  const leftovers = (await worktreeStatus(worktree.path)).map((entry) => entry.path);
  const keep = spec.start === "fresh" || leftovers.length > 0;
  const keptRef = keep ? await keepPreviousWork(target, spec, worktree.path, previousHead, leftovers.length > 0) : null;
  // A merge the round before left unresolved is not half-concluded by this one: it is undone (the snapshot above
  // holds it, half-resolved files and all); a send-back merges the integration head again as it is now.
  const abortedMerge = await isMergeInProgress(worktree.path);
  if (abortedMerge) await runGit(["merge", "--abort"], { cwd: worktree.path });
  let baseSha = previousHead;
  if (spec.start === "fresh") {
    baseSha = await headSha(target.repo, target.integration);
    await assertOnBranch(worktree.path, target.branch);
    await runGit(["reset", "--hard", "--quiet", baseSha], { cwd: worktree.path });
    // Untracked files went into the snapshot; ignored ones (dependencies, builds) stay.
    await runGit(["clean", "-fd", "--quiet"], { cwd: worktree.path });
  }
  const merge = spec.bringIntegration ? await mergeIntegrationIn(target, spec.number, worktree.path) : null;
  return {
    spec,
    worktree,
    previousHead,
    baseSha,
    keptRef,
    leftovers: spec.start === "fresh" || abortedMerge ? [] : leftovers,
    abortedMerge,
    merge,
  };
}

async function keepPreviousWork(
  target: RoundTarget,
  spec: RoundSpec,
  worktreePath: string,
  head: string,
  isDirty: boolean,
): Promise<string> {
  const sha = isDirty
    ? await snapshotCommit(
        worktreePath,
        head,
        `grove snapshot of ${target.branch} before round ${spec.number} (uncommitted work of run ${spec.previousRunId})`,
      )
    : head;
  return writeArchiveRef(target.repo, archiveRefPrefix(target.agent, target.taskId), sha);
}

async function assertOnBranch(worktreePath: string, branch: string): Promise<void> {
  const head = (await runGit(["symbolic-ref", "-q", "HEAD"], { cwd: worktreePath, okExitCodes: [0, 1] })).stdout.trim();
  if (head !== `refs/heads/${branch}`)
    throw new DomainError("INVALID_INPUT", `the worktree ${worktreePath} is on ${head || "a detached HEAD"}, not ${branch}`);
}
