import { z } from "zod";

export const MAX_LEDGER_WORKTREES = 500;

const bytes = z.number().int().nonnegative();

/**
 * What one worktree holds on disk: its tracked files, and everything else in it (dependency folders, build
 * output, other ignored or untracked files). Hard links are counted once within a worktree. `isPartial`: the
 * walk was cut (too many entries, too long), so the figures are "at least".
 */
export const WorktreeDiskUsageSchema = z.object({
  path: z.string().max(4096),
  branch: z.string().max(300).nullable(),
  /** agent: an agent's worktree; merge-tree: a merged-tree test's (temporary or kept warm); other: any other. */
  kind: z.enum(["agent", "merge-tree", "other"]),
  trackedBytes: bytes,
  otherBytes: bytes,
  entries: bytes,
  isPartial: z.boolean(),
});
export type WorktreeDiskUsage = z.infer<typeof WorktreeDiskUsageSchema>;

/** The disk ledger of a repository's worktrees (the main checkout excepted), with a total that counts a file shared by hard links once. */
export const DiskLedgerSchema = z.object({
  worktrees: z.array(WorktreeDiskUsageSchema).max(MAX_LEDGER_WORKTREES),
  totalBytes: bytes,
  /** What the per-worktree figures count more than once: files hard-linked between worktrees (a shared store). */
  sharedBytes: bytes,
  isPartial: z.boolean(),
  /** Worktrees past MAX_LEDGER_WORKTREES, not listed nor counted. */
  omitted: bytes,
});
export type DiskLedger = z.infer<typeof DiskLedgerSchema>;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit] ?? "TB"}`;
}
