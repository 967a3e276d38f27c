import { z } from "zod";
import { AgentUsageSchema } from "../agent-events/agent-usage.ts";
import { SessionBudgetSchema } from "../agent-events/session-budget.ts";
import type { Ack, HelloAck, LogAck } from "./acks.ts";
import { IdSchema, ShaSchema } from "./ids.ts";
import type { RunLogBatchSchema, RunLogWatermarkSchema } from "./log-batch.ts";
import type { LogLine } from "./log-row.ts";
import type { RunnerQueryEvents } from "./runner-queries.ts";
import { BrainDepositSchema, MergeApprovalSchema, MergedTreeTestSchema, TestStatusSchema } from "./merge.ts";
import type { BranchDiffSchema, MergeProgressSchema, MergeWithdraw, RadarSnapshotSchema } from "./merge.ts";
import { RUN_STATES } from "../lifecycle/lifecycle-states.ts";
import type { MergePrioritize, QueueSnapshotSchema } from "./merge-queue.ts";
import type { QueueLeaseAck, QueueLeaseRequest } from "./queue-lease.ts";
import type { RunnerHelloSchema } from "./runner-hello.ts";
import type { RunnerProcess } from "./runner-process.ts";
import type { RunProgressSchema } from "./run-progress.ts";
import { TaskSpecSchema } from "./task-spec.ts";

export { RoundSpecSchema, TaskSpecSchema, type RoundSpec, type TaskSpec } from "./task-spec.ts";

/**
 * The socket.io protocol between runner, hub and browsers. Every inbound payload is parsed with
 * these schemas; socket.io's type parameters are derived from the maps at the bottom.
 */

export const RUNNER_NAMESPACE = "/runner";
/**
 * The largest engine.io message (a polling POST body, a websocket frame) the hub reads: anything larger is
 * refused and its connection closed, so a peer can make the hub hold at most this much per message. A runner
 * never sends more (see `socketMessageBytes`), or it would be disconnected by the same message again and again.
 */
export const MAX_SOCKET_MESSAGE_BYTES = 2 * 1024 * 1024;
/**
 * A runner sends its token in this header of the engine.io handshake as well as in socket.io's `auth`: the hub
 * refuses a handshake with neither a valid token nor a signed-in browser's cookie before it reads any message.
 */
export const RUNNER_TOKEN_HEADER = "x-grove-runner-token";
export const RunStateSchema = z.enum(RUN_STATES);

const sha = ShaSchema;
const id = IdSchema;

// runner -> hub
export const RunStateEventSchema = z.object({
  runId: id,
  state: RunStateSchema,
  at: z.number().int(),
  worktreePath: z.string().optional(),
  baseSha: sha.optional(),
  error: z.string().max(10_000).optional(),
  /** Why the step it is in has not started yet (waiting for memory, CPU or its turn); absent: it is not waiting. */
  waiting: z.string().max(500).optional(),
});
/** How many uncommitted paths a run report lists (the count is always exact). */
export const MAX_UNCOMMITTED_LISTED = 200;
export const TestReportSchema = z.object({
  status: TestStatusSchema,
  exitCode: z.number().int().nullable(),
  durationMs: z.number().int().nonnegative(),
});
export const RunReportSchema = z.object({
  runId: id,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  headSha: sha.nullable(),
  baseSha: sha.nullable(),
  diffStat: z.string().max(100_000),
  test: TestReportSchema,
  result: z.unknown().nullable(),
  resultError: z.string().max(10_000).nullable(),
  /** Commits on the branch since its base (counted up to 10,000); 0 means there is nothing to merge. */
  commits: z.number().int().nonnegative().nullable().default(null),
  /** Files changed in the worktree but not committed: not part of the branch, so never merged. */
  uncommitted: z.array(z.string().max(4_096)).max(MAX_UNCOMMITTED_LISTED).default([]),
  uncommittedCount: z.number().int().nonnegative().default(0),
  /** Tool calls the agent's CLI refused it (Claude Code's permission denials, calls Codex refused), counted by the runner. */
  refusedActions: z.number().int().nonnegative().default(0),
  /** What the agent used, as its CLI reported it; null when it reported nothing (older runners omit it). */
  usage: AgentUsageSchema.nullable().default(null),
});
export type RunReport = z.infer<typeof RunReportSchema>;
export const AuditRecordSchema = z.object({
  /** Set by the runner once per record: a resend (to this or another instance) is stored once. */
  receiptKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,100}$/)
    .optional(),
  action: z.string().min(1).max(100),
  subject: z.string().max(500),
  sessionId: z.string().max(200).optional(),
  runId: z.string().max(200).optional(),
  branch: z.string().max(300).optional(),
  sha: z.string().max(64).optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
export const MergeOutcomeSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("merged"),
    sha,
    worktreeRemoved: z.boolean(),
    branchDeleted: z.boolean(),
    // Filled by the merge queue: the agent commits the merge brought in, the merged-tree test, the brain deposit.
    commits: z.array(sha).max(1000).optional(),
    mergedTreeTest: MergedTreeTestSchema.optional(),
    deposit: BrainDepositSchema.nullable().optional(),
    depositError: z.string().max(10_000).optional(),
    snapshotRef: z.string().max(500).nullable().optional(),
    /** A resent request whose head had already landed: nothing new was merged. */
    alreadyMerged: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("conflict"), files: z.array(z.string()) }),
  z.object({ kind: z.literal("refused"), reason: z.string() }),
  // The merged tree was built on the current integration head, but the test command failed on it.
  z.object({ kind: z.literal("tests_failed"), candidateSha: sha, integrationSha: sha, test: MergedTreeTestSchema }),
  // The branch is no longer at the approved SHA: the approval is void.
  z.object({ kind: z.literal("moved"), approvedSha: sha, headSha: sha.nullable() }),
]);
export type MergeOutcome = z.infer<typeof MergeOutcomeSchema>;
export const MergeResultSchema = z.object({ mergeRequestId: id, outcome: MergeOutcomeSchema });

// hub -> runner
export const SessionStartSchema = z.object({
  sessionId: id,
  repoPath: z.string().min(1),
  integration: z.string().min(1),
  tasks: z.array(TaskSpecSchema).min(1).max(50),
  /** The session's own budget; without one, grove.yaml's `budget` applies. */
  budget: SessionBudgetSchema.optional(),
});
export type SessionStart = z.infer<typeof SessionStartSchema>;
export const MergeExecuteSchema = z.object({
  mergeRequestId: id,
  runId: id,
  repoPath: z.string().min(1),
  branch: z.string().min(1),
  integration: z.string().min(1),
  headSha: sha,
  message: z.string().min(1).max(1000),
  worktreePath: z.string().nullable(),
  // For the audit trail and the brain deposit; older hubs omit them.
  sessionId: id.optional(),
  approval: MergeApprovalSchema.optional(),
  result: z.unknown().optional(),
});
export type MergeExecute = z.infer<typeof MergeExecuteSchema>;
export const RunCancelSchema = z.object({ runId: id });

// browser <-> hub
export const RunSubscribeSchema = z.object({ runId: id, since: z.number().int().nonnegative().default(0) });
export const ChangedSchema = z.object({
  scope: z.enum(["sessions", "runs", "merges", "runners", "audit", "queue"]),
  id: z.string().optional(),
});
export type Changed = z.infer<typeof ChangedSchema>;

export type RunnerToHubEvents = {
  "runner:hello": (payload: z.input<typeof RunnerHelloSchema>, ack: (res: HelloAck) => void) => void;
  "run:state": (payload: z.input<typeof RunStateEventSchema>, ack: (res: Ack) => void) => void;
  "run:log": (payload: z.input<typeof RunLogBatchSchema>, ack: (res: LogAck) => void) => void;
  "run:log-watermark": (payload: z.input<typeof RunLogWatermarkSchema>, ack: (res: LogAck) => void) => void;
  "run:report": (payload: z.input<typeof RunReportSchema>, ack: (res: Ack) => void) => void;
  "audit:record": (payload: z.input<typeof AuditRecordSchema>, ack: (res: Ack) => void) => void;
  "merge:result": (payload: z.input<typeof MergeResultSchema>, ack: (res: Ack) => void) => void;
  "merge:progress": (payload: z.input<typeof MergeProgressSchema>, ack: (res: Ack) => void) => void;
  "run:progress": (payload: z.input<typeof RunProgressSchema>, ack: (res: Ack) => void) => void;
  "radar:snapshot": (payload: z.input<typeof RadarSnapshotSchema>, ack: (res: Ack) => void) => void;
  "branch:diff": (payload: z.input<typeof BranchDiffSchema>, ack: (res: Ack) => void) => void;
  /** The runner's merge queues, sent whenever one changes (best effort, like `radar:snapshot`). */
  "queue:snapshot": (payload: z.input<typeof QueueSnapshotSchema>, ack: (res: Ack) => void) => void;
  /** Acquire, renew or release the lease that makes this runner the one owner of a merge queue. */
  "queue:lease": (payload: QueueLeaseRequest, ack: (res: QueueLeaseAck) => void) => void;
};

export type HubToRunnerEvents = {
  "session:start": (payload: SessionStart, ack: (res: Ack) => void) => void;
  "merge:execute": (payload: MergeExecute, ack: (res: Ack) => void) => void;
  "run:cancel": (payload: z.infer<typeof RunCancelSchema>, ack: (res: Ack) => void) => void;
  "merge:withdraw": (payload: MergeWithdraw, ack: (res: Ack) => void) => void;
  /** An approver put a request first in its merge queue (ok false when the runner has no such entry waiting). */
  "merge:prioritize": (payload: MergePrioritize, ack: (res: Ack) => void) => void;
  /** Is this connection's process alive, and which is it: asked before a second process with its token is let in. */
  "runner:ping": (ack: (res: RunnerProcess) => void) => void;
} & RunnerQueryEvents;

export type HubToBrowserEvents = {
  "run:log": (payload: { runId: string; lines: LogLine[] }) => void;
  "run:progress": (payload: z.infer<typeof RunProgressSchema>) => void;
  "grove:changed": (payload: Changed) => void;
};

export type BrowserToHubEvents = {
  "run:subscribe": (payload: z.input<typeof RunSubscribeSchema>, ack: (res: Ack) => void) => void;
  "run:unsubscribe": (payload: { runId: string }) => void;
};
