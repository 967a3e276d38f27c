import { z } from "zod";
import { IdSchema, ShaSchema } from "./ids.ts";
import { MergeStageSchema } from "./merge.ts";

/**
 * The speculative merge queue as the runner that owns it reports it (runner -> hub `queue:snapshot`), and an
 * approver's "put first" (hub -> runner `merge:prioritize`). One queue per (repository, integration branch).
 * Entry i is tested as integration head + every entry before it + itself; up to `parallel` entries are tested
 * at once (the slots). The integration branch only moves to a candidate whose own tree passed.
 */

export const MAX_QUEUE_ENTRIES = 200;

export const QueueEntryStateSchema = z.enum([
  /** Waiting for a slot. */
  "waiting",
  /** Its candidate is being built or tested in a slot. */
  "testing",
  /** Its candidate passed; it lands as soon as everything ahead of it landed. */
  "passed",
  /** Landing now (compare-and-swap, brain deposit, cleanup). */
  "landing",
]);
export type QueueEntryState = z.infer<typeof QueueEntryStateSchema>;

export const QueueEntrySchema = z.object({
  /** The hub's merge request; absent in a headless session (its pending merge is keyed by run id). */
  mergeRequestId: IdSchema.optional(),
  runId: IdSchema.optional(),
  branch: z.string().min(1).max(300),
  headSha: ShaSchema,
  /** 0 = next to land. */
  position: z.number().int().nonnegative(),
  state: QueueEntryStateSchema,
  stage: MergeStageSchema.optional(),
  /** An approver put it first. */
  prioritized: z.boolean(),
  /** The slot testing it (0-based), while testing. */
  slot: z.number().int().nonnegative().nullable(),
  /** The speculative merge commit under test: integration head + everything ahead + this branch. */
  candidateSha: ShaSchema.nullable(),
  /** The commit the candidate was built on (the integration head, or the candidate of the entry ahead). */
  baseSha: ShaSchema.nullable(),
  /** When this candidate's test started, and how many output lines it has printed so far. */
  testStartedAt: z.number().int().nullable(),
  testLines: z.number().int().nonnegative(),
  /** Estimated epoch ms at which it lands, from recent test durations; null when nothing is known yet. */
  etaAt: z.number().int().nullable(),
  /** Why it waits, when it does (no free slot, waiting for memory, ...). */
  detail: z.string().max(500).optional(),
});
export type QueueEntry = z.infer<typeof QueueEntrySchema>;

export const QueueSnapshotSchema = z.object({
  repoPath: z.string().min(1).max(4_096),
  integration: z.string().min(1).max(300),
  integrationSha: ShaSchema.nullable(),
  /** How many candidates are tested at once (grove.yaml `queue.parallel`). */
  parallel: z.number().int().positive(),
  at: z.number().int(),
  entries: z.array(QueueEntrySchema).max(MAX_QUEUE_ENTRIES),
});
export type QueueSnapshot = z.infer<typeof QueueSnapshotSchema>;

/** hub -> runner: an approver put this request first in its queue. */
export const MergePrioritizeSchema = z.object({ mergeRequestId: IdSchema });
export type MergePrioritize = z.infer<typeof MergePrioritizeSchema>;
