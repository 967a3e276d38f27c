import type { DoctorFinding, DoctorThresholds, WorktreeFacts } from "./doctor-findings.ts";

/**
 * A worktree grove marked as not set up yet, whose add is no longer running (no live holder of its set-up lock)
 * and was marked longer ago than a lock file is given: its files may be missing, and nobody was given it.
 */
export function unfinishedSetUpFinding(w: WorktreeFacts, now: number, thresholds: DoctorThresholds): DoctorFinding | null {
  if (w.setUpPendingSince === null || now - w.setUpPendingSince <= thresholds.lockAgeMs) return null;
  const name = w.agent && w.taskId ? `${w.agent} ${w.taskId}` : null;
  return {
    kind: "unfinished-setup",
    path: w.path,
    branch: w.branch,
    sha: null,
    pid: null,
    message: `The set-up of worktree ${w.path}${w.branch ? ` (${w.branch})` : ""} never finished: the grove process adding it was stopped, so files may be missing from it (its checkout, submodules or .worktreeinclude files) and nobody was given it.`,
    // Not a safe fix: finishing it may fetch submodules, and removing it deletes whatever is in it.
    fix: name
      ? `grove worktree add ${name} (finishes the set-up), or grove worktree remove --force ${name}`
      : `git worktree remove --force ${w.path} (nobody was given it)`,
    isSafeToFix: false,
  };
}
