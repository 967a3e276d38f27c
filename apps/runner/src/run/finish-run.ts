import { formatUsage, type RunState } from "@grove/core";
import { describeUncommitted, readBranchFacts, type BranchFacts } from "./branch-facts.ts";
import { commitLeftoverWork } from "./commit-leftover-work.ts";
import type { ConflictLeft } from "./merge-integration-in.ts";
import { settleRoundMerge } from "./settle-round-merge.ts";
import { readAgentResult } from "./agent-result.ts";
import type { AgentExit } from "./run-agent.ts";
import { budgetDetails, describeExit, stopState, type RunScope } from "./run-scope.ts";
import { runTestGate, skipTests, type TestReport } from "./test-gate.ts";

const FINISH_LOG_TIMEOUT_MS = 5_000;

/**
 * After the agent exited (worktree already unlocked): what it left uncommitted committed for it
 * (commit-leftover-work.ts), what it committed, the test gate, the RESULT, the
 * report and the final state. A run succeeds only if the agent exited 0, committed something, and its
 * tests did not fail: a branch with no commits has nothing to merge, whatever the worktree holds. An agent
 * that exited 0 and left nothing at all ends no_changes; one grove stopped because it waited for an answer
 * ends needs_input (see finalState).
 * Then run.ended, the report and the final state, in that order; the report goes out once the run's log
 * lines are delivered (or after a short wait).
 */
export async function finishRun(
  scope: RunScope,
  worktree: { worktreePath: string; baseSha: string; conflicts?: readonly ConflictLeft[] },
  exit: AgentExit,
  signal: AbortSignal,
): Promise<RunState> {
  const { repo, task } = scope.req;
  const stoppedAgent = exit.cancelled || signal.aborted;
  scope.system(
    exit.error ??
      `agent ${stoppedAgent ? "stopped" : "exited"} (${describeExit(exit)}) after ${(exit.durationMs / 1000).toFixed(1)} s`,
  );

  const usage = exit.usage ?? null;
  if (usage) {
    // The CLI's own totals (Claude's `result`) replace what was counted turn by turn; they may cross the budget.
    scope.meter(usage);
    const session = scope.spend?.totals();
    scope.system(
      `agent used ${formatUsage(usage)}${usage.turns === null ? "" : ` in ${usage.turns} turn(s)`}${session ? `; session so far: ${formatUsage(session)}` : ""}`,
    );
  }
  const refusedActions = exit.refusedActions ?? 0;
  const refused = exit.refused ?? [];
  if (refusedActions > 0) {
    scope.system(
      `the agent was refused ${refusedActions} action${refusedActions === 1 ? "" : "s"}: ${refused.join("; ")}`.slice(0, 2_000),
    );
  }
  // A round's merge of the integration branch that conflicted: concluded only once every conflict is resolved.
  const unresolved =
    !stoppedAgent && exit.exitCode === 0 ? await settleRoundMerge(scope, worktree.worktreePath, worktree.conflicts ?? []) : null;
  if (!stoppedAgent && unresolved === null) await commitLeftoverWork(scope, worktree.worktreePath, exit);
  const branch = await readBranchFacts(repo.repo, worktree.worktreePath, worktree.baseSha, scope.branch);
  if (branch.problem) scope.system(branch.problem);
  if (branch.offBranch) scope.system(branch.offBranch);
  const agentOk = !stoppedAgent && exit.exitCode === 0;
  const committed = branch.commits !== null && branch.commits > 0;
  const noCommits =
    agentOk && branch.commits === 0 && !branch.offBranch ? describeNoCommits(scope.branch, worktree.baseSha, branch) : null;
  if (noCommits) scope.system(noCommits);
  else if (branch.uncommittedCount > 0) {
    scope.system(
      `${describeUncommitted(branch)} changed in the worktree but not committed: they are not part of ${scope.branch} and will not be merged`,
    );
  }

  const test =
    agentOk && committed && unresolved === null && !branch.offBranch
      ? await runTestGate(scope, worktree.worktreePath, signal)
      : skipTests(scope, agentOk && !branch.offBranch);
  // A stop while the tests waited or ran ends the run as a stop before them does: its head is untested, so no
  // merge request opens for it (nor is it approved by a machine); its worktree and branch are kept.
  const stopped = stoppedAgent || (signal.aborted && (test.status === "stopped" || test.status === "skipped"));

  // Says where the RESULT came from, and why not from a better source (the agent may think it wrote one).
  const { result, resultError, source: resultSource, notes } = await readAgentResult(scope.paths, exit.finalAnswer);
  for (const note of notes) scope.system(note);
  if (resultError) scope.system(resultError);

  // A round's merge of the integration branch left unresolved fails the run, whatever else it did.
  const final = unresolved === null ? finalState({ stopped, signal, exit, agentOk, committed, branch, test }) : "failed";
  const error =
    scope.budgetStop ??
    exit.error ??
    unresolved ??
    (agentOk ? branch.offBranch : null) ??
    noCommits ??
    (agentOk && !committed ? branch.problem : null);
  scope.system(`run ${final}`);
  await scope.runLog.finish(FINISH_LOG_TIMEOUT_MS);

  // The hub opens the merge request when it handles the report, and the outbox delivers one event at
  // a time in send order: the run's end goes first so the ledger tells it as it happened. The final
  // state still follows the report, so a run the hub sees ended always has its report.
  scope.audit("run.ended", {
    ...(branch.head ? { sha: branch.head } : {}),
    details: {
      state: final,
      exitCode: exit.exitCode,
      signal: exit.signal,
      durationMs: exit.durationMs,
      test: test.status,
      resultError,
      resultSource,
      commits: branch.commits,
      uncommitted: branch.uncommittedCount,
      usage,
      refused: refusedActions,
      ...budgetDetails(scope),
    },
  });
  void scope.deps.hub.send("run:report", {
    runId: task.runId,
    exitCode: exit.exitCode,
    signal: exit.signal,
    headSha: branch.head,
    baseSha: worktree.baseSha,
    diffStat: branch.diffStat.slice(0, 100_000),
    test,
    result,
    resultError: resultError?.slice(0, 10_000) ?? null,
    commits: branch.commits,
    uncommitted: branch.uncommitted,
    uncommittedCount: branch.uncommittedCount,
    usage,
    refusedActions,
  });
  scope.setState(final, error ? { error: error.slice(0, 10_000) } : {});
  return final;
}

function finalState(o: {
  stopped: boolean;
  signal: AbortSignal;
  exit: AgentExit;
  agentOk: boolean;
  committed: boolean;
  branch: BranchFacts;
  test: TestReport;
}): RunState {
  if (o.stopped) return stopState(o.signal);
  if (o.exit.isWaitingForInput) return "needs_input";
  // Its worktree's HEAD is not its branch: whatever it committed is not what would be tested and merged.
  if (o.branch.offBranch) return "failed";
  if (o.agentOk && o.committed) return o.test.status === "failed" ? "failed" : "succeeded";
  // Nothing committed and nothing left in the worktree: not a failure, but nothing to merge either.
  if (o.agentOk && o.branch.commits === 0 && o.branch.uncommittedCount === 0 && !o.branch.problem) return "no_changes";
  return "failed";
}

function describeNoCommits(branchName: string, baseSha: string, branch: BranchFacts): string {
  // The agent may have moved its branch back (a reset) onto commits its base already has.
  const base =
    branch.head === null || branch.head === baseSha
      ? `${branchName} is still at its base ${baseSha.slice(0, 12)}, so there is nothing to merge.`
      : `${branchName} is at ${branch.head.slice(0, 12)}, which has no commits that its base ${baseSha.slice(0, 12)} lacks, so there is nothing to merge.`;
  if (branch.uncommittedCount === 0) return `no changes: the agent exited without changing anything; ${base}`;
  return `the agent made no commits: ${base} It left ${describeUncommitted(branch)} uncommitted in the worktree; they are kept there, not merged.`;
}
