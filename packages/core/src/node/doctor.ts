import { stat, unlink } from "node:fs/promises";
import { DEFAULT_THRESHOLDS, planDoctorFindings, type DoctorFinding, type DoctorThresholds } from "../worktree/doctor-findings.ts";
import { collectRepoFacts } from "./collect-repo-facts.ts";
import { findWorktreeByPath } from "./list-worktrees.ts";
import { openRepo } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

export type DoctorReport = { repo: string; findings: DoctorFinding[]; fixed: DoctorFinding[]; failed: { finding: DoctorFinding; error: string }[] };

/** Finds what worktree work left behind; with fix, applies the fixes that cannot lose work. */
export async function runDoctor(input: { repo: string; fix?: boolean; thresholds?: Partial<DoctorThresholds> }): Promise<DoctorReport> {
  const ctx = await openRepo(input.repo);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  const findings = planDoctorFindings(await collectRepoFacts(ctx), Date.now(), thresholds);
  const report: DoctorReport = { repo: ctx.repo, findings, fixed: [], failed: [] };
  if (!input.fix) return report;

  await withRepoLock(ctx.repo, async () => {
    let pruned = false;
    for (const finding of findings.filter((f) => f.isSafeToFix)) {
      try {
        if (finding.kind === "prunable-worktree") {
          if (!pruned) await runGit(["worktree", "prune"], { cwd: ctx.repo });
          pruned = true;
        } else {
          await applyFix(ctx.repo, finding);
        }
        report.fixed.push(finding);
      } catch (error) {
        report.failed.push({ finding, error: error instanceof Error ? error.message : String(error) });
      }
    }
  });
  return report;
}

async function applyFix(repo: string, finding: DoctorFinding): Promise<void> {
  switch (finding.kind) {
    case "stale-lock-file":
      // Deleted only if it is still there; a file that vanished was released by its owner meanwhile.
      if (finding.path && (await stat(finding.path).catch(() => null))) await unlink(finding.path);
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
      if (finding.branch && finding.sha) await runGit(["update-ref", "-d", `refs/heads/${finding.branch}`, finding.sha], { cwd: repo });
      return;
    case "prunable-worktree":
    case "merged-worktree":
    case "idle-worktree":
    case "orphaned-process":
      return;
  }
}
