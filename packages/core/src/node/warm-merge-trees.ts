import { readdir, rm } from "node:fs/promises";
import { openRepo } from "./open-repo.ts";
import { claimWarmSlot, listWarmSlots, warmPoolRoot } from "./warm-tree-pool.ts";
import { diskBytes } from "./disk-bytes.ts";
import { discardTree, recordedWarmTreeBytes } from "./warm-tree-reset.ts";

export type WarmMergeTree = {
  /** The worktree folder (it may be gone, e.g. deleted by hand; the next test makes it again). */
  path: string;
  integration: string;
  /** A grove process is testing a merge in it right now: never removed then. */
  isInUse: boolean;
  ownerPid: number | null;
  /**
   * Bytes on disk of the tree with the dependencies its setup installed: measured now with `size: "measure"`
   * (a walk of every file: seconds on a large tree), else as measured when its setup last ran; null if unknown.
   */
  sizeBytes: number | null;
};

/**
 * The repository's warm merge trees (testMergedTree with `warm`), with their size on disk, for `grove doctor`,
 * `grove cleanup` and the disk ledger.
 */
export async function listWarmMergeTrees(repo: string, opts: { size?: "measure" | "recorded" } = {}): Promise<WarmMergeTree[]> {
  const ctx = await openRepo(repo);
  const trees: WarmMergeTree[] = [];
  for (const slot of await listWarmSlots(warmPoolRoot(ctx))) {
    const sizeBytes = opts.size === "measure" ? await diskBytes(slot.path) : await recordedWarmTreeBytes(slot.dir);
    trees.push({ path: slot.path, integration: slot.integration, isInUse: slot.isInUse, ownerPid: slot.ownerPid, sizeBytes });
  }
  return trees;
}

/**
 * Removes the warm merge trees no grove process is using (of one integration branch, or all): each is
 * claimed first, as a test would, so none is removed from under a running test. Returns the removed paths.
 * Nothing in them is anyone's work: the next merged-tree test makes a new one.
 */
export async function removeWarmMergeTrees(repo: string, opts: { integration?: string } = {}): Promise<string[]> {
  const ctx = await openRepo(repo);
  const root = warmPoolRoot(ctx);
  const removed: string[] = [];
  for (const slot of await listWarmSlots(root)) {
    if (slot.isInUse || (opts.integration !== undefined && slot.integration !== opts.integration)) continue;
    const claimed = await claimWarmSlot(ctx, slot.dir);
    if (claimed === null) continue;
    await discardTree(ctx, claimed);
    await rm(slot.dir, { recursive: true, force: true });
    removed.push(slot.path);
  }
  if ((await readdir(root).catch(() => [])).length === 0) await rm(root, { recursive: true, force: true });
  return removed;
}
