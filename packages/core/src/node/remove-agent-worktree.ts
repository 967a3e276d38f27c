import { access } from "node:fs/promises";
import { join } from "node:path";
import { DomainError, isDomainError } from "../errors/domain-error.ts";
import { agentBranch } from "../naming/agent-branch.ts";
import type { WorktreeInfo } from "../worktree/parse-worktree-list.ts";
import { isSamePath, listWorktrees } from "./list-worktrees.ts";
import { locateRepo, repoContextFrom, worktreePathFor, type RepoContext } from "./open-repo.ts";
import { branchSha, unmergedCommits } from "./refs.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { archiveRefPrefix, SNAPSHOT_SUBJECT } from "../worktree/archive-ref.ts";
import { snapshotCommit, writeArchiveRef } from "./snapshot-worktree.ts";
import { alongPrune, moveWorktreeAside, runAfterLock, type AfterLock } from "./move-worktree-aside.ts";
import { isSetUpPending } from "./set-up-worktree.ts";
import { describeStatus, worktreeStatus } from "./worktree-status.ts";

export type RemoveAgentWorktreeInput = { repo: string; agent: string; taskId: string; force?: boolean; deleteBranch?: boolean };
export type RemovedWorktree = { removed: boolean; branchDeleted: boolean; snapshotRef: string | null };

/**
 * Removes the agent's worktree (and, with deleteBranch, its branch) without ever losing work: without
 * force it refuses anything that would be lost; with force it first archives it under refs/grove/archive/.
 * Idempotent: a worktree that is already gone is not an error. The repository lock covers the checks and
 * unregistering the worktree, not the deletion of its files (see moveWorktreeAside).
 */
export async function removeAgentWorktree(input: RemoveAgentWorktreeInput): Promise<RemovedWorktree> {
  const located = await locateRepo(input.repo);
  const afterLock: AfterLock = [];
  try {
    return await withRepoLock(
      located.start,
      async () => {
        const worktrees = await listWorktrees(located.start);
        return unregisterAgentWorktree(await repoContextFrom(located, worktrees), input, afterLock, worktrees);
      },
      { commonDir: located.commonDir },
    );
  } finally {
    // Outside the lock: deleting tens of thousands of files must not hold up every other worktree operation.
    await runAfterLock(located.commonDir, afterLock);
  }
}

/**
 * removeAgentWorktree's part under the repository lock (the caller holds it): checks, archives, and
 * unregisters the worktree and branch. The deletion of the worktree's files is queued on `afterLock`.
 * `listed`: the worktrees as listed under the same lock hold, if the caller has them.
 */
export async function unregisterAgentWorktree(
  ctx: RepoContext,
  input: RemoveAgentWorktreeInput,
  afterLock: AfterLock,
  listed?: WorktreeInfo[],
): Promise<RemovedWorktree> {
  const branch = agentBranch(input.agent, input.taskId);
  const expectedPath = worktreePathFor(ctx, input.agent, input.taskId);
  const force = input.force ?? false;
  const deleteBranch = input.deleteBranch ?? false;

  const worktrees = listed ?? (await listWorktrees(ctx.repo));
  const worktree = await findAgentWorktree(worktrees, branch, expectedPath);
  const live = worktree && worktree.prunable === null ? worktree : undefined;
  // Only deleting the branch needs its head; the worktree that has it checked out shows it (no git process more).
  const head = !deleteBranch ? null : live?.branch === branch && live.head ? live.head : await branchSha(ctx.repo, branch);
  // A branch still at the integration head has nothing unmerged; the worktree on the integration branch shows that head.
  const isAtIntegration = head !== null && worktrees.some((w) => w.branch === ctx.config.integration && w.head === head);

  // Both only read: at once, so that the lock is held for the slower of the two (status, on a large worktree).
  const [dirty, unmerged] = await Promise.all([
    live ? worktreeStatus(live.path) : [],
    deleteBranch && head !== null && !isAtIntegration ? unmergedInto(ctx.repo, ctx.config.integration, branch) : [],
  ]);

  if (!force) {
    if (live?.locked != null) {
      throw new DomainError(
        "INVALID_INPUT",
        `The worktree ${live.path} is locked${live.locked ? ` (${live.locked})` : ""}: an agent may still be working in it. Unlock it first, or use --force.`,
      );
    }
    // An add stopped mid-checkout leaves every file it had not written yet as a "change": that is no one's work.
    if (dirty.length > 0 && live && (await isSetUpPending(live.path))) {
      throw new DomainError(
        "DIRTY_WORKTREE",
        `The set-up of worktree ${live.path} never finished (a grove worktree add was stopped, or is still running): ` +
          `git shows ${dirty.length} file(s) its checkout had not written yet, not work. ` +
          `grove worktree add ${input.agent} ${input.taskId} finishes it; --force removes it, keeping a snapshot under refs/grove/archive/ first.`,
        { hint: null },
      );
    }
    if (dirty.length > 0) {
      throw new DomainError(
        "DIRTY_WORKTREE",
        `The worktree ${live?.path ?? expectedPath} has uncommitted work that removing it would lose:\n${describeStatus(dirty)}\n` +
          `Commit it on ${branch}, or use --force to keep a snapshot under refs/grove/archive/ and remove it.`,
      );
    }
    if (unmerged.length > 0) {
      throw new DomainError(
        "UNMERGED_BRANCH",
        `Branch ${branch} has ${unmerged.length} commit(s) not in ${ctx.config.integration} that deleting it would lose:\n` +
          `${unmerged
            .slice(0, 10)
            .map((line) => `  ${line}`)
            .join("\n")}\nMerge it first, or use --force to keep it under refs/grove/archive/.`,
      );
    }
  }

  let snapshotRef: string | null = null;
  const prefix = archiveRefPrefix(input.agent, input.taskId);
  if (live && dirty.length > 0 && live.head) {
    const message = `${SNAPSHOT_SUBJECT}${branch}\n\nUncommitted work in ${live.path} kept by a forced removal.\n`;
    snapshotRef = await writeArchiveRef(ctx.repo, prefix, await snapshotCommit(live.path, live.head, message));
  } else if (head !== null && unmerged.length > 0) {
    snapshotRef = await writeArchiveRef(ctx.repo, prefix, head);
  }

  let branchDeleted = false;
  // Only once the worktree's folder is gone (checked clean, or archived above): with git forgetting its entry.
  const deleteBranchRef =
    deleteBranch && head !== null
      ? async () => {
          await runGit(["update-ref", "-d", `refs/heads/${branch}`, head], { cwd: ctx.repo });
          branchDeleted = true;
        }
      : undefined;
  let removed = false;
  try {
    if (live) {
      if (live.locked !== null) await runGit(["worktree", "unlock", "--", live.path], { cwd: ctx.repo });
      // We checked cleanliness ourselves (or archived the work); --force is what git needs for submodules.
      const needsForce = force || (await hasSubmodules(live.path));
      const aside = { repo: ctx.repo, commonDir: ctx.commonDir, path: live.path, force: needsForce };
      await moveWorktreeAside(aside, afterLock, deleteBranchRef);
      removed = true;
    } else {
      if (worktree?.locked != null) await runGit(["worktree", "unlock", "--", worktree.path], { cwd: ctx.repo });
      // Forgets an entry whose folder is gone (moveWorktreeAside did that for a live one).
      await alongPrune(ctx.repo, deleteBranchRef);
    }
  } catch (error) {
    if (!branchDeleted || !(error instanceof Error)) throw error;
    // Said, so that the report is what git shows: the branch is gone although the call failed.
    const code = isDomainError(error) ? error.code : "GIT_FAILED";
    const process = isDomainError(error) ? error.process : undefined;
    throw new DomainError(
      code,
      `${error.message}\nBranch ${branch} was deleted all the same: its commits are in ${ctx.config.integration}${snapshotRef ? ` or kept in ${snapshotRef}` : ""}.`,
      {
        cause: error,
        ...(process ? { process } : {}),
      },
    );
  }
  return { removed, branchDeleted, snapshotRef };
}

async function findAgentWorktree(
  worktrees: WorktreeInfo[],
  branch: string,
  expectedPath: string,
): Promise<WorktreeInfo | undefined> {
  const main = worktrees[0];
  if (main && !main.bare && main.branch === branch) {
    throw new DomainError(
      "INVALID_INPUT",
      `${branch} is checked out in the main checkout ${main.path}, which grove never removes. Check out another branch there first.`,
    );
  }
  const byBranch = worktrees.find((w) => w.branch === branch);
  if (byBranch) return byBranch;
  for (const worktree of worktrees.slice(1)) if (await isSamePath(worktree.path, expectedPath)) return worktree;
  return undefined;
}

/** unmergedCommits; when git cannot answer, a missing integration branch is named as the cause. */
async function unmergedInto(repo: string, integration: string, branch: string): Promise<string[]> {
  try {
    return await unmergedCommits(repo, integration, branch);
  } catch (error) {
    if ((await branchSha(repo, integration)) === null) {
      throw new DomainError(
        "NOT_FOUND",
        `The integration branch ${integration} does not exist, so grove cannot tell what is merged (set integration in grove.yaml).`,
      );
    }
    throw error;
  }
}

async function hasSubmodules(worktree: string): Promise<boolean> {
  return access(join(worktree, ".gitmodules")).then(
    () => true,
    () => false,
  );
}
