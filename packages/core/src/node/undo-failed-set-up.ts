import { DomainError, isDomainError } from "../errors/domain-error.ts";
import { findByPath } from "./add-worktree-entry.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { moveWorktreeAside, runAfterLock, type AfterLock } from "./move-worktree-aside.ts";
import type { RepoContext } from "./open-repo.ts";
import { withRepoLock } from "./repo-lock.ts";
import { isLostGit, runGit } from "./run-git.ts";
import { isSetUpPending } from "./set-up-worktree.ts";
import type { WorktreeEntry } from "./add-worktree-entry.ts";

/** Removes what this call created (worktree, new branch) when nobody was given it yet; the error to report. */
export async function undoFailedSetUp(ctx: RepoContext, made: WorktreeEntry, error: unknown): Promise<DomainError> {
  const reason = error instanceof Error ? error.message : String(error);
  const what = `Could not set up the worktree ${made.path} (its checkout, submodules, .worktreeinclude files): ${reason}\n`;
  const options = { cause: error, ...(isDomainError(error) && error.process ? { process: error.process } : {}) };
  const code = isDomainError(error) ? error.code : "IO_FAILED";
  if (!made.created)
    return new DomainError(code, `${what}It stays as it is; running the same command again finishes it.`, options);
  const afterLock: AfterLock = [];
  try {
    const kept = await withRepoLock(
      ctx.repo,
      async () => {
        const worktrees = await listWorktrees(ctx.repo);
        const worktree = await findByPath(worktrees, made.path);
        // git's own `worktree add` removes a worktree it could not check out, but not the branch it made for it.
        if (worktree === undefined && made.isNewBranch && !worktrees.some((w) => w.branch === made.branch)) {
          await deleteMadeBranch(ctx, made);
          return false;
        }
        if (worktree?.branch !== made.branch || !(await isSetUpPending(made.path))) return true;
        if (worktree.locked !== null) await runGit(["worktree", "unlock", "--", made.path], { cwd: ctx.repo });
        await moveWorktreeAside({ repo: ctx.repo, commonDir: ctx.commonDir, path: made.path, force: true }, afterLock);
        await deleteMadeBranch(ctx, made);
        return false;
      },
      { commonDir: ctx.commonDir },
    );
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
  // A git lost with the process spawner is nothing the user can fix; anything else is (a submodule, an include).
  const next = isLostGit(error) ? "Run the same command again." : "Fix that and run the same command again.";
  return new DomainError(
    code,
    `${what}grove removed it again${made.isNewBranch ? `, and its new branch ${made.branch}` : ""}: nothing is half-made. ${next}`,
    options,
  );
}

/** Only the branch this call made, and only while it is still where it was made. */
async function deleteMadeBranch(ctx: RepoContext, made: WorktreeEntry): Promise<void> {
  if (!made.isNewBranch) return;
  await runGit(["update-ref", "-d", `refs/heads/${made.branch}`, made.baseSha], { cwd: ctx.repo, okExitCodes: [0, 128] });
}
