import type { WorktreeInfo } from "./parse-worktree-list.ts";
import { unfinishedSetUpFinding } from "./unfinished-setup-finding.ts";

export type DoctorFindingKind =
  | "prunable-worktree"
  | "stale-lock-file"
  | "stale-grove-lock"
  | "locked-without-agent"
  | "merged-branch"
  | "merged-worktree"
  | "idle-worktree"
  | "orphaned-process"
  | "leftover-trash"
  | "merge-test-worktree"
  | "warm-merge-tree"
  | "unfinished-setup";

export type DoctorFinding = {
  kind: DoctorFindingKind;
  /** The file, folder or worktree concerned. */
  path: string | null;
  branch: string | null;
  /** The commit a branch fix deletes, so the fix is a compare-and-swap. */
  sha: string | null;
  pid: number | null;
  message: string;
  /** What to do about it, as a command or an instruction. */
  fix: string;
  /** `doctor --fix` applies only fixes that cannot lose work. */
  isSafeToFix: boolean;
};

export type WorktreeFacts = WorktreeInfo & {
  /** Its folder is gone (git calls such an entry prunable only when it is not locked). */
  isMissing: boolean;
  liveProcessPids: number[];
  lastActivityMs: number | null;
  isClean: boolean | null;
  /** When grove marked it not set up yet, if its set-up is unfinished and no live process holds its set-up lock. */
  setUpPendingSince: number | null;
};
export type LockFileFacts = { path: string; ageMs: number };

export type RepoFacts = {
  integration: string;
  worktrees: WorktreeFacts[];
  lockFiles: LockFileFacts[];
  /** Live git processes working in this repository or its worktrees; null when unknown (no /proc). */
  liveGitPids: number[] | null;
  groveLock: { path: string; pid: number; isAlive: boolean } | null;
  /** hasOwnCommits: false for a branch that never moved off the integration branch's own history (just created). */
  mergedAgentBranches: { branch: string; sha: string; hasOwnCommits: boolean }[];
  /** Processes whose working folder is a worktree folder that no longer exists. */
  orphans: { pid: number; command: string; cwd: string }[];
  /** Folders of removed worktrees, moved into grove's trash, that no running grove process is deleting. */
  leftoverTrash: string[];
};

export type DoctorThresholds = { lockAgeMs: number; lockAgeUnknownProcessesMs: number; idleMs: number };

export const DEFAULT_THRESHOLDS: DoctorThresholds = {
  lockAgeMs: 60_000,
  lockAgeUnknownProcessesMs: 30 * 60_000,
  idleMs: 7 * 24 * 3_600_000,
};

const none = { path: null, branch: null, sha: null, pid: null };

/** Turns what was observed in a repository into findings, each with its fix. Pure: no I/O. */
export function planDoctorFindings(
  facts: RepoFacts,
  now: number,
  thresholds: DoctorThresholds = DEFAULT_THRESHOLDS,
): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  for (const w of facts.worktrees.slice(1)) {
    if (w.prunable !== null || w.isMissing) {
      findings.push({
        ...none,
        kind: "prunable-worktree",
        path: w.path,
        branch: w.branch,
        message: `The folder of worktree ${w.path}${w.branch ? ` (${w.branch})` : ""} is gone, but git still counts it${w.branch ? ` and keeps ${w.branch} checked out there` : ""}.`,
        fix:
          w.locked !== null
            ? `It is locked (${w.locked || "no reason"}): if its drive is not just unmounted, \`git worktree unlock ${w.path}\` then \`grove prune\`.`
            : "grove prune",
        isSafeToFix: w.locked === null,
      });
      continue;
    }
    const unfinished = unfinishedSetUpFinding(w, now, thresholds);
    if (unfinished) findings.push(unfinished);
    if (w.locked !== null && w.liveProcessPids.length === 0) {
      findings.push({
        ...none,
        kind: "locked-without-agent",
        path: w.path,
        branch: w.branch,
        message: `Worktree ${w.path} is locked (${w.locked || "no reason"}) but no process is running in it.`,
        fix: `grove worktree unlock${w.agent && w.taskId ? ` ${w.agent} ${w.taskId}` : ` --path ${w.path}`}`,
        isSafeToFix: true,
      });
    }
    if (w.lastActivityMs !== null && now - w.lastActivityMs > thresholds.idleMs && w.liveProcessPids.length === 0) {
      const days = Math.floor((now - w.lastActivityMs) / 86_400_000);
      findings.push({
        ...none,
        kind: "idle-worktree",
        path: w.path,
        branch: w.branch,
        message: `Worktree ${w.path} has been idle for ${days} days.`,
        fix: w.agent && w.taskId ? `grove worktree remove ${w.agent} ${w.taskId}` : `git worktree remove ${w.path}`,
        isSafeToFix: false,
      });
    }
  }

  const liveGitKnown = facts.liveGitPids !== null;
  for (const lock of facts.lockFiles) {
    const minAge = liveGitKnown ? thresholds.lockAgeMs : thresholds.lockAgeUnknownProcessesMs;
    if (lock.ageMs < minAge || (facts.liveGitPids?.length ?? 0) > 0) continue;
    findings.push({
      ...none,
      kind: "stale-lock-file",
      path: lock.path,
      message: `${lock.path} is ${Math.round(lock.ageMs / 1000)} s old and no git process is running in this repository: a crashed git left it, and git commands that need it will fail.`,
      fix: `rm ${lock.path}`,
      isSafeToFix: true,
    });
  }
  if (facts.groveLock && !facts.groveLock.isAlive) {
    findings.push({
      ...none,
      kind: "stale-grove-lock",
      path: facts.groveLock.path,
      pid: facts.groveLock.pid,
      message: `${facts.groveLock.path} is held by pid ${facts.groveLock.pid}, which is no longer running.`,
      fix: `rm ${facts.groveLock.path} (grove also takes it over by itself)`,
      isSafeToFix: true,
    });
  }

  const checkedOut = new Map(facts.worktrees.filter((w) => w.branch !== null).map((w) => [w.branch, w]));
  for (const { branch, sha, hasOwnCommits } of facts.mergedAgentBranches) {
    const worktree = checkedOut.get(branch);
    if (!worktree) {
      findings.push({
        ...none,
        kind: "merged-branch",
        branch,
        sha,
        message: `${branch} is merged into ${facts.integration} and no worktree uses it.`,
        fix: `git branch -d ${branch}`,
        isSafeToFix: true,
      });
    } else if (hasOwnCommits && !worktree.isMissing && worktree.locked === null && worktree.isClean === true) {
      findings.push({
        ...none,
        kind: "merged-worktree",
        path: worktree.path,
        branch,
        sha,
        message: `${branch} has nothing that is not in ${facts.integration}, and its clean worktree ${worktree.path} is still there.`,
        fix: "grove cleanup",
        isSafeToFix: false,
      });
    }
  }

  for (const orphan of facts.orphans) {
    findings.push({
      ...none,
      kind: "orphaned-process",
      path: orphan.cwd,
      pid: orphan.pid,
      message: `Process ${orphan.pid} (${orphan.command}) is still running in ${orphan.cwd}, a worktree folder that no longer exists.`,
      fix: `kill ${orphan.pid}`,
      isSafeToFix: false,
    });
  }

  for (const path of facts.leftoverTrash) {
    findings.push({
      ...none,
      kind: "leftover-trash",
      path,
      message: `${path} holds the files of a removed worktree, moved there to be deleted after the repository lock; the grove process deleting them stopped, or could not.`,
      fix: `rm -rf ${path}`,
      isSafeToFix: true,
    });
  }
  return findings;
}
