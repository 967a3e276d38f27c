import { z } from "zod";
import { IdSchema, ShaSchema } from "./ids.ts";

/** Merge-gate events between runner and hub: the overlap radar, branch diffs and merge-queue progress. */

export const MAX_RADAR_FILES = 2_000;
export const MAX_DIFF_CHARS = 500_000;

const sha = ShaSchema;
const id = IdSchema;
const path = z.string().max(1_000);
const files = z.array(path).max(MAX_RADAR_FILES);

export const OverlapSchema = z.object({ file: path, branches: z.array(z.string().max(300)).max(100) });
export type OverlapEntry = z.infer<typeof OverlapSchema>;

/** What the runner sees of one live agent branch, recomputed while its agent works. */
export const BranchRadarSchema = z.object({
  branch: z.string().min(1).max(300),
  headSha: sha,
  /** Where it forked from the integration branch. */
  baseSha: sha.nullable(),
  /** An agent is working in its worktree right now (the worktree is locked). */
  live: z.boolean(),
  /** Committed changes since the fork point. */
  files,
  /** Uncommitted changes in its worktree (the agent's work in progress). */
  workingFiles: files,
  truncated: z.boolean(),
  /** Files `git merge-tree` predicts to conflict with the current integration head; null when not known. */
  conflicts: files.nullable(),
  /** Changes inside the brain folder, committed or not: the brain policy blocks these. */
  brainFiles: files,
  overlaps: z.array(OverlapSchema).max(MAX_RADAR_FILES),
});
export type BranchRadar = z.infer<typeof BranchRadarSchema>;

export const RadarSnapshotSchema = z.object({
  repoPath: z.string().min(1),
  integration: z.string().min(1).max(300),
  integrationSha: sha.nullable(),
  brain: z.string().max(300),
  at: z.number().int(),
  branches: z.array(BranchRadarSchema).max(500),
});
export type RadarSnapshot = z.infer<typeof RadarSnapshotSchema>;

export const BranchDiffSchema = z.object({
  repoPath: z.string().min(1),
  branch: z.string().min(1).max(300),
  headSha: sha,
  baseSha: sha.nullable(),
  diff: z.string().max(MAX_DIFF_CHARS),
  truncated: z.boolean(),
});
export type BranchDiff = z.infer<typeof BranchDiffSchema>;

export const MergeStageSchema = z.enum(["queued", "building", "testing", "advancing", "depositing", "cleaning"]);
export type MergeStage = z.infer<typeof MergeStageSchema>;

export const MergeProgressSchema = z.object({
  mergeRequestId: id,
  stage: MergeStageSchema,
  at: z.number().int(),
  detail: z.string().max(2_000).optional(),
});
export type MergeProgress = z.infer<typeof MergeProgressSchema>;

/**
 * What a test gate found: `passed`/`failed` (the test command ran), `skipped` (not run: the agent did not
 * succeed or committed nothing, or the run was stopped before they started), `stopped` (started, then killed
 * because the run was stopped: neither passed nor failed), `untested` (the repository has no `test` command:
 * never auto-approved), `none` (the repository declares it has no tests, grove.yaml `test: none`).
 */
export const TestStatusSchema = z.enum(["passed", "failed", "skipped", "stopped", "untested", "none"]);
export type TestStatus = z.infer<typeof TestStatusSchema>;

/** The test command run on the merged tree, before the integration branch moves. */
export const MergedTreeTestSchema = z.object({
  status: TestStatusSchema,
  command: z.string().max(2_000).nullable(),
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().nonnegative(),
  outputTail: z.string().max(20_000),
  /**
   * The step `status` is about: grove preparing the tree (checkout, submodules, checks: the candidate is not to
   * blame), the repository's `setup` command, or its test command. Absent in reports stored before it existed.
   */
  step: z.enum(["prepare", "setup", "test"]).optional(),
});
export type MergedTreeTest = z.infer<typeof MergedTreeTestSchema>;

export const BrainDepositSchema = z.object({ sha, files: z.array(path).max(100) });
export type BrainDepositReport = z.infer<typeof BrainDepositSchema>;

/** Who approved a merge: a user on the dashboard, or `grove session run --approve auto` on green tests. */
export const MergeApprovalSchema = z.object({
  kind: z.enum(["user", "auto"]),
  by: z.string().min(1).max(200),
  comment: z.string().max(5_000).optional(),
});
export type MergeApproval = z.infer<typeof MergeApprovalSchema>;

/** hub -> runner: undo an approval; ok only when the runner had not started the merge (it never will now). */
export const MergeWithdrawSchema = z.object({ mergeRequestId: IdSchema });
export type MergeWithdraw = z.infer<typeof MergeWithdrawSchema>;
