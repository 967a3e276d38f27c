import { parseAgentBranch } from "../naming/agent-branch.ts";
import type { CleanupAnswer, KeptBranch, LeftoverWork } from "../schemas/leftover-work.ts";
import { archiveRefPrefix } from "../worktree/archive-ref.ts";
import { lastActivity } from "./collect-repo-facts.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { runAfterLock, type AfterLock } from "./move-worktree-aside.ts";
import { openRepo, type RepoContext } from "./open-repo.ts";
import { branchSha, countCommits } from "./refs.ts";
import { unregisterAgentWorktree } from "./remove-agent-worktree.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { writeArchiveRef } from "./snapshot-worktree.ts";
import { worktreeStatus } from "./worktree-status.ts";

/**
 * ended: the branches of runs that ended (a worktree someone added by hand is no leftover); keep: branches
 * grove must not touch, with why (a live run's, a merge request's that is waiting or merging).
 */
export type LeftoverInput = { repo: string; ended: readonly string[]; keep?: readonly KeptBranch[] };
type Survey = { leftovers: LeftoverWork[]; kept: Map<string, string> };

/** Agent worktrees and branches of ended runs that never landed; a live run's or a waiting request's are not. */
export async function listLeftoverWork(input: LeftoverInput): Promise<LeftoverWork[]> {
  const ctx = await openRepo(input.repo);
  return (await surveyLeftovers(ctx, new Set(input.ended), keptMap(input.keep))).leftovers;
}

/**
 * Removes the named leftovers' worktrees and branches, each kept first under refs/grove/archive/ (a snapshot
 * commit of uncommitted work on top of the branch head, or the head itself), restorable with `grove archive
 * restore`. Looked at again under the repository lock, so a run that started meanwhile is refused, not touched.
 */
export async function cleanUpLeftoverWork(input: LeftoverInput & { branches: readonly string[] }): Promise<CleanupAnswer> {
  const ctx = await openRepo(input.repo);
  const afterLock: AfterLock = [];
  try {
    return await withRepoLock(ctx.repo, async () => {
      const survey = await surveyLeftovers(ctx, new Set(input.ended), keptMap(input.keep));
      const answer: CleanupAnswer = { cleaned: [], refused: [] };
      for (const branch of new Set(input.branches)) {
        const leftover = survey.leftovers.find((l) => l.branch === branch);
        if (!leftover) {
          answer.refused.push({ branch, reason: survey.kept.get(branch) ?? "there is no agent branch of that name" });
          continue;
        }
        answer.cleaned.push(await cleanUnderLock(ctx, leftover, afterLock));
      }
      return answer;
    });
  } finally {
    await runAfterLock(ctx.commonDir, afterLock);
  }
}

async function cleanUnderLock(ctx: RepoContext, leftover: LeftoverWork, afterLock: AfterLock) {
  const { agent, taskId, branch } = leftover;
  // A branch with nothing of its own has no archive from the removal; keep its head anyway, so every cleanup has one.
  const hasNothingOwn = leftover.uncommittedFiles === 0 && leftover.unmergedCommits === 0;
  const headRef = hasNothingOwn
    ? await writeArchiveRef(ctx.repo, archiveRefPrefix(agent, taskId), leftover.lastCommit.sha)
    : null;
  const removed = await unregisterAgentWorktree(
    ctx,
    { repo: ctx.repo, agent, taskId, force: true, deleteBranch: true },
    afterLock,
  );
  const snapshotRef = removed.snapshotRef ?? headRef;
  if (snapshotRef === null) throw new Error(`${branch}: removed without an archive ref, which must not happen`);
  const { stdout } = await runGit(["rev-parse", "--verify", `${snapshotRef}^{commit}`], { cwd: ctx.repo });
  return { branch, path: leftover.path, snapshotRef, snapshotSha: stdout.trim() };
}

function keptMap(keep: readonly KeptBranch[] = []): ReadonlyMap<string, string> {
  return new Map(keep.map((k) => [k.branch, k.reason]));
}

/** Walks the agent branches once: each is a leftover, or kept with the reason why. */
async function surveyLeftovers(ctx: RepoContext, ended: ReadonlySet<string>, keep: ReadonlyMap<string, string>): Promise<Survey> {
  const integration = ctx.config.integration;
  const hasIntegration = (await branchSha(ctx.repo, integration)) !== null;
  const worktrees = await listWorktrees(ctx.repo);
  const byBranch = new Map(worktrees.slice(1).flatMap((w) => (w.branch ? [[w.branch, w] as const] : [])));
  const mainCheckout = worktrees[0]?.branch ?? null;
  const mainLine = hasIntegration ? await firstParentLine(ctx.repo, integration) : new Set<string>();
  const survey: Survey = { leftovers: [], kept: new Map() };

  for (const ref of await agentBranchRefs(ctx.repo)) {
    const parsed = parseAgentBranch(ref.branch);
    if (!parsed) continue;
    const worktree = byBranch.get(ref.branch);
    const reason =
      keep.get(ref.branch) ??
      (!ended.has(ref.branch)
        ? "no ended run of this runner has it (a worktree added by hand is never cleaned up here)"
        : worktree?.locked != null
          ? `its worktree is locked (${worktree.locked || "no reason"}): a run may still be working in it`
          : ref.branch === mainCheckout
            ? "it is checked out in the main checkout"
            : null);
    if (reason) {
      survey.kept.set(ref.branch, reason);
      continue;
    }
    const path = worktree && worktree.prunable === null ? worktree.path : null;
    const uncommittedFiles = path ? (await worktreeStatus(path).catch(() => [])).length : 0;
    const unmerged = hasIntegration ? await countCommits(ctx.repo, `refs/heads/${integration}`, `refs/heads/${ref.branch}`) : 0;
    // Landed: everything it has is in the integration branch, and it had commits of its own to land.
    if (hasIntegration && unmerged === 0 && !mainLine.has(ref.sha) && uncommittedFiles === 0) {
      survey.kept.set(ref.branch, `it landed in ${integration}`);
      continue;
    }
    const activity = path ? await lastActivity(path) : null;
    survey.leftovers.push({
      ...parsed,
      branch: ref.branch,
      path,
      lastCommit: { sha: ref.sha, subject: ref.subject, at: ref.at },
      lastActivityAt: Math.max(ref.at, Math.floor(activity ?? 0)),
      uncommittedFiles,
      unmergedCommits: unmerged,
    });
  }
  return survey;
}

async function agentBranchRefs(repo: string) {
  const { stdout } = await runGit(
    ["for-each-ref", "--format=%(refname:short)%00%(objectname)%00%(committerdate:unix)%00%(subject)", "refs/heads/agent/"],
    { cwd: repo },
  );
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [branch = "", sha = "", unix = "0", subject = ""] = line.split("\0");
      return { branch, sha, at: Number(unix) * 1000, subject };
    });
}

async function firstParentLine(repo: string, integration: string): Promise<Set<string>> {
  const { stdout } = await runGit(["rev-list", "--first-parent", `refs/heads/${integration}`, "--"], { cwd: repo });
  return new Set(stdout.split("\n"));
}
