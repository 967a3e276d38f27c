import {
  addUsage,
  budgetExceeded,
  EMPTY_TOTALS,
  formatSpendOfBudget,
  formatUsage,
  type MergeOutcome,
  type UsageTotals,
} from "@grove/core";
import type { HeadlessSummary, HeadlessTask } from "../headless/headless-session.ts";

export type TaskVerdict = { kind: "landed" | "waiting" | "failed"; detail: string };

/** Exit codes of `grove session run`: everything landed, something failed, or the rest waits for a person. */
export const SESSION_EXIT = { landed: 0, failed: 1, waiting: 3 } as const;

/** What became of one task, stated from what git and the run report say, never from what was hoped. */
export function taskVerdict(task: HeadlessTask): TaskVerdict {
  if (task.merge)
    return task.merge.kind === "merged"
      ? { kind: "landed", detail: describeMerge(task.merge) }
      : { kind: "failed", detail: describeMerge(task.merge) };
  if (task.state !== "succeeded")
    return { kind: "failed", detail: `run ${task.state}${task.error ? `: ${firstLine(task.error)}` : ""}` };
  if (task.waiting) {
    const untested = task.waiting.tests === "untested" ? ", untested (no test command)" : "";
    return { kind: "waiting", detail: `awaiting approval${untested}: grove approve ${task.runId}` };
  }
  return { kind: "failed", detail: "no merge request (the run reported no head)" };
}

export function sessionVerdict(summary: HeadlessSummary): {
  counts: Record<TaskVerdict["kind"], number>;
  exitCode: number;
  headline: string;
} {
  const counts = { landed: 0, waiting: 0, failed: 0 };
  for (const task of summary.tasks) counts[taskVerdict(task).kind]++;
  const total = summary.tasks.length;
  const exitCode = counts.failed > 0 ? SESSION_EXIT.failed : counts.waiting > 0 ? SESSION_EXIT.waiting : SESSION_EXIT.landed;
  const headline =
    counts.landed === total
      ? `every task landed (${total})`
      : [
          `${counts.landed} of ${total} landed`,
          counts.waiting > 0 ? `${counts.waiting} awaiting approval` : "",
          counts.failed > 0 ? `${counts.failed} failed` : "",
        ]
          .filter(Boolean)
          .join(", ");
  return { counts, exitCode, headline };
}

export function describeMerge(merge: MergeOutcome): string {
  switch (merge.kind) {
    case "merged": {
      const tested = merge.mergedTreeTest?.status === "none" ? ", no tests (test: none)" : "";
      return `${merge.alreadyMerged ? "already merged" : "merged"} as ${merge.sha.slice(0, 12)}${tested}`;
    }
    case "conflict":
      return `conflict in ${merge.files.join(", ")} (branch kept)`;
    case "refused":
      return `refused: ${merge.reason} (branch kept)`;
    case "tests_failed":
      return `tests failed on the merged tree (exit ${merge.test.exitCode ?? "?"}; branch kept)`;
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
  return summary.tasks.reduce(
    (totals, task) => (task.report?.usage ? addUsage(totals, task.report.usage) : totals),
    EMPTY_TOTALS,
  );
}

export function describeUsage(totals: UsageTotals): string {
  if (totals.runs === 0) return "usage: no agent reported tokens or cost";
  return `usage: ${formatUsage(totals)}, ${totals.turns} turn(s), agents ran ${(totals.durationMs / 1000).toFixed(1)} s (${totals.runs} run(s) reported)`;
}

/** "budget: spent 3.1k of 3.0k tokens (exceeded: the session's runs were stopped)", or null without a budget. */
export function describeBudget(summary: HeadlessSummary): string | null {
  if (!summary.budget) return null;
  const { limits, spent } = summary.budget;
  const over = budgetExceeded(limits, spent) === null ? "" : " (exceeded: the session's queued and running agents were stopped)";
  return `budget: spent ${formatSpendOfBudget(limits, spent)}${over}`;
}
