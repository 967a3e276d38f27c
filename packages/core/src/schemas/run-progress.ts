import { z } from "zod";

/** The runner sends at most one progress event per this many percent of a phase (and one at its end). */
export const RUN_PROGRESS_STEP_PERCENT = 5;

/**
 * `run:progress`, runner → hub: how far a long step of a run has got, for the run page's progress bar. Best
 * effort and not persisted (the run's state says which step it is in); today the only step is checking out
 * the worktree's files, with git's own phase names ("updating files"). Every field is bounded.
 */
export const RunProgressSchema = z.object({
  runId: z.string().min(1).max(200),
  step: z.enum(["worktree"]),
  phase: z.string().min(1).max(60),
  percent: z.number().int().min(0).max(100),
  processed: z.number().int().min(0).max(1_000_000_000),
  total: z.number().int().min(0).max(1_000_000_000),
  at: z.number().int(),
});
export type RunProgress = z.infer<typeof RunProgressSchema>;
