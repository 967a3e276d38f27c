import { formatSessionId, type LogStream, type MergeOutcome, type RunReport, type RunState } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { join, resolve } from "node:path";
import { z } from "zod";
import { excludeDataDir } from "./exclude-data-dir.ts";
import type { Logger } from "./hub-socket.ts";
import { createLocalHub } from "./local-hub.ts";
import { createMergeQueue, landAgentBranch } from "./merge-queue.ts";
import { createRunLeases } from "./run-leases.ts";
import { assertSafeRunId } from "./run-paths.ts";
import { runTask } from "./run-task.ts";

/** A plan file (`grove session run --plan plan.yaml`), once its YAML is read. */
export const PlanSchema = z.strictObject({
  session: z.string().min(1).max(100).optional(),
  integration: z.string().min(1).max(200).optional(),
  tasks: z
    .array(
      z.strictObject({
        agent: z.string().min(1).max(64),
        task: z.string().min(1).max(64),
        profile: z.string().min(1).max(64).default("demo"),
        prompt: z.string().max(100_000).default(""),
      }),
    )
    .min(1)
    .max(50),
});
export type Plan = z.infer<typeof PlanSchema>;

export type HeadlessTask = {
  agent: string;
  taskId: string;
  runId: string;
  state: RunState;
  report: RunReport | null;
  merge: MergeOutcome | null;
};
export type HeadlessSummary = { sessionId: string; tasks: HeadlessTask[]; isSuccess: boolean };

export type HeadlessOptions = {
  repo: string;
  plan: unknown;
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
 * in its own worktree, in parallel; then, with approve "auto", each green run through the merge queue
 * (merged-tree test, brain deposit, cleanup). Success means every task merged ("auto") or succeeded.
 */
export async function runHeadlessSession(opts: HeadlessOptions): Promise<HeadlessSummary> {
  const plan = PlanSchema.parse(opts.plan);
  const repo = await openRepo(opts.repo);
  const sessionId = plan.session ?? formatSessionId(new Date());
  const integration = plan.integration ?? repo.config.integration;
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? (() => undefined);
  await excludeDataDir(repo, dataDir);
  const tasks: HeadlessTask[] = plan.tasks.map((t) => ({
    agent: t.agent,
    taskId: t.task,
    runId: assertSafeRunId(`${sessionId}-${t.agent}-${t.task}`),
    state: "queued",
    report: null,
    merge: null,
  }));
  const byRun = new Map(tasks.map((t) => [t.runId, t]));

  const local = createLocalHub(join(dataDir, "audit", `${sessionId}.jsonl`), {
    onLine: (runId, stream, text) => {
      const task = byRun.get(runId);
      if (task) opts.onLine?.(task, stream, text);
    },
    onState: (runId, state, error) => {
      const task = byRun.get(runId);
      if (!task) return;
      task.state = state;
      opts.onState?.(task, error);
    },
  });
  const deps = { hub: local.outbox, shipper: local.shipper, leases: createRunLeases({ maxRuns: opts.maxConcurrentRuns ?? 8 }), dataDir, log };

  const abort = new AbortController();
  const onAbort = () => abort.abort("interrupted");
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(
      plan.tasks.map(async (t, i) => {
        const task = tasks[i];
        if (!task) return;
        const spec = { runId: task.runId, agent: t.agent, taskId: t.task, profile: t.profile, prompt: t.prompt };
        task.state = await runTask(deps, { sessionId, integration, repo, task: spec }, abort.signal);
        task.report = local.reports.get(task.runId) ?? null;
      }),
    );

    if (opts.approve === "auto" && !abort.signal.aborted) {
      const queue = createMergeQueue();
      for (const task of tasks) {
        const headSha = task.report?.headSha;
        if (task.state !== "succeeded" || !headSha) continue;
        task.merge = await landAgentBranch(
          { queue, leases: deps.leases, log, audit: (record) => void local.outbox.send("audit:record", { ...record, details: record.details ?? {} }) },
          {
            repo: await openRepo(repo.repo),
            integration,
            branch: `agent/${task.agent}/${task.taskId}`,
            headSha,
            runId: task.runId,
            sessionId,
            approval: { kind: "auto", by: "grove session run" },
            result: task.report?.result ?? undefined,
          },
        );
        opts.onMerge?.(task);
      }
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await local.outbox.drain(5_000);
  }

  const isSuccess = tasks.every((t) => (opts.approve === "auto" ? t.merge?.kind === "merged" : t.state === "succeeded"));
  return { sessionId, tasks, isSuccess };
}
