import { stat, unlink } from "node:fs/promises";
import {
  DEFAULT_THRESHOLDS,
  planDoctorFindings,
  type DoctorFinding,
  type DoctorThresholds,
} from "../worktree/doctor-findings.ts";
import { formatBytes } from "../schemas/disk-ledger.ts";
import type { KeptBranch, LeftoverWork } from "../schemas/leftover-work.ts";
import { collectRepoFacts } from "./collect-repo-facts.ts";
import { listLeftoverWork } from "./leftover-work.ts";
import { findWorktreeByPath } from "./list-worktrees.ts";
import { openRepo, type RepoContext } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { listMergeTestTrees, removeStaleMergeTrees, type MergeTestTree } from "./stale-merge-trees.ts";
import { listWarmMergeTrees, type WarmMergeTree } from "./warm-merge-trees.ts";
import { deleteAbandonedTrash } from "./worktree-trash.ts";

export type DoctorReport = {
  repo: string;
  findings: DoctorFinding[];
  fixed: DoctorFinding[];
  failed: { finding: DoctorFinding; error: string }[];
  /** Ended runs' worktrees and branches that never landed; `grove cleanup` snapshots and removes them (never a fix). */
  leftovers: LeftoverWork[];
};

/** Finds what worktree work left behind; with fix, applies the fixes that cannot lose work. */
export async function runDoctor(input: {
  repo: string;
  fix?: boolean;
  thresholds?: Partial<DoctorThresholds>;
  /** The branches of ended runs (leftover candidates) and those a live run or a waiting request holds. */
  runs?: { ended: readonly string[]; keep: readonly KeptBranch[] };
}): Promise<DoctorReport> {
  const ctx = await openRepo(input.repo);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const diagnose = async () => {
    const warm = await listWarmMergeTrees(ctx.repo);
    const warmPaths = new Set(warm.map((tree) => tree.path));
    // A warm tree sitting unused between merges is what it is for, not an idle worktree.
    const planned = planDoctorFindings(await collectRepoFacts(ctx), Date.now(), thresholds).filter(
      (f) => !(f.kind === "idle-worktree" && f.path !== null && warmPaths.has(f.path)),
    );
    return [...planned, ...(await listMergeTestTrees(ctx.repo)).map(mergeTestFinding), ...warm.map(warmTreeFinding)];
  };
  const report: DoctorReport = { repo: ctx.repo, findings: await diagnose(), fixed: [], failed: [], leftovers: [] };
  if (input.fix) await fixSafely(ctx, report, diagnose);
  if (input.runs) report.leftovers = await listLeftoverWork({ repo: ctx.repo, ...input.runs });
  return report;
}

async function fixSafely(ctx: RepoContext, report: DoctorReport, diagnose: () => Promise<DoctorFinding[]>): Promise<void> {
  // Deleting leftover files needs no lock (each entry is claimed by a rename first) and may take long.
  await applyFixes(
    ctx,
    report.findings.filter((f) => f.kind === "leftover-trash"),
    report,
  );
  await withRepoLock(ctx.repo, async () => {
    // A fix can reveal the next finding (a pruned worktree frees a merged branch), so look again after fixing.
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const attempted = new Set([...report.fixed, ...report.failed.map((f) => f.finding)].map(findingKey));
      const todo = report.findings.filter((f) => f.isSafeToFix && !attempted.has(findingKey(f)));
      if (todo.length === 0) break;
      await applyFixes(ctx, todo, report);
      const known = new Set(report.findings.map(findingKey));
      report.findings.push(...(await diagnose()).filter((f) => !known.has(findingKey(f))));
    }
  });
}

const MAX_FIX_PASSES = 3;

function findingKey(f: DoctorFinding): string {
  return `${f.kind}\0${f.path ?? ""}\0${f.branch ?? ""}\0${f.pid ?? ""}`;
}

async function applyFixes(ctx: RepoContext, findings: DoctorFinding[], report: DoctorReport): Promise<void> {
  const repo = ctx.repo;
  let pruned = false;
  for (const finding of findings) {
    try {
      if (finding.kind === "prunable-worktree") {
        if (!pruned) await runGit(["worktree", "prune"], { cwd: repo });
        pruned = true;
      } else if (finding.kind === "leftover-trash") {
        if (finding.path) await deleteAbandonedTrash(ctx.commonDir, finding.path);
      } else {
        await applyFix(repo, finding);
      }
      report.fixed.push(finding);
    } catch (error) {
      report.failed.push({ finding, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

async function applyFix(repo: string, finding: DoctorFinding): Promise<void> {
  switch (finding.kind) {
    case "stale-lock-file":
      // Deleted only if it is still there; a file that vanished was released by its owner meanwhile.
      if (finding.path && (await stat(finding.path).catch(() => null))) await unlink(finding.path);
      return;
    case "merge-test-worktree":
      // Only trees whose grove process is gone; what one holds is kept under refs/grove/merge-test/ first.
      await removeStaleMergeTrees(repo);
      return;
    case "stale-grove-lock":
      // Taking the repository lock for these fixes already took the stale one over.
      return;
    case "locked-without-agent": {
      const worktree = finding.path ? await findWorktreeByPath(repo, finding.path) : undefined;
      if (worktree?.locked != null) await runGit(["worktree", "unlock", "--", worktree.path], { cwd: repo });
      return;
    }
    case "merged-branch":
      if (finding.branch && finding.sha)
        await runGit(["update-ref", "-d", `refs/heads/${finding.branch}`, finding.sha], { cwd: repo });
      return;
    case "prunable-worktree":
    case "warm-merge-tree":
    case "unfinished-setup":
    case "merged-worktree":
    case "idle-worktree":
    case "orphaned-process":
    case "leftover-trash":
      return;
  }
}

/** A merged-tree test worktree: a grove process's while it lives, else left behind by one killed mid-merge. */
function mergeTestFinding(tree: MergeTestTree): DoctorFinding {
  const owner = tree.ownerPid === null ? "a grove process" : `grove process ${tree.ownerPid}`;
  return {
    kind: "merge-test-worktree",
    path: tree.path,
    branch: null,
    sha: null,
    pid: tree.ownerPid,
    message: tree.isOwned
      ? `${tree.path} is the merged-tree test worktree of ${owner}, which is still testing a merge`
      : `${tree.path} is a merged-tree test worktree left by ${owner}, which died mid-merge`,
    fix: tree.isOwned
      ? "none needed: it goes when that test ends"
      : "grove doctor --fix removes it (anything uncommitted in it is kept under refs/grove/merge-test/)",
    isSafeToFix: !tree.isOwned,
  };
}

/** A kept warm merge tree: listed with its size, removed only on request (`grove cleanup --warm-trees`). */
function warmTreeFinding(tree: WarmMergeTree): DoctorFinding {
  // Recorded when its setup last ran (measuring it would walk its dependencies); the disk ledger measures it now.
  const size = tree.sizeBytes === null ? "" : `, ${formatBytes(tree.sizeBytes)} at its last setup`;
  return {
    kind: "warm-merge-tree",
    path: tree.path,
    branch: tree.integration,
    sha: null,
    pid: tree.ownerPid,
    message: `${tree.path} is a warm merge tree of ${tree.integration}${size}, kept so merged-tree tests skip the checkout and setup${tree.isInUse ? "; a merge is being tested in it now" : ""}`,
    fix: tree.isInUse
      ? "none needed"
      : "none needed; `grove cleanup --warm-trees` removes it to free the space (the next merge makes it again)",
    isSafeToFix: false,
  };
}
