import { z } from "zod";

/**
 * An ended run's worktree and branch that never landed (failed, cancelled, rejected, blocked, abandoned):
 * what `grove doctor`, Health and `grove cleanup` list, and what cleanup snapshots under refs/grove/ first.
 */
export const LeftoverWorkSchema = z.object({
  branch: z.string().max(300),
  agent: z.string().max(64),
  taskId: z.string().max(64),
  /** Its worktree, when it still has one. */
  path: z.string().max(4096).nullable(),
  lastCommit: z.object({
    sha: z.string().max(64),
    subject: z.string().max(2000),
    /** Committer date, epoch ms. */
    at: z.number().int(),
  }),
  /** Latest activity: the worktree's git state or top folder, else the last commit; epoch ms. */
  lastActivityAt: z.number().int(),
  /** Files with uncommitted changes (untracked included) in its worktree; 0 without a worktree. */
  uncommittedFiles: z.number().int().nonnegative(),
  /** Commits not in the integration branch. */
  unmergedCommits: z.number().int().nonnegative(),
});
export type LeftoverWork = z.infer<typeof LeftoverWorkSchema>;

export const MAX_LEFTOVERS = 500;

/** A branch cleanup must not touch, and why (a live run's; a merge request's that is waiting or merging). */
export const KeptBranchSchema = z.object({ branch: z.string().min(1).max(300), reason: z.string().max(500) });
export type KeptBranch = z.infer<typeof KeptBranchSchema>;
export const MAX_KEPT_BRANCHES = 5000;

export const CleanedLeftoverSchema = z.object({
  branch: z.string(),
  path: z.string().nullable(),
  /** The archive ref under refs/grove/archive/ holding its commits and, as a snapshot commit, its uncommitted work. */
  snapshotRef: z.string(),
  snapshotSha: z.string(),
});
export type CleanedLeftover = z.infer<typeof CleanedLeftoverSchema>;

export const CleanupAnswerSchema = z.object({
  cleaned: z.array(CleanedLeftoverSchema).max(MAX_LEFTOVERS),
  /** Names asked for that are not leftovers (live, waiting for a merge, landed, unknown), with why. */
  refused: z.array(z.object({ branch: z.string(), reason: z.string() })).max(MAX_LEFTOVERS),
});
export type CleanupAnswer = z.infer<typeof CleanupAnswerSchema>;

const DURATION = /^(\d{1,6})([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** "7d", "12h", "30m", "2w" in ms; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
