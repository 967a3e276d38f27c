import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDomainError } from "../errors/domain-error.ts";
import { findByPath, isOccupied, worktreeAddOptions, type WorktreeEntry, type WorktreeEntryInput } from "./add-worktree-entry.ts";
import type { WorktreeInfo } from "./list-worktrees.ts";
import type { RepoContext } from "./open-repo.ts";
import { branchSha, headSha, isSha } from "./refs.ts";
import { runGit } from "./run-git.ts";
import { markSetUpPending } from "./set-up-worktree.ts";

/**
 * True when `early` — the worktrees as listed before the repository lock was taken — and the file system show
 * nothing in the way of a new branch and worktree: no worktree has the branch or the path, nothing is at the path.
 * Asked under the lock: only the listing is from before it.
 */
export async function isWayClear(input: WorktreeEntryInput, early: WorktreeInfo[]): Promise<boolean> {
  if (early.some((w) => w.branch === input.branch)) return false;
  return !(await findByPath(early, input.path)) && !(await isOccupied(input.path));
}

/**
 * The usual add in one git process under the repository lock (the caller holds it, and isWayClear said yes): a new
 * branch at `base` and its worktree. Null when git refused, having changed nothing: the caller then lists the
 * worktrees again under the lock and decides as addWorktreeEntry does, as if this had not been tried.
 *
 * Exact although the listing isWayClear read may be stale: what git refuses here is what could have come in the way
 * since — a branch of that name (it exists, so `-b` fails), a worktree registered at the path — and
 * git resolves `base` under the lock, as `cat-file <base>^{commit}` would (both through get_oid, peeled to a
 * commit; `git branch` refuses an ambiguous name, which the careful path then resolves). `--no-track`: `base`
 * reaches git as a name here, and a remote-tracking one must not make the agent branch track it.
 */
export async function addNewWorktreeEntry(ctx: RepoContext, input: WorktreeEntryInput): Promise<WorktreeEntry | null> {
  const { branch, base, path } = input;
  try {
    await runGit(["worktree", "add", ...worktreeAddOptions(input), "--no-track", "-b", branch, "--", path, base], {
      cwd: ctx.repo,
    });
  } catch (error) {
    if (!(isDomainError(error) && error.code === "GIT_FAILED")) throw error;
    // `worktree add -b` makes the branch (`git branch`) before it checks the path: a branch it made for a worktree
    // it then refused is deleted again. git names a branch that was there before, which is left alone.
    if (!/a branch named '.*' already exists/.test(error.process?.stderrTail ?? "")) await deleteBranchIfAny(ctx, branch);
    return null;
  }
  await markSetUpPending(path);
  return { path, branch, baseSha: await newBranchSha(ctx, branch), created: true, isNewBranch: true, isPending: true };
}

/**
 * The commit a branch git just created points to: its loose ref file, which `git branch` always writes in the files
 * backend (`<sha>\n`; git reads a loose ref before packed-refs), else (reftable, or anything but a sha) git.
 */
async function newBranchSha(ctx: RepoContext, branch: string): Promise<string> {
  const text = await readFile(join(ctx.commonDir, "refs", "heads", ...branch.split("/")), "utf8").catch(() => "");
  const sha = text.endsWith("\n") ? text.slice(0, -1) : "";
  return isSha(sha) ? sha : headSha(ctx.repo, `refs/heads/${branch}`);
}

async function deleteBranchIfAny(ctx: RepoContext, branch: string): Promise<void> {
  const sha = await branchSha(ctx.repo, branch);
  if (sha !== null) await runGit(["update-ref", "-d", `refs/heads/${branch}`, sha], { cwd: ctx.repo });
}
