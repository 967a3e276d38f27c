import { testGateOf, type TestStatus } from "@grove/core";
import type { ProcessExit } from "@grove/core/node";
import { runRepoCommand } from "./run-agent.ts";
import { admitRunStep } from "./run-admission.ts";
import { rerunChangedSetup } from "./run-setup.ts";
import { describeExit, stopState, type RunScope } from "./run-scope.ts";

export type TestReport = { status: TestStatus; exitCode: number | null; durationMs: number };

/** The repository's test gate on the agent's worktree: its command, or why there is none. */
export async function runTestGate(scope: RunScope, worktreePath: string, signal: AbortSignal): Promise<TestReport> {
  const gate = testGateOf(scope.req.repo.config);
  switch (gate.kind) {
    case "missing":
      scope.system(
        "no test command configured (grove.yaml `test`): this run is untested, and only a person can approve its merge",
      );
      return { status: "untested", exitCode: null, durationMs: 0 };
    case "none":
      scope.system("the repository declares it has no tests (grove.yaml `test: none`)");
      return { status: "none", exitCode: null, durationMs: 0 };
    case "command": {
      scope.setState("testing");
      scope.ticket = await admitRunStep(scope, "test", "testing", signal);
      if (!scope.ticket) {
        scope.system("tests not run: the run was stopped while they waited for room on the machine");
        return { status: "skipped", exitCode: null, durationMs: 0 };
      }
      const result = await runGateCommands(scope, gate.command, worktreePath, signal).finally(() => scope.ticket?.release());
      // Killed because the run was stopped, the tests neither passed nor failed: they did not finish.
      const isStopped = result.exitCode !== 0 && (result.cancelled || signal.aborted);
      const test: TestReport = {
        status: result.exitCode === 0 ? "passed" : isStopped ? "stopped" : "failed",
        exitCode: result.exitCode,
        durationMs: result.durationMs,
      };
      const why = isStopped ? `: the run was ${stopState(signal)} before they finished` : "";
      scope.system(`tests ${test.status} (${describeExit(result)}${why}) in ${result.durationMs} ms`);
      scope.audit("tests.ran", {
        details: {
          status: test.status,
          exitCode: test.exitCode,
          signal: result.signal,
          durationMs: test.durationMs,
          command: gate.command,
          ...(isStopped ? { stoppedBy: stopState(signal) } : {}),
        },
      });
      return test;
    }
  }
}

/**
 * The tests, after setup again when the agent changed its inputs; a setup that fails on the agent's own
 * inputs fails the tests, which would otherwise only test the install of the base.
 */
async function runGateCommands(
  scope: RunScope,
  command: string,
  worktreePath: string,
  signal: AbortSignal,
): Promise<ProcessExit> {
  const setup = await rerunChangedSetup(scope, worktreePath, signal);
  if (setup !== null && setup.exitCode !== 0) {
    scope.system(`setup failed (${describeExit(setup)}) on the agent's setup inputs: the tests were not run`);
    return setup;
  }
  scope.system(`running tests: ${command}`);
  return runRepoCommand(scope, command, worktreePath, "test", signal);
}

export function skipTests(scope: RunScope, agentOk: boolean): TestReport {
  scope.system(agentOk ? "tests skipped: nothing was committed to test" : "tests skipped: the agent did not succeed");
  return { status: "skipped", exitCode: null, durationMs: 0 };
}
