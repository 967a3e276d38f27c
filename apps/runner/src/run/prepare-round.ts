import { DomainError, type RoundSpec } from "@grove/core";
import {
  archiveRefPrefix,
  SNAPSHOT_SUBJECT,
  branchSha,
  removeAgentWorktree,
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
 * A round started fresh, before its worktree is made: the old worktree and branch are removed, what they held
 * that the integration branch does not (commits, uncommitted work) kept under refs/grove/archive/ first; the
 * worktree is then created anew from the integration head, set up as for round 1. Returns the archive ref.
 */
export async function clearForFreshStart(target: RoundTarget): Promise<string | null> {
  const removed = await removeAgentWorktree({
    repo: target.repo,
    agent: target.agent,
    taskId: target.taskId,
    force: true,
    deleteBranch: true,
  });
  return removed.snapshotRef;
}

/**
 * Readies the worktree of a later round (it already exists on the task's branch): `continue` keeps the branch
 * and what was left uncommitted (also snapshotted under refs/grove/archive/); `fresh` got a new branch from the
 * integration head (clearForFreshStart). Then, when asked, merges the integration branch in.
 */
export async function prepareRound(
  target: RoundTarget,
  spec: RoundSpec,
  worktree: CreatedWorktree,
  previousHead: string,
  freshKeptRef: string | null,
): Promise<PreparedRound> {
  const merge = (path: string) => (spec.bringIntegration ? mergeIntegrationIn(target, spec.number, path) : Promise.resolve(null));
  if (spec.start === "fresh") {
    const base = { spec, worktree, previousHead, baseSha: worktree.baseSha, keptRef: freshKeptRef, leftovers: [] };
    return { ...base, abortedMerge: false, merge: await merge(worktree.path) };
  }
  const leftovers = (await worktreeStatus(worktree.path)).map((entry) => entry.path);
  const keptRef = leftovers.length > 0 ? await keepLeftovers(target, spec, worktree.path, previousHead) : null;
  // A merge the round before left unresolved is not half-concluded by this one: it is undone (the snapshot above
  // holds it, half-resolved files and all); a send-back merges the integration head again as it is now.
  const abortedMerge = await isMergeInProgress(worktree.path);
  if (abortedMerge) await runGit(["merge", "--abort"], { cwd: worktree.path });
  return {
    spec,
    worktree,
    previousHead,
    baseSha: previousHead,
    keptRef,
    leftovers: abortedMerge ? [] : leftovers,
    abortedMerge,
    merge: await merge(worktree.path),
  };
}

async function keepLeftovers(target: RoundTarget, spec: RoundSpec, worktreePath: string, head: string): Promise<string> {
  const message = `${SNAPSHOT_SUBJECT}${target.branch}\n\nUncommitted work of run ${spec.previousRunId}, kept when round ${spec.number} started.\n`;
  return writeArchiveRef(
    target.repo,
    archiveRefPrefix(target.agent, target.taskId),
    await snapshotCommit(worktreePath, head, message),
  );
}
