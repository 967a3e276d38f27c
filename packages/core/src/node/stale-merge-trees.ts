import { readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { listWorktrees } from "./list-worktrees.ts";
import { isPidAlive } from "./lock-file.ts";
import { withRepoLock } from "./repo-lock.ts";
import { runGit } from "./run-git.ts";
import { snapshotCommit, writeArchiveRef } from "./snapshot-worktree.ts";
import { moveMergeTreeAside } from "./test-merged-tree.ts";

export const MERGE_TEST_DIR_PREFIX = "grove-merge-test-";
export const MERGE_TEST_OWNER_FILE = "owner.json";
/** Where the uncommitted files of a removed merged-tree test worktree are kept (`<prefix><epoch-ms>`). */
export const MERGE_TEST_SNAPSHOT_PREFIX = "refs/grove/merge-test/";
const OwnerSchema = z.object({ pid: z.number().int(), host: z.string() });

export type MergeTestTree = {
  path: string;
  /** The grove process that made it, when its owner file says. */
  ownerPid: number | null;
  /** Its owner still runs (or runs on another host, where this one cannot tell): not to be touched. */
  isOwned: boolean;
};

/** The temporary merged-tree test worktrees registered in `repo`, and whether a live grove process owns each. */
export async function listMergeTestTrees(repo: string): Promise<MergeTestTree[]> {
  const trees: MergeTestTree[] = [];
  for (const worktree of await listWorktrees(repo)) {
    const dir = dirname(worktree.path);
    if (!basename(dir).startsWith(MERGE_TEST_DIR_PREFIX) || basename(worktree.path) !== "tree") continue;
    const owner = await readFile(join(dir, MERGE_TEST_OWNER_FILE), "utf8")
      .then((text) => OwnerSchema.safeParse(JSON.parse(text)).data ?? null)
      .catch(() => null);
    const isOwned = owner !== null && (owner.host !== hostname() || isPidAlive(owner.pid));
    trees.push({ path: worktree.path, ownerPid: owner?.pid ?? null, isOwned });
  }
  return trees;
}

/**
 * Removes temporary merged-tree worktrees whose grove process died mid-test (kill -9, power loss), with
 * their folders. Anything the test left uncommitted in one (a file it wrote) is first committed on top of
 * the tree's commit and kept under refs/grove/merge-test/. Trees of live processes, or of other hosts, are
 * left alone. Returns what was removed.
 */
export async function removeStaleMergeTrees(repo: string): Promise<{ path: string; snapshotRef: string | null }[]> {
  const removed: { path: string; snapshotRef: string | null }[] = [];
  await withRepoLock(repo, async () => {
    for (const tree of await listMergeTestTrees(repo)) {
      if (tree.isOwned) continue;
      const snapshotRef = await snapshotIfDirty(repo, tree.path);
      await moveMergeTreeAside(repo, tree.path);
      removed.push({ path: tree.path, snapshotRef });
    }
    await runGit(["worktree", "prune"], { cwd: repo });
  });
  for (const { path } of removed) await rm(dirname(path), { recursive: true, force: true });
  return removed;
}

export async function snapshotIfDirty(repo: string, tree: string): Promise<string | null> {
  const status = await runGit(["status", "--porcelain", "--untracked-files=all"], { cwd: tree }).catch(() => null);
  if (!status || status.stdout.trim() === "") return null;
  const { stdout: head } = await runGit(["rev-parse", "HEAD"], { cwd: tree });
  const message = `grove snapshot of an interrupted merged-tree test at ${head.trim()}\n\n${tree}\n`;
  return writeArchiveRef(repo, MERGE_TEST_SNAPSHOT_PREFIX, await snapshotCommit(tree, head.trim(), message));
}
