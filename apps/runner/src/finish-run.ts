import type { RunState } from "@grove/core";
import { diffStat, headSha } from "@grove/core/node";
import { describeError } from "./hub-socket.ts";
import { readResult, resultFromFinalAnswer } from "./read-result.ts";
import { runRepoCommand, type AgentExit } from "./run-agent.ts";
import { describeExit, stopState, type RunScope } from "./run-scope.ts";

const FINISH_LOG_TIMEOUT_MS = 5_000;

type TestReport = { status: "passed" | "failed" | "skipped"; exitCode: number | null; durationMs: number };

/**
 * After the agent exited (worktree already unlocked): the test gate, the RESULT, then run.ended, the
 * report and the final state, in that order. The report goes out once the run's log lines are
 * delivered (or after a short wait).
 */
export async function finishRun(
  scope: RunScope,
  worktree: { worktreePath: string; baseSha: string },
  exit: AgentExit,
  signal: AbortSignal,
): Promise<RunState> {
  const { repo, task } = scope.req;
  const stopped = exit.cancelled || signal.aborted;
  scope.system(exit.error ?? `agent ${stopped ? "stopped" : "exited"} (${describeExit(exit)}) after ${exit.durationMs} ms`);

  let test: TestReport = { status: "skipped", exitCode: null, durationMs: 0 };
  const testCommand = repo.config.test;
  if (!stopped && exit.exitCode === 0 && testCommand !== undefined) {
    scope.setState("testing");
    scope.system(`running tests: ${testCommand}`);
    const result = await runRepoCommand(scope, testCommand, worktree.worktreePath, "test", signal);
    test = { status: result.exitCode === 0 ? "passed" : "failed", exitCode: result.exitCode, durationMs: result.durationMs };
    scope.system(`tests ${test.status} (${describeExit(result)}) in ${result.durationMs} ms`);
    scope.audit("tests.ran", { details: { status: test.status, exitCode: test.exitCode, durationMs: test.durationMs, command: testCommand } });
  } else {
    scope.system(testCommand === undefined ? "no test command configured (grove.yaml `test`)" : "tests skipped: the agent did not succeed");
  }

  const fromFile = await readResult(scope.paths.result);
  const { result, resultError } = fromFile.resultError !== null && exit.finalAnswer ? resultFromFinalAnswer(exit.finalAnswer) : fromFile;
  if (result && fromFile.resultError) scope.system("no RESULT file; using the agent's final answer as its RESULT");
  if (resultError) scope.system(resultError);

  let head: string | null = null;
  let stat = "";
  try {
    head = await headSha(worktree.worktreePath);
    stat = await diffStat(repo.repo, worktree.baseSha, head);
  } catch (error) {
    scope.system(`could not read the branch head: ${describeError(error)}`);
  }

  const final: RunState = stopped
    ? stopState(signal)
    : exit.exitCode === 0 && test.status !== "failed"
      ? "succeeded"
      : "failed";
  scope.system(`run ${final}`);
  await scope.runLog.finish(FINISH_LOG_TIMEOUT_MS);

  // The hub opens the merge request when it handles the report, and the outbox delivers one event at
  // a time in send order: the run's end goes first so the ledger tells it as it happened. The final
  // state still follows the report, so a run the hub sees ended always has its report.
  scope.audit("run.ended", {
    ...(head ? { sha: head } : {}),
    details: { state: final, exitCode: exit.exitCode, signal: exit.signal, durationMs: exit.durationMs, test: test.status, resultError },
  });
  void scope.deps.hub.send("run:report", {
    runId: task.runId,
    exitCode: exit.exitCode,
    signal: exit.signal,
    headSha: head,
    baseSha: worktree.baseSha,
    diffStat: stat.slice(0, 100_000),
    test,
    result,
    resultError: resultError?.slice(0, 10_000) ?? null,
  });
  scope.setState(final, exit.error ? { error: exit.error } : {});
  return final;
}
