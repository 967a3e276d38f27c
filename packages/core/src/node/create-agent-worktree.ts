import { access, readdir } from "node:fs/promises";
import { join } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { agentBranch, validateRefName } from "../naming/agent-branch.ts";
import { copyWorktreeIncludes } from "./copy-worktree-includes.ts";
import { isSamePath, listWorktrees } from "./list-worktrees.ts";
import { openRepo, worktreePathFor } from "./open-repo.ts";
import { branchSha, headSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";

export type CreateAgentWorktreeInput = { repo: string; agent: string; taskId: string; base?: string; lockReason?: string };
export type CreatedWorktree = {
  path: string;
  branch: string;
  baseSha: string;
  created: boolean;
  /** Git-ignored files copied from the main checkout per `.worktreeinclude` (only when created). */
  includedFiles: string[];
};

/**
 * Ensures the worktree of agent/<agent>/<task-id> exists at its configured path. Idempotent: a second
 * call returns created:false. Names are validated before anything is touched.
 */
export async function createAgentWorktree(input: CreateAgentWorktreeInput): Promise<CreatedWorktree> {
  const branch = agentBranch(input.agent, input.taskId);
  if (input.base !== undefined) validateRefName(input.base);
  const ctx = await openRepo(input.repo);
  const base = validateRefName(input.base ?? ctx.config.integration);
  const path = worktreePathFor(ctx, input.agent, input.taskId);

  const created = await withRepoLock(ctx.repo, async (): Promise<CreatedWorktree> => {
    let worktrees = await listWorktrees(ctx.repo);
    let holder = worktrees.find((w) => w.branch === branch);
    if (holder && holder.prunable !== null && holder.locked === null) {
      // Its folder was deleted by hand; the stale entry only blocks the branch.
      await runGit(["worktree", "prune"], { cwd: ctx.repo });
      worktrees = await listWorktrees(ctx.repo);
      holder = worktrees.find((w) => w.branch === branch);
    }
    if (holder) {
      if (await isSamePath(holder.path, path)) {
        return { path, branch, baseSha: await forkPoint(ctx.repo, base, branch), created: false, includedFiles: [] };
      }
      throw new DomainError(
        "BRANCH_CHECKED_OUT",
        `Branch ${branch} is already checked out in the worktree ${holder.path}${holder.prunable !== null ? " (its folder is gone, but it is locked)" : ""}. ` +
          `git lets a branch be checked out in only one worktree at a time, so that a commit in one cannot silently change the files of another. ` +
          `Use that worktree, or remove it first (\`grove worktree remove ${input.agent} ${input.taskId}\`).`,
      );
    }
    const occupant = await findByPath(worktrees, path);
    if (occupant) {
      throw new DomainError("ALREADY_EXISTS", `${path} is already the worktree of ${occupant.branch ?? "a detached HEAD"}; choose another task id.`);
    }
    if (await isOccupied(path)) {
      throw new DomainError("ALREADY_EXISTS", `${path} already exists and is not a worktree of ${ctx.repo}; move it away first.`);
    }

    const lockArgs = input.lockReason === undefined ? [] : ["--lock", "--reason", input.lockReason];
    const existing = await branchSha(ctx.repo, branch);
    if (existing !== null) {
      await runGit(["worktree", "add", ...lockArgs, "--", path, branch], { cwd: ctx.repo });
      return { path, branch, baseSha: await forkPoint(ctx.repo, base, branch), created: true, includedFiles: [] };
    }
    const baseSha = await headSha(ctx.repo, base);
    await runGit(["worktree", "add", ...lockArgs, "-b", branch, "--", path, baseSha], { cwd: ctx.repo });
    return { path, branch, baseSha, created: true, includedFiles: [] };
  });

  // Outside the repo lock: it may fetch over the network. Its writes to the shared config retry on config.lock.
  if (!created.created) return created;
  if (await exists(join(created.path, ".gitmodules"))) {
    await runGit(["submodule", "update", "--init", "--recursive"], { cwd: created.path });
  }
  const includedFiles = ctx.isBare ? [] : await copyWorktreeIncludes(ctx.repo, created.path);
  return { ...created, includedFiles };
}

/** Where an existing agent branch forked from base; the branch head when they share no history. */
async function forkPoint(repo: string, base: string, branch: string): Promise<string> {
  const result = await runGit(["merge-base", "--", base, `refs/heads/${branch}`], { cwd: repo, okExitCodes: [0, 1] });
  return result.exitCode === 0 ? result.stdout.trim() : headSha(repo, `refs/heads/${branch}`);
}

async function findByPath<T extends { path: string }>(worktrees: T[], path: string): Promise<T | undefined> {
  for (const worktree of worktrees) if (await isSamePath(worktree.path, path)) return worktree;
  return undefined;
}

/** git accepts an empty folder as the new worktree; anything else there would be mixed into it. */
async function isOccupied(path: string): Promise<boolean> {
  const entries = await readdir(path).catch(() => null);
  return entries === null ? exists(path) : entries.length > 0;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
