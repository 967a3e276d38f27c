import { access, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { isDomainError } from "../errors/domain-error.ts";
import { findByPath, type WorktreeEntry, type WorktreeEntryInput } from "./add-worktree-entry.ts";
import type { WorktreeInfo } from "./list-worktrees.ts";
import type { RepoContext } from "./open-repo.ts";
import { branchSha, headSha, isSha } from "./refs.ts";
import { isLostGit, runGit } from "./run-git.ts";
import { markSetUpPending, worktreeGitDir } from "./set-up-worktree.ts";

/**
 * True when `early` — the worktrees as listed before the repository lock was taken — and the file system show
 * nothing in the way of a new branch and worktree: no worktree has the branch or the path, nothing is at the path.
 * Asked under the lock (shared, and alone with the path: withSharedRepoLock): only the listing is from before it.
 */
export async function isWayClear(input: WorktreeEntryInput, early: WorktreeInfo[]): Promise<boolean> {
  if (early.some((w) => w.branch === input.branch)) return false;
  const entries = await readdir(input.path).catch(() => null);
  if (entries !== null) return entries.length === 0 && !(await findByPath(early, input.path));
  // Not a folder: a file (occupied), or nothing.
  if (await exists(input.path)) return false;
  // Nothing is at the path: a worktree registered there lost its folder, and then no real path can name it but the
  // path itself (findByPath without a real path resolved per worktree; git refuses the add if this missed one).
  return !early.some((w) => w.path === input.path);
}

/**
 * The usual add in one git process under the repository lock (the caller holds it, shared with other paths' adds at
 * most, and isWayClear said yes): a new branch at `base` and its worktree. Null when git refused, having changed nothing: the caller then lists the
 * worktrees again under the lock and decides as addWorktreeEntry does, as if this had not been tried.
 *
 * Exact although the listing isWayClear read may be stale: what git refuses here is what could have come in the way
 * since — a branch of that name (it exists, so `-b` fails), a worktree registered at the path — and
 * git resolves `base` under the lock, as `cat-file <base>^{commit}` would (both through get_oid, peeled to a
 * commit; `git branch` refuses an ambiguous name, which the careful path then resolves).
 */
export async function addNewWorktreeEntry(ctx: RepoContext, input: WorktreeEntryInput): Promise<WorktreeEntry | null> {
  const { branch, path } = input;
  try {
    await runGit(newWorktreeArgs(input, ["--no-checkout"]), { cwd: ctx.repo, mayRetry: isNeverRetried });
  } catch (error) {
    return refused(ctx, branch, error);
  }
  await markSetUpPending(path);
  return { path, branch, baseSha: await newBranchSha(ctx, branch), created: true, isNewBranch: true, isPending: true };
}

/** `gitDir`: the worktree's own git folder (worktreeGitDir). */
export type NewWorktree = { entry: WorktreeEntry; gitDir: string; checkingOut: Promise<void> };

/**
 * addNewWorktreeEntry with the files checked out by the same git process, and this returns as soon as git's metadata
 * is made: when `worktree add` starts its `reset --hard` (git's trace2 `child_start` event, read on stderr as git
 * writes it), so that the caller lets go of the repository lock while git checks the files out. One git process
 * for the whole add instead of two; on a busy machine each process grove starts costs it more than git's own start
 * of its children. `checkingOut` settles when git has exited: a checkout (or post-checkout hook) that failed rejects
 * it — git has removed a worktree it could not check out, but not the branch it made for it (undoFailedSetUp).
 * Null, as addNewWorktreeEntry, when git refused before making anything. A git that starts no `reset` (a later
 * version checking out in-process) is only slower: the caller holds the lock until git exits.
 */
export async function addNewWorktree(ctx: RepoContext, input: WorktreeEntryInput): Promise<NewWorktree | null> {
  const { branch, path } = input;
  let onCheckoutStart = (): void => undefined;
  const checkoutStarted = new Promise<"started">((resolve) => (onCheckoutStart = () => resolve("started")));
  const adding = runGit(newWorktreeArgs(input, []), {
    cwd: ctx.repo,
    env: TRACE2_TO_STDERR,
    onStderr: watchCheckoutStart(onCheckoutStart),
    mayRetry: isNeverRetried,
  }).then(() => undefined);
  // Handled here once, so that a caller gone for another reason never leaves it unhandled; it still rejects for them.
  adding.catch(() => undefined);
  const first = await Promise.race([checkoutStarted, adding.then(() => "exited" as const)]).catch(
    (error: unknown) => ({ error }) as const,
  );
  if (typeof first === "object") return refused(ctx, branch, first.error);
  const gitDir = await worktreeGitDir(path);
  // Unmarkable when git's checkout already failed and git removed the worktree: then undone as any failed checkout is,
  // once the set-up lock cannot be taken in its git folder (startNewWorktreeSetUp).
  await markSetUpPending(path, gitDir).catch(async (error: unknown) => {
    if (await adding.then(isTrue, isFalse)) throw error;
  });
  const entry = { path, branch, baseSha: await newBranchSha(ctx, branch), created: true, isNewBranch: true, isPending: true };
  return { entry, gitDir, checkingOut: adding };
}

/**
 * `worktree add -b` is not run again when it failed on another git's lock or half-written worktree (run-git.ts): git
 * makes the branch first, so a second run would find it and take it for someone else's (refused keeps such a branch),
 * and a set-up that fails later would leave it. refused deletes it instead, and the careful path under the lock adds.
 */
const isNeverRetried = (): boolean => false;

/**
 * `worktree add` of a new branch at `base`. `--no-track`: `base` reaches git as a name here, and a remote-tracking
 * one must not make the agent branch track it.
 */
function newWorktreeArgs(input: WorktreeEntryInput, checkout: string[]): string[] {
  const lock = input.lockReason === undefined ? [] : ["--lock", "--reason", input.lockReason];
  return ["worktree", "add", ...checkout, ...lock, "--no-track", "-b", input.branch, "--", input.path, input.base];
}

// Only to stderr, which git's own messages share (run-git.ts leaves these lines out of what it reports).
const TRACE2_TO_STDERR = { GIT_TRACE2_EVENT: "2", GIT_TRACE2_EVENT_BRIEF: "1", GIT_TRACE2_EVENT_NESTING: "1" };

const ChildStartSchema = z.object({ event: z.literal("child_start"), argv: z.array(z.string()) });

/** Calls `onStart` once, when git's trace2 events on stderr show a `git reset` started (worktree add's checkout). */
function watchCheckoutStart(onStart: () => void): (chunk: Buffer) => void {
  let partial = "";
  let isSeen = false;
  return (chunk) => {
    if (isSeen) return;
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    if (!lines.some(isCheckoutStart)) return;
    isSeen = true;
    onStart();
  };
}

function isCheckoutStart(line: string): boolean {
  if (!line.includes('"child_start"')) return false;
  try {
    const event = ChildStartSchema.safeParse(JSON.parse(line));
    return event.success && event.data.argv[1] === "reset";
  } catch {
    return false;
  }
}

/**
 * git refused the add (GIT_FAILED; anything else is thrown): null, having changed nothing. `worktree add -b` makes
 * the branch (`git branch`) before it checks the path: a branch it made for a worktree it then refused is deleted
 * again. git names a branch that was there before, which is left alone. A git lost with the process spawner may
 * have made the branch and the worktree, or part of them: nothing is deleted, and the caller's listing under the
 * lock finds what it left (a worktree never checked out is then set up, as one a killed grove left).
 */
async function refused(ctx: RepoContext, branch: string, error: unknown): Promise<null> {
  if (!(isDomainError(error) && error.code === "GIT_FAILED")) throw error;
  if (isLostGit(error)) return null;
  if (!/a branch named '.*' already exists/.test(error.process?.stderrTail ?? "")) await deleteBranchIfAny(ctx, branch);
  return null;
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

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const isTrue = (): boolean => true;
const isFalse = (): boolean => false;
