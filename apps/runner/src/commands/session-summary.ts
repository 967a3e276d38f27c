import {
  addUsage,
  agentBranch,
  budgetExceeded,
  EMPTY_TOTALS,
  formatSpendOfBudget,
  formatTokens,
  formatUsd,
  type MergeOutcome,
  type UsageTotals,
} from "@grove/core";
import type { HeadlessSummary, HeadlessTask } from "../headless/headless-session.ts";

export type TaskVerdict = {
  kind: "landed" | "waiting" | "failed" | "stopped" | "needs_input" | "unchanged";
  detail: string;
};

/**
 * Exit codes of `grove session run`, the first that applies: something failed or was stopped (1); an agent asked for input
 * and was stopped, so a person must give its CLI the answer up front (4); something awaits approval (3);
 * an agent changed nothing, so its task did not land though nothing failed (5); everything landed (0).
 * 2 stays the CLI's own error (report-crash.ts).
 */
export const SESSION_EXIT = { landed: 0, failed: 1, waiting: 3, needsInput: 4, unchanged: 5 } as const;

/**
 * What became of one task, stated from what git and the run report say, never from what was hoped. `where`:
 * the options a copied `grove approve` needs to find the request (` --data-dir DIR` when it is not the default).
 */
export function taskVerdict(task: HeadlessTask, where = ""): TaskVerdict {
  if (task.merge)
    return task.merge.kind === "merged"
      ? { kind: "landed", detail: describeMerge(task.merge) }
      : { kind: "failed", detail: describeMerge(task.merge) };
  if (task.state === "needs_input")
    return { kind: "needs_input", detail: task.error ? firstLine(task.error) : "the agent asked for input and was stopped" };
  if (task.state === "no_changes")
    return { kind: "unchanged", detail: "no changes: the agent changed nothing, nothing to merge" };
  // Stopped (Ctrl-C, the dashboard's Cancel, the session's budget) before it finished: not a failure of its work,
  // which is kept (its branch and worktree), untested. What of it is on the branch is said as the report has it.
  if (task.state === "cancelled" || task.state === "interrupted")
    return { kind: "stopped", detail: task.error ? firstLine(task.error) : stoppedDetail(task) };
  if (task.state !== "succeeded")
    // The line already says `run <state>`: the detail is why.
    return { kind: "failed", detail: task.error ? firstLine(task.error) : `the run ended ${task.state}` };
  if (task.waiting) {
    const untested = task.waiting.tests === "untested" ? ", untested (no test command)" : "";
    return { kind: "waiting", detail: `awaiting approval${untested}: grove approve ${task.runId}${where}` };
  }
  return { kind: "failed", detail: "no merge request (the run reported no head)" };
}

export function sessionVerdict(summary: HeadlessSummary): {
  counts: Record<TaskVerdict["kind"], number>;
  exitCode: number;
  headline: string;
} {
  const counts: Record<TaskVerdict["kind"], number> = {
    landed: 0,
    waiting: 0,
    failed: 0,
    stopped: 0,
    needs_input: 0,
    unchanged: 0,
  };
  for (const task of summary.tasks) counts[taskVerdict(task).kind]++;
  const total = summary.tasks.length;
  const exitCode =
    counts.failed > 0 || counts.stopped > 0
      ? SESSION_EXIT.failed
      : counts.needs_input > 0
        ? SESSION_EXIT.needsInput
        : counts.waiting > 0
          ? SESSION_EXIT.waiting
          : counts.unchanged > 0
            ? SESSION_EXIT.unchanged
            : SESSION_EXIT.landed;
  const headline =
    counts.landed === total
      ? `every task landed (${total})`
      : [
          `${counts.landed} of ${total} landed`,
          counts.waiting > 0 ? `${counts.waiting} awaiting approval` : "",
          counts.failed > 0 ? `${counts.failed} failed` : "",
          counts.stopped > 0 ? `${counts.stopped} stopped` : "",
          counts.needs_input > 0 ? `${counts.needs_input} needed input` : "",
          counts.unchanged > 0 ? `${counts.unchanged} changed nothing` : "",
        ]
          .filter(Boolean)
          .join(", ");
  return { counts, exitCode, headline };
}

export function describeMerge(merge: MergeOutcome): string {
  switch (merge.kind) {
    case "merged": {
      const tested = merge.mergedTreeTest?.status === "none" ? ", no tests (test: none)" : "";
      // The merge landed without the RESULT's learnings: said here as the dashboard says it, not only in the audit file.
      const deposit = merge.depositError ? `; the brain deposit failed: ${firstLine(merge.depositError, 200)}` : "";
      return `${merge.alreadyMerged ? "already merged" : "merged"} as ${merge.sha.slice(0, 12)}${tested}${deposit}`;
    }
    case "conflict":
      return `conflict in ${merge.files.join(", ")} (branch kept)`;
    case "refused":
      // The reason may end in a list of files: "branch kept" goes first, not glued to the last of them.
      return `refused, branch kept (grove approve tries again): ${merge.reason}`;
    case "tests_failed":
      return `${merge.test.step === "setup" ? "the setup command" : "tests"} failed on the merged tree (exit ${merge.test.exitCode ?? "?"}; branch kept)`;
    case "moved":
      return `the branch is no longer at the approved head ${merge.approvedSha.slice(0, 12)} (now ${merge.headSha?.slice(0, 12) ?? "gone"}): nothing was merged; run the task again for a tested head (branch kept)`;
  }
}

function firstLine(text: string, max = 300): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What the session's runs used, summed from their reports (runs whose CLI reported nothing count as none). */
export function sessionUsage(summary: HeadlessSummary): UsageTotals {
  return sumUsage(summary.tasks);
}

/**
 * The same, per agent CLI (by name): CLIs count turns their own way and not all of them state a cost
 * (Codex states none), so a sum over CLIs would mix them. Only CLIs that reported something.
 */
export function sessionUsageByCli(summary: HeadlessSummary): Record<string, UsageTotals> {
  const clis = [...new Set(summary.tasks.map((task) => task.cli))].sort();
  const byCli = clis.map((cli) => [cli, sumUsage(summary.tasks.filter((task) => task.cli === cli))] as const);
  return Object.fromEntries(byCli.filter(([, totals]) => totals.runs > 0));
}

function sumUsage(tasks: readonly HeadlessTask[]): UsageTotals {
  return tasks.reduce((totals, task) => (task.report?.usage ? addUsage(totals, task.report.usage) : totals), EMPTY_TOTALS);
}

/** The summary's usage lines: one per agent CLI, its cost where it stated one. */
export function describeUsage(byCli: Record<string, UsageTotals>): string[] {
  const entries = Object.entries(byCli);
  if (entries.length === 0) return ["usage: no agent reported tokens or cost"];
  return entries.map(([cli, totals]) => {
    const tokens = `${formatTokens(totals.tokensIn)} in / ${formatTokens(totals.tokensOut)} out tokens`;
    const cost = totals.costUsd === null ? "no cost reported" : formatUsd(totals.costUsd);
    // Each run's duration as its CLI stated it (Claude Code in its final `result`), else its process's run time:
    // Codex states none, nor does a Claude run stopped before its `result` (usage-meter.ts), so the sum is not
    // the CLI's own count alone.
    const ran = `${(totals.durationMs / 1000).toFixed(1)} s of agent time (the CLI's count, or its process's where the CLI states none; ${totals.runs} run(s) reported)`;
    return `usage of ${cli}: ${tokens}, ${cost}, ${totals.turns} turn(s), ${ran}`;
  });
}

/** "budget: spent 3.1k of 3.0k tokens (exceeded: the session's runs were stopped)", or null without a budget. */
export function describeBudget(summary: HeadlessSummary): string | null {
  if (!summary.budget) return null;
  const { limits, spent } = summary.budget;
  const over = budgetExceeded(limits, spent) === null ? "" : " (exceeded: the session's queued and running agents were stopped)";
  return `budget: spent ${formatSpendOfBudget(limits, spent)}${over}`;
}

/** A path as one shell word, quoted only when it needs to be, for a command a user copies. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** Where a stopped run's work is: its commits on the branch, its edits not committed in the worktree (not on the branch). */
function stoppedDetail(task: HeadlessTask): string {
  const branch = agentBranch(task.agent, task.taskId);
  const report = task.report;
  if (!report) return `stopped before it finished; its branch ${branch} and its worktree are kept`;
  const uncommitted = report.uncommittedCount;
  const commits = report.commits ?? 0;
  const onBranch = commits > 0 ? `${commits} commit(s) on ${branch}` : `nothing committed on ${branch}`;
  const inWorktree = uncommitted > 0 ? `; ${uncommitted} file(s) changed in its worktree, not committed, not on the branch` : "";
  return `stopped before it finished: ${onBranch}${inWorktree}; branch and worktree are kept`;
}
