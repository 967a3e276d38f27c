import { access, readdir } from "node:fs/promises";
import { DomainError, isDomainError } from "../errors/domain-error.ts";
import { agentBranch, validateRefName } from "../naming/agent-branch.ts";
import { findWorktreeByPath, isSamePath, listWorktrees } from "./list-worktrees.ts";
import { moveWorktreeAside, runAfterLock, type AfterLock } from "./move-worktree-aside.ts";
import { openRepo, worktreePathFor, type RepoContext } from "./open-repo.ts";
import { branchSha, headSha } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit, type GitProgress } from "./run-git.ts";
import { clearSetUpPending, isSetUpPending, markSetUpPending, setUpWorktree } from "./set-up-worktree.ts";

export type CreateAgentWorktreeInput = {
  repo: string;
  agent: string;
  taskId: string;
  base?: string;
  lockReason?: string;
  /** Progress of checking out the files. With it, the files are checked out by setUpWorktree (see checkOutWithProgress). */
  onProgress?: (progress: GitProgress) => void;
};
export type CreatedWorktree = {
  path: string;
  branch: string;
  baseSha: string;
  created: boolean;
  /** An earlier call was interrupted before the worktree was set up (submodules, includes); this one finished it. */
  resumed: boolean;
  /** Git-ignored files copied from the main checkout per `.worktreeinclude` (when created or resumed). */
  includedFiles: string[];
};

type Ensured = Omit<CreatedWorktree, "includedFiles" | "resumed"> & { isNewBranch: boolean; isPending: boolean };

/**
 * Ensures the worktree of agent/<agent>/<task-id> exists at its configured path, set up (setUpWorktree).
 * Idempotent: a second call returns created:false. Names are validated before anything is touched. Never
 * leaves a half-made worktree: when the set-up fails, what this call created is removed again; when an
 * earlier call was interrupted, this one finishes it.
 */
export async function createAgentWorktree(input: CreateAgentWorktreeInput): Promise<CreatedWorktree> {
  const branch = agentBranch(input.agent, input.taskId);
  if (input.base !== undefined) validateRefName(input.base);
  const ctx = await openRepo(input.repo);
  const base = validateRefName(input.base ?? ctx.config.integration);
  const path = worktreePathFor(ctx, input.agent, input.taskId);

  const ensured = await withRepoLock(ctx.repo, async (): Promise<Ensured> => {
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
        const baseSha = await forkPoint(ctx.repo, base, branch);
        const isPending = holder.prunable === null && (await isSetUpPending(path));
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

    const addArgs = input.lockReason === undefined ? [] : ["--lock", "--reason", input.lockReason];
    // Without a listener, `worktree add` checks out itself: one git process less on the benchmarked path.
    if (input.onProgress) addArgs.push("--no-checkout");
    const existing = await branchSha(ctx.repo, branch);
    if (existing !== null) {
      await runGit(["worktree", "add", ...addArgs, "--", path, branch], { cwd: ctx.repo });
      await markSetUpPending(path);
      return {
        path,
        branch,
        baseSha: await forkPoint(ctx.repo, base, branch),
        created: true,
        isNewBranch: false,
        isPending: true,
      };
    }
    const baseSha = await headSha(ctx.repo, base);
    await runGit(["worktree", "add", ...addArgs, "-b", branch, "--", path, baseSha], { cwd: ctx.repo });
    await markSetUpPending(path);
    return { path, branch, baseSha, created: true, isNewBranch: true, isPending: true };
  });

  const { isNewBranch: _isNewBranch, isPending, ...worktree } = ensured;
  if (!isPending) return { ...worktree, resumed: false, includedFiles: [] };
  // Outside the repo lock: it may fetch over the network. Its writes to the shared config retry on config.lock.
  try {
    const includedFiles = await setUpWorktree(ctx, path, input.onProgress);
    await clearSetUpPending(path);
    return { ...worktree, resumed: !ensured.created, includedFiles };
  } catch (error) {
    throw await failedSetUp(ctx, ensured, error);
  }
}

/** Removes what this call created (worktree, new branch) when nobody was given it yet; the error to report. */
async function failedSetUp(ctx: RepoContext, made: Ensured, error: unknown): Promise<DomainError> {
  const reason = error instanceof Error ? error.message : String(error);
  const what = `Could not set up the worktree ${made.path} (submodules, .worktreeinclude files): ${reason}\n`;
  const options = { cause: error, ...(isDomainError(error) && error.process ? { process: error.process } : {}) };
  const code = isDomainError(error) ? error.code : "IO_FAILED";
  if (!made.created)
    return new DomainError(code, `${what}It stays as it is; running the same command again finishes it.`, options);
  const afterLock: AfterLock = [];
  try {
    const kept = await withRepoLock(ctx.repo, async () => {
      const worktree = await findWorktreeByPath(ctx.repo, made.path);
      if (worktree?.branch !== made.branch || !(await isSetUpPending(made.path))) return true;
      if (worktree.locked !== null) await runGit(["worktree", "unlock", "--", made.path], { cwd: ctx.repo });
      await moveWorktreeAside({ repo: ctx.repo, commonDir: ctx.commonDir, path: made.path, force: true }, afterLock);
      // Only the branch this call made, and only while it is still where it was made.
      if (made.isNewBranch)
        await runGit(["update-ref", "-d", `refs/heads/${made.branch}`, made.baseSha], { cwd: ctx.repo, okExitCodes: [0, 128] });
      return false;
    });
    if (kept)
      return new DomainError(
        code,
        `${what}Another grove call took it over meanwhile; running the same command again finishes it.`,
        options,
      );
  } catch (rollBackError) {
    const why = rollBackError instanceof Error ? rollBackError.message : String(rollBackError);
    return new DomainError(
      code,
      `${what}Removing it again failed too (${why}); running the same command again finishes it.`,
      options,
    );
  } finally {
    await runAfterLock(ctx.commonDir, afterLock);
  }
  return new DomainError(
    code,
    `${what}grove removed it again${made.isNewBranch ? `, and its new branch ${made.branch}` : ""}: nothing is half-made. Fix that and run the same command again.`,
    options,
  );
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
