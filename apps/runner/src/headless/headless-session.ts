import { type LogStream, type MergeOutcome, type RunReport, type RunState } from "@grove/core";
import type { SessionBudget, UsageTotals } from "@grove/core";
import { assertIntegrationBranch, openRepo } from "@grove/core/node";
import { ensurePrivateDir } from "@grove/core/private-files";
import { resolve } from "node:path";
import { sessionAuditPath } from "./audit-file.ts";
import { inClaimedSession } from "./claim-session-id.ts";
import { excludeDataDir } from "../repo-setup/exclude-data-dir.ts";
import type { Logger } from "../logger.ts";
import { createLocalHub } from "./local-hub.ts";
import { recoverDeadSessionRuns } from "./recover-dead-sessions.ts";
import { recoverInterruptedMerges, removeLeftoverTrees } from "../merge/recover-interrupted-merges.ts";
import type { AuditSink } from "../merge/land-agent-branch.ts";
import { createMergeQueue } from "../merge/merge-queue.ts";
import type { PendingMerge } from "../merge/pending-merges.ts";
import { logQueueProgress } from "../merge/queue-reports.ts";
import { openAndLand } from "./open-and-land.ts";
import { admissionPeaksFile } from "../admission/memory-peaks.ts";
import { createRunLeases } from "../run/run-leases.ts";
import { checkPlan, taskSpecsOf } from "./plan-preflight.ts";
import type { Plan } from "./plan-file.ts";
import { runTask } from "../run/run-task.ts";
import { createSessionSpend } from "../run/session-spend.ts";
import { logProgress } from "../run/run-progress.ts";

export type HeadlessTask = {
  agent: string;
  /** The agent CLI its profile runs (log/agent-output.ts agentCliName): what the summary's usage is told apart by. */
  cli: string;
  taskId: string;
  runId: string;
  state: RunState;
  report: RunReport | null;
  merge: MergeOutcome | null;
  /** Why the run failed, as its final state said. */
  error: string | null;
  /** The merge request waiting for a person (`grove approve`), when the run succeeded but did not land. */
  waiting: PendingMerge | null;
};
export type HeadlessSummary = {
  sessionId: string;
  tasks: HeadlessTask[];
  /** Every task landed (a merge commit on the integration branch). */
  isSuccess: boolean;
  /** The session's hash-chained audit file, and why an event could not be written to it (else null). */
  audit: { file: string; error: string | null };
  /** The session's budget and what its runs spent against it (earlier runs of the session included); null without one. */
  budget: { limits: SessionBudget; spent: UsageTotals } | null;
};

export type HeadlessOptions = {
  repo: string;
  /** The plan, as `PlanSchema` parsed it (from the plan file, by `grove session run`). */
  plan: Plan;
  dataDir: string;
  approve: "auto" | "manual";
  maxConcurrentRuns?: number;
  onLine?: (task: HeadlessTask, stream: LogStream, text: string) => void;
  onState?: (task: HeadlessTask, detail: string | undefined) => void;
  onMerge?: (task: HeadlessTask) => void;
  log?: Logger;
  /** Aborting stops every run (state interrupted); worktrees and branches are kept. */
  signal?: AbortSignal;
};

/**
 * Runs a whole session without the hub, as the seed's orchestrate-session.sh does: every task's agent
 * in its own worktree, in parallel. Each run that succeeded opens a merge request in the data dir; with
 * approve "auto", a tested one (or one of a repository with `test: none`) enters the speculative merge
 * queue the moment its run ends, while the others still work (merged-tree test, brain deposit, cleanup);
 * the rest wait for `grove approve`. Success means every task landed.
 */
export async function runHeadlessSession(opts: HeadlessOptions): Promise<HeadlessSummary> {
  const { plan } = opts;
  const repo = await openRepo(opts.repo);
  const integration = plan.integration ?? repo.config.integration;
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  const budget = plan.budget ?? repo.config.budget;
  checkPlan(plan, repo, dataDir, budget);
  await assertIntegrationBranch(repo.repo, integration);
  await ensurePrivateDir(dataDir);
  const runIdsOf = (sessionId: string) => taskSpecsOf(plan, repo, sessionId).map((t) => t.runId);
  return inClaimedSession({ dataDir, planned: plan.session, runIdsOf }, async (sessionId) => {
    const specs = taskSpecsOf(plan, repo, sessionId);
    await excludeDataDir(repo, dataDir);
    // What a grove process killed mid-merge left: its merge requests settled from git, its test worktrees removed.
    await recoverInterruptedMerges(dataDir, log);
    await recoverDeadSessionRuns(dataDir, sessionId, log);
    await removeLeftoverTrees(repo.repo, log);
    const tasks: HeadlessTask[] = specs.map((t) => ({
      agent: t.agent,
      cli: t.cli,
      taskId: t.task,
      runId: t.runId,
      state: "queued",
      report: null,
      merge: null,
      waiting: null,
      error: null,
    }));
    const byRun = new Map(tasks.map((t) => [t.runId, t]));

    const auditFile = sessionAuditPath(dataDir, sessionId);
    const local = createLocalHub(auditFile, {
      onLine: (runId, stream, text) => {
        const task = byRun.get(runId);
        if (task) opts.onLine?.(task, stream, text);
      },
      onState: (runId, state, error) => {
        const task = byRun.get(runId);
        if (!task) return;
        task.state = state;
        if (error) task.error = error;
        opts.onState?.(task, error);
      },
      onAuditError: (message) => log(`audit: ${message}`),
    });
    const deps = {
      hub: local.outbox,
      shipper: local.shipper,
      leases: createRunLeases({ maxRuns: opts.maxConcurrentRuns ?? 8, peaksFile: admissionPeaksFile(dataDir) }),
      dataDir,
      log,
      progress: logProgress(log),
      spend: createSessionSpend(dataDir),
    };

    const abort = new AbortController();
    const landing = {
      queue: createMergeQueue({ log, onChange: logQueueProgress(log) }),
      leases: deps.leases,
      log,
      dataDir,
      audit: (record: Parameters<AuditSink>[0]) =>
        void local.outbox.send("audit:record", { ...record, details: record.details ?? {} }),
    };
    const open = { sessionId, repo: repo.repo, integration };
    const onAbort = () => {
      abort.abort("interrupted");
      // Asked to stop: what has not started landing leaves the queue and waits for `grove approve` again.
      for (const task of tasks) landing.queue.withdraw(task.runId);
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      // Each run that passes enters the merge queue the moment it ends, while the others still run.
      await Promise.all(
        specs.map(async (t, i) => {
          const task = tasks[i];
          if (!task) return;
          const spec = { runId: task.runId, agent: t.agent, taskId: t.task, profile: t.profile, prompt: t.prompt };
          task.state = await runTask(deps, { sessionId, integration, repo, task: spec, budget }, abort.signal);
          task.report = local.reports.get(task.runId) ?? null;
          await openAndLand(task, open, { ...landing, approve: opts.approve, aborted: () => abort.signal.aborted });
          if (task.merge) opts.onMerge?.(task);
        }),
      );
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
      // A withdrawn entry's test is still being stopped: its warm tree is released before the session says it ended.
      await landing.queue.idle();
      await local.outbox.drain(5_000);
    }

    const isSuccess = tasks.every((t) => t.merge?.kind === "merged");
    return {
      sessionId,
      tasks,
      isSuccess,
      audit: { file: auditFile, error: local.auditError() },
      budget: budget ? { limits: budget, spent: deps.spend.totals(sessionId) } : null,
    };
  });
}
