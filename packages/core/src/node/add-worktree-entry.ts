import { access, readdir } from "node:fs/promises";
import { DomainError } from "../errors/domain-error.ts";
import { isSamePath, listWorktrees, type WorktreeInfo } from "./list-worktrees.ts";
import type { RepoContext } from "./open-repo.ts";
import { headSha, resolveCommits } from "./refs.ts";
import { runGit } from "./run-git.ts";
import { isCheckedOut, isSetUpPending, markSetUpPending } from "./set-up-worktree.ts";

export type WorktreeEntryInput = {
  agent: string;
  taskId: string;
  branch: string;
  base: string;
  path: string;
  lockReason?: string;
};
export type WorktreeEntry = {
  path: string;
  branch: string;
  baseSha: string;
  created: boolean;
  isNewBranch: boolean;
  /** Not set up yet (its files, submodules, includes): nobody may be given it before setUpWorktree finished. */
  isPending: boolean;
};

/**
 * createAgentWorktree's part under the repository lock (the caller holds it): the checks, then git's metadata
 * of the worktree (its entry and, when new, its branch) — `worktree add --no-checkout`, marked set-up-pending.
 * Its files are checked out after the lock, so that adds of several worktrees check out in parallel.
 * `listed`: the worktrees as listed under the same lock hold, if the caller has them.
 */
export async function addWorktreeEntry(
  ctx: RepoContext,
  input: WorktreeEntryInput,
  listed?: WorktreeInfo[],
): Promise<WorktreeEntry> {
  const { branch, base, path } = input;
  let worktrees = listed ?? (await listWorktrees(ctx.repo));
  let holder = worktrees.find((w) => w.branch === branch);
  if (holder && holder.prunable !== null && holder.locked === null) {
    // Its folder was deleted by hand; the stale entry only blocks the branch.
    await runGit(["worktree", "prune"], { cwd: ctx.repo });
    worktrees = await listWorktrees(ctx.repo);
    holder = worktrees.find((w) => w.branch === branch);
  }
  if (holder) {
    if (await isSamePath(holder.path, path)) {
      const baseSha = await forkPoint(ctx.repo, base, branch);
      const isPending = holder.prunable === null && ((await isSetUpPending(path)) || (await isNeverCheckedOut(path)));
      return { path, branch, baseSha, created: false, isNewBranch: false, isPending };
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
    throw new DomainError(
      "ALREADY_EXISTS",
      `${path} is already the worktree of ${occupant.branch ?? "a detached HEAD"}; choose another task id.`,
    );
  }
  if (await isOccupied(path)) {
    throw new DomainError("ALREADY_EXISTS", `${path} already exists and is not a worktree of ${ctx.repo}; move it away first.`);
  }

  const addArgs = worktreeAddOptions(input);
  const [existing, baseSha] = await resolveCommits(ctx.repo, [`refs/heads/${branch}`, base]);
  if (existing != null) {
    await runGit(["worktree", "add", ...addArgs, "--", path, branch], { cwd: ctx.repo });
    await markSetUpPending(path);
    const forkedFrom = await forkPoint(ctx.repo, base, branch);
    return { path, branch, baseSha: forkedFrom, created: true, isNewBranch: false, isPending: true };
  }
  if (baseSha == null)
    throw new DomainError("NOT_FOUND", `"${base}" does not name a commit in ${ctx.repo}.`, {
      hint: "the base is a branch, tag or commit of the repository (`git branch --list` shows its branches).",
    });
  await runGit(["worktree", "add", ...addArgs, "-b", branch, "--", path, baseSha], { cwd: ctx.repo });
  await markSetUpPending(path);
  return { path, branch, baseSha, created: true, isNewBranch: true, isPending: true };
}

/** Where an existing agent branch forked from base; the branch head when they share no history. */
async function forkPoint(repo: string, base: string, branch: string): Promise<string> {
  const result = await runGit(["merge-base", "--", base, `refs/heads/${branch}`], { cwd: repo, okExitCodes: [0, 1] });
  return result.exitCode === 0 ? result.stdout.trim() : headSha(repo, `refs/heads/${branch}`);
}

/** `git worktree add`'s options for grove's worktrees: metadata only (files after the lock), locked if asked. */
export function worktreeAddOptions(input: WorktreeEntryInput): string[] {
  return ["--no-checkout", ...(input.lockReason === undefined ? [] : ["--lock", "--reason", input.lockReason])];
}

export async function findByPath<T extends { path: string }>(worktrees: T[], path: string): Promise<T | undefined> {
  for (const worktree of worktrees) if (await isSamePath(worktree.path, path)) return worktree;
  return undefined;
}

/**
 * A worktree `worktree add --no-checkout` made whose marker a killed grove never wrote: no index, and no file
 * but its `.git`. Only then is it set up without the marker: a checkout there cannot overwrite anyone's work.
 */
async function isNeverCheckedOut(path: string): Promise<boolean> {
  if (await isCheckedOut(path)) return false;
  const entries = await readdir(path).catch(() => null);
  return entries !== null && entries.every((name) => name === ".git");
}

/** git accepts an empty folder as the new worktree; anything else there would be mixed into it. */
export async function isOccupied(path: string): Promise<boolean> {
  const entries = await readdir(path).catch(() => null);
  return entries === null ? exists(path) : entries.length > 0;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
