import { openRepo, type RepoContext } from "./open-repo.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { branchSha, unmergedCommits } from "./refs.ts";
import { runAfterLock, type AfterLock } from "./move-worktree-aside.ts";
import { unregisterAgentWorktree } from "./remove-agent-worktree.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { worktreeStatus } from "./worktree-status.ts";

export type CleanupResult = {
  removed: { path: string; branch: string }[];
  branchesDeleted: string[];
  kept: { path: string | null; branch: string; reason: string }[];
  pruned: string[];
};

/**
 * The seed's automation rule after a session: remove agent worktrees, delete merged agent/* branches,
 * prune. Never forces: a locked or dirty worktree and an unmerged branch are kept and reported.
 */
export async function cleanupAgentWorktrees(input: { repo: string }): Promise<CleanupResult> {
  const ctx = await openRepo(input.repo);
  const afterLock: AfterLock = [];
  try {
    return await withRepoLock(ctx.repo, () => cleanUnderLock(ctx, afterLock));
  } finally {
    // The removed worktrees' files, one at a time, once other operations can go on.
    await runAfterLock(ctx.commonDir, afterLock);
  }
}

async function cleanUnderLock(ctx: RepoContext, afterLock: AfterLock): Promise<CleanupResult> {
  const integration = ctx.config.integration;
  const result: CleanupResult = { removed: [], branchesDeleted: [], kept: [], pruned: [] };
  const hasIntegration = (await branchSha(ctx.repo, integration)) !== null;
  const worktrees = await listWorktrees(ctx.repo);
  result.pruned = worktrees.filter((w) => w.prunable !== null && w.locked === null).map((w) => w.path);

  for (const worktree of worktrees) {
    if (worktree.agent === null || worktree.taskId === null || worktree.branch === null) continue;
    const { agent, taskId, branch, path } = worktree;
    if (worktree.locked !== null && worktree.prunable === null) {
      result.kept.push({ path, branch, reason: `locked${worktree.locked ? ` (${worktree.locked})` : ""}` });
      continue;
    }
    const dirty = worktree.prunable === null ? await worktreeStatus(path) : [];
    if (dirty.length > 0) {
      result.kept.push({ path, branch, reason: `${dirty.length} uncommitted change(s)` });
      continue;
    }
    const merged = hasIntegration && (await unmergedCommits(ctx.repo, integration, branch)).length === 0;
    const outcome = await unregisterAgentWorktree(ctx, { repo: ctx.repo, agent, taskId, deleteBranch: merged }, afterLock);
    if (outcome.removed) result.removed.push({ path, branch });
    if (outcome.branchDeleted) result.branchesDeleted.push(branch);
    else
      result.kept.push({
        path: null,
        branch,
        reason: hasIntegration ? `not merged into ${integration}` : `${integration} does not exist`,
      });
  }

  if (hasIntegration) {
    const checkedOut = new Set((await listWorktrees(ctx.repo)).map((w) => w.branch));
    for (const { branch, sha } of await mergedAgentBranches(ctx.repo, integration)) {
      if (checkedOut.has(branch) || result.branchesDeleted.includes(branch)) continue;
      await runGit(["update-ref", "-d", `refs/heads/${branch}`, sha], { cwd: ctx.repo });
      result.branchesDeleted.push(branch);
    }
  }
  await runGit(["worktree", "prune"], { cwd: ctx.repo });
  return result;
}

/** agent/* branches whose every commit is already in the integration branch. */
export async function mergedAgentBranches(repo: string, integration: string): Promise<{ branch: string; sha: string }[]> {
  const { stdout } = await runGit(
    ["for-each-ref", `--merged=refs/heads/${integration}`, "--format=%(refname:short)%00%(objectname)", "refs/heads/agent/"],
    { cwd: repo },
  );
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [branch = "", sha = ""] = line.split("\0");
      return { branch, sha };
    });
}
