import { AsyncLocalStorage } from "node:async_hooks";
import { join } from "node:path";
import { DomainError } from "../errors/domain-error.ts";
import { agentBranch, validateRefName } from "../naming/agent-branch.ts";
import { addNewWorktree, addNewWorktreeEntry, isWayClear } from "./add-new-worktree-entry.ts";
import { addWorktreeEntry, type WorktreeEntry } from "./add-worktree-entry.ts";
import type { GroveConfig } from "../schemas/config.ts";
import { withLockFile } from "./lock-file.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { listWorktreesJoined } from "./list-worktrees-joined.ts";
import { locateRepo, repoContextFrom, worktreePathFor, type RepoContext } from "./open-repo.ts";
import { withRepoLock, withSharedRepoLock } from "./repo-lock.ts";
import type { GitProgress } from "./run-git.ts";
import {
  clearSetUpPending,
  isCheckedOut,
  isSetUpPending,
  SET_UP_LOCK,
  SET_UP_LOCK_TIMEOUT_MS,
  setUpWorktree,
  worktreeGitDir,
} from "./set-up-worktree.ts";
import { startNewWorktreeSetUp } from "./set-up-new-worktree.ts";
import { removeStaleIndexLock } from "./stale-index-lock.ts";
import { undoFailedSetUp } from "./undo-failed-set-up.ts";

export type CreateAgentWorktreeInput = {
  repo: string;
  agent: string;
  taskId: string;
  base?: string;
  lockReason?: string;
  /** Progress of checking out the files (see checkOutWithProgress). */
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

/**
 * Ensures the worktree of agent/<agent>/<task-id> exists at its configured path, set up (setUpWorktree).
 * Idempotent: a second call returns created:false. Names are validated before anything is touched. Never
 * leaves a half-made worktree: when the set-up fails, what this call created is removed again; when an
 * earlier call was interrupted, this one finishes it.
 */
export async function createAgentWorktree(input: CreateAgentWorktreeInput): Promise<CreatedWorktree> {
  return (await ensureAgentWorktree(input)).worktree;
}

/** createAgentWorktree, and the repository's grove.yaml as this call read it (the CLI runs its setup). */
export async function ensureAgentWorktree(
  input: CreateAgentWorktreeInput,
): Promise<{ worktree: CreatedWorktree; config: GroveConfig }> {
  const branch = agentBranch(input.agent, input.taskId);
  if (input.base !== undefined) validateRefName(input.base);
  const located = await locateRepo(input.repo);
  const { agent, taskId, lockReason } = input;
  const entryInput = (ctx: RepoContext) => {
    const base = validateRefName(input.base ?? ctx.config.integration);
    return { agent, taskId, branch, base, path: worktreePathFor(ctx, agent, taskId), lockReason };
  };
  // Listed before the lock (one listing for adds started together), so that the lock is held for one git process
  // in the usual case (addNewWorktree).
  const early = await listWorktreesJoined(located);
  const earlyCtx = await repoContextFrom(located, early);
  const earlyInput = entryInput(earlyCtx);
  const outsideLock = AsyncLocalStorage.snapshot();
  // The usual add, a new branch and its worktree, under the lock shared with other adds (one at a time per path):
  // git makes both safely beside another add's. Anything else is decided on a listing under the lock itself.
  const fast = await withSharedRepoLock(
    located.start,
    earlyInput.path,
    async () => {
      if (!(await isWayClear(earlyInput, early))) return null;
      // With a progress listener the files are checked out apart (setUpWorktree), with `--progress`.
      if (input.onProgress !== undefined) {
        const added = await addNewWorktreeEntry(earlyCtx, earlyInput);
        return added && { ctx: earlyCtx, entry: added, settingUp: undefined };
      }
      const added = await addNewWorktree(earlyCtx, earlyInput);
      return added && { ctx: earlyCtx, entry: added.entry, ...(await startNewWorktreeSetUp(earlyCtx, added, outsideLock)) };
    },
    { commonDir: located.commonDir },
  );
  const { ctx, entry, settingUp } =
    fast ??
    (await withRepoLock(
      located.start,
      async () => {
        const worktrees = await listWorktrees(located.start);
        const ctx = await repoContextFrom(located, worktrees);
        return { ctx, entry: await addWorktreeEntry(ctx, entryInput(ctx), worktrees), settingUp: undefined };
      },
      { commonDir: located.commonDir },
    ));
  if (settingUp) return { worktree: await settingUp, config: ctx.config };
  const { isNewBranch: _isNewBranch, isPending, ...worktree } = entry;
  if (!isPending) return { worktree: { ...worktree, resumed: false, includedFiles: [] }, config: ctx.config };
  return { worktree: await setUpOnce(ctx, entry, input.onProgress), config: ctx.config };
}

/**
 * The set-up of a pending worktree (setUpWorktree), outside the repository lock: the checkout, and fetches over
 * the network. Under the worktree's own set-up lock, so that two calls ensuring the same worktree at once set it
 * up once and the second returns only when it is set up; a failed set-up is undone under it too.
 */
async function setUpOnce(
  ctx: RepoContext,
  entry: WorktreeEntry,
  onProgress: ((progress: GitProgress) => void) | undefined,
): Promise<CreatedWorktree> {
  const { isNewBranch: _isNewBranch, isPending: _isPending, ...worktree } = entry;
  const lockPath = join(await worktreeGitDir(entry.path), SET_UP_LOCK);
  const setUp = async (): Promise<CreatedWorktree> => {
    if (!(await isSetUpPending(entry.path)) && (await isCheckedOut(entry.path)))
      return { ...worktree, resumed: false, includedFiles: [] };
    try {
      // Resumed: a git killed with the grove process that added it may have left the index locked.
      if (!entry.created) await removeStaleIndexLock(entry.path);
      const includedFiles = await setUpWorktree(ctx, entry.path, onProgress);
      await clearSetUpPending(entry.path);
      return { ...worktree, resumed: !entry.created, includedFiles };
    } catch (error) {
      throw await undoFailedSetUp(ctx, entry, error);
    }
  };
  return withLockFile(lockPath, setUp, { timeoutMs: SET_UP_LOCK_TIMEOUT_MS, what: "the worktree's set-up" }).catch(
    (error: unknown) => {
      // The worktree's git folder went away while this call waited: another call's set-up failed and removed it.
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT")) throw error;
      throw new DomainError(
        "NOT_FOUND",
        `${entry.path} was removed again by another grove call whose set-up of it failed; run the same command again.`,
        { cause: error },
      );
    },
  );
}
