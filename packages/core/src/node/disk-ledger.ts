import { lstat, opendir, realpath } from "node:fs/promises";
import { join } from "node:path";
import { MAX_LEDGER_WORKTREES, type DiskLedger, type WorktreeDiskUsage } from "../schemas/disk-ledger.ts";
import { listWorktrees } from "./list-worktrees.ts";
import { runGit } from "./run-git.ts";
import { listMergeTestTrees } from "./stale-merge-trees.ts";
import { listWarmMergeTrees } from "./warm-merge-trees.ts";

/** Where a walk stops: this many entries over all worktrees, or this long; what it counted until then is "at least". */
export type LedgerLimits = { maxEntries: number; maxMs: number };
/** Well inside the hub's 30 s answer timeout, with the doctor's own checks running beside it. */
export const DEFAULT_LEDGER_LIMITS: LedgerLimits = { maxEntries: 1_000_000, maxMs: 10_000 };

/** Entries examined at once in one folder: enough to keep the disk busy, few enough to leave the event loop free. */
const LSTAT_BATCH = 64;
const LS_FILES_IDLE_MS = 10_000;

type Budget = { entries: number; deadline: number; isCut: boolean; limits: LedgerLimits; now: () => number };
type Counted = { trackedBytes: number; otherBytes: number; entries: number };
/** A file with several hard links: its size, and how many worktrees counted it. */
type Linked = { size: number; copies: number };

/**
 * The size on disk (allocated blocks, as `du` counts) of each worktree of `repo` except its main checkout:
 * tracked files apart from the rest (dependency folders, build output). Nothing is followed through a symbolic
 * link; a file with several hard links counts once per worktree and once in the total.
 */
export async function measureDiskLedger(
  repo: string,
  limits: LedgerLimits = DEFAULT_LEDGER_LIMITS,
  now: () => number = Date.now,
): Promise<DiskLedger> {
  const all = (await listWorktrees(repo)).slice(1).filter((w) => !w.bare && w.prunable === null);
  // The merged-tree tests' trees: temporary ones, and the warm ones the merge queue keeps per integration branch.
  const mergeTreePaths = [
    ...(await listMergeTestTrees(repo).catch(() => [])),
    ...(await listWarmMergeTrees(repo).catch(() => [])),
  ].map((t) => t.path);
  const mergeTrees = new Set(await Promise.all(mergeTreePaths.map(canonical)));
  const budget: Budget = { entries: 0, deadline: now() + limits.maxMs, isCut: false, limits, now };
  const linked = new Map<string, Linked>();
  const worktrees: WorktreeDiskUsage[] = [];
  let sum = 0;
  for (const w of all.slice(0, MAX_LEDGER_WORKTREES)) {
    const tracked = await trackedFiles(w.path);
    const counted = await walkWorktree(w.path, tracked, budget, linked);
    sum += counted.trackedBytes + counted.otherBytes;
    worktrees.push({
      path: w.path,
      branch: w.branch,
      kind: w.agent !== null ? "agent" : mergeTrees.has(await canonical(w.path)) ? "merge-tree" : "other",
      ...counted,
      isPartial: budget.isCut,
    });
  }
  // Every multiply-linked file was counted once per worktree it appears in; the total counts it once.
  const totalBytes = sum - sumOfLinkedCopies(linked);
  return {
    worktrees,
    totalBytes,
    sharedBytes: sum - totalBytes,
    isPartial: budget.isCut,
    omitted: Math.max(0, all.length - MAX_LEDGER_WORKTREES),
  };
}

async function trackedFiles(worktree: string): Promise<Set<string>> {
  const listed = await runGit(["ls-files", "-z"], { cwd: worktree, idleTimeoutMs: LS_FILES_IDLE_MS }).catch(() => null);
  return new Set(listed?.stdout.split("\0").filter(Boolean) ?? []);
}

function sumOfLinkedCopies(linked: Map<string, Linked>): number {
  let extra = 0;
  for (const { size, copies } of linked.values()) extra += size * (copies - 1);
  return extra;
}

async function walkWorktree(root: string, tracked: Set<string>, budget: Budget, linked: Map<string, Linked>): Promise<Counted> {
  const counted: Counted = { trackedBytes: 0, otherBytes: 0, entries: 0 };
  const seenHere = new Set<string>();
  const folders: string[] = [""];
  while (folders.length > 0) {
    const rel = folders.pop() as string;
    const dir = await opendir(join(root, rel)).catch(() => null);
    if (dir === null) continue;
    const names: { name: string; isDir: boolean }[] = [];
    for await (const entry of dir) {
      // The worktree's `.git` is git's, not the worktree's files.
      if (rel === "" && entry.name === ".git") continue;
      names.push({ name: entry.name, isDir: entry.isDirectory() });
    }
    for (let at = 0; at < names.length; at += LSTAT_BATCH) {
      if (isOverBudget(budget)) return counted;
      const batch = names.slice(at, at + LSTAT_BATCH);
      budget.entries += batch.length;
      counted.entries += batch.length;
      const stats = await Promise.all(batch.map((e) => lstat(join(root, rel, e.name), { bigint: false }).catch(() => null)));
      batch.forEach((entry, i) => {
        const stat = stats[i];
        const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (!stat) return;
        if (stat.isDirectory()) return void folders.push(path);
        const size = stat.blocks * 512;
        if (stat.nlink > 1) {
          const inode = `${stat.dev}:${stat.ino}`;
          if (seenHere.has(inode)) return;
          seenHere.add(inode);
          const seen = linked.get(inode);
          if (seen) seen.copies++;
          else linked.set(inode, { size, copies: 1 });
        }
        if (tracked.has(path)) counted.trackedBytes += size;
        else counted.otherBytes += size;
      });
    }
  }
  return counted;
}

function isOverBudget(budget: Budget): boolean {
  if (budget.entries >= budget.limits.maxEntries || budget.now() > budget.deadline) budget.isCut = true;
  return budget.isCut;
}

/** git lists a worktree by the path it was added with; grove may name the same folder through a symlink. */
async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}
