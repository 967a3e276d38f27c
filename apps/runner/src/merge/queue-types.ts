import type { MergeOutcome, MergeStage, MergedTreeTest } from "@grove/core";
import type { BuiltCandidate, QueueCandidate } from "@grove/core/node";

/** What the queue needs of one approved merge; land-agent-branch.ts binds it to git, the test gate and the audit. */
export type QueueJob = {
  /** The merge request (hub) or run (headless) it lands. */
  mergeRequestId?: string;
  runId?: string;
  repoPath: string;
  integration: string;
  branch: string;
  headSha: string;
  /** grove.yaml `queue.parallel` of the repository as read for this request. */
  parallel: number;
  integrationHead(): Promise<string | null>;
  build(base: string | null): Promise<BuiltCandidate>;
  /** The merged-tree test of a candidate (status "none"/"untested", not run, when the repository has no test command). */
  test(
    candidate: QueueCandidate,
    signal: AbortSignal,
    onLine: () => void,
    /** Why its test has not started (the machine has no room yet); null once admitted. */
    onWait?: (reason: string | null) => void,
  ): Promise<MergedTreeTest>;
  /** "fenced": the queue's lease fence in git is no longer this runner's; nothing was changed. */
  land(candidate: QueueCandidate, test: MergedTreeTest): Promise<MergeOutcome | "base-moved" | "fenced">;
  /** The outcome's audit events; for a landed merge the brain deposit report and the cleanup. */
  finish(outcome: MergeOutcome, candidate: QueueCandidate | null): Promise<MergeOutcome>;
  onStage(stage: MergeStage, detail?: string): void;
};

/** `waiting`: why its test, slot taken, has not started yet (admission); `startedAt` is then when it took the slot. */
export type QueueEntryRun = { abort: AbortController; startedAt: number; lines: number; slot: number; waiting: string | null };

export type QueueItem = {
  key: string;
  job: QueueJob;
  prioritized: boolean;
  landing: boolean;
  /** The candidate (or the judged outcome) built on `base`; null until built, and again once its base is stale. */
  built: { base: string | null; result: BuiltCandidate } | null;
  /** The test verdict on `built`: passed, or the tests_failed outcome. */
  passed: MergedTreeTest | null;
  failed: MergeOutcome | null;
  run: QueueEntryRun | null;
  /** Bumped whenever its candidate is dropped, so a late test result of an older candidate is ignored. */
  generation: number;
  settle(outcome: MergeOutcome): void;
  withdraw(error: Error): void;
};

export type KeyedQueue = {
  key: string;
  repoPath: string;
  integration: string;
  items: QueueItem[];
  /** The integration head the last step saw. */
  head: string | null;
  parallel: number;
  /** Slots whose test process has not yet ended (an aborted test keeps its slot until its group is gone). */
  slotsInUse: Set<number>;
  /** Every merged-tree test still running, aborted ones included until their processes are gone and their tree released. */
  tests: Set<Promise<unknown>>;
  /** Recent merged-tree test durations (ms), for the ETA. */
  durations: number[];
  stepping: Promise<void> | null;
  dirty: boolean;
};

/** The judged outcome a candidate build came back with, or the failed test; null while it may still land. */
export function failureOf(item: QueueItem): MergeOutcome | null {
  if (item.built?.result.kind === "judged") return item.built.result.outcome;
  return item.failed;
}
