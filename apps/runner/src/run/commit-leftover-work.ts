import { describeError, isDomainError, type GroveConfig, type Result } from "@grove/core";
import { commitAgentWork, worktreeStatus } from "@grove/core/node";
import { findProfile } from "../launch/agent-profiles.ts";
import { readResult, resultFromFinalAnswer } from "./read-result.ts";
import type { AgentExit } from "./run-agent.ts";
import type { RunScope } from "./run-scope.ts";

const MAX_MESSAGE_CHARS = 10_000;

/**
 * Most agent CLIs (Claude Code in print mode, Codex in its sandbox) edit files but do not commit them.
 * When the agent exited 0 and left changes, they are committed on its branch as the agent, with its
 * RESULT's summary as the message, so its work is what gets tested and merged. A failed, stopped or
 * timed-out agent's leftovers stay uncommitted (half-done work is not made to look finished), and so do
 * they when the profile, else grove.yaml, says `autoCommit: false`.
 */
export async function commitLeftoverWork(scope: RunScope, worktreePath: string, exit: AgentExit): Promise<void> {
  const { task, repo } = scope.req;
  if (exit.cancelled || exit.timedOut || exit.exitCode !== 0 || !isAutoCommitOn(task.profile, repo.config)) return;
  try {
    const message = commitMessage(await summaryOf(scope, exit), task.agent, task.runId);
    const outcome = await commitAgentWork(worktreePath, {
      branch: scope.branch,
      author: { name: task.agent, email: `${task.agent}@agents.grove.invalid` },
      message,
    });
    switch (outcome.kind) {
      case "committed": {
        // git stopped (a Ctrl-C, a hook) after it wrote the commit: the commit is there, and so is said.
        const after = outcome.interrupted ? ` (git failed after it wrote the commit: ${outcome.interrupted})` : "";
        scope.system(
          `committed what the agent left uncommitted (${outcome.files} file${outcome.files === 1 ? "" : "s"}) on ${scope.branch} as ${task.agent}: ${outcome.sha.slice(0, 12)}${after}`,
        );
        return;
      }
      case "off-branch":
        // An agent that committed all it changed on a branch of its own left nothing to say this of.
        if ((await worktreeStatus(worktreePath)).length > 0)
          scope.system(`not committing the agent's leftover changes: its worktree is on ${outcome.head}, not ${scope.branch}`);
        return;
      case "clean":
        return;
    }
  } catch (error) {
    const detail = isDomainError(error) && error.process?.stderrTail ? `: ${error.process.stderrTail.trim().slice(-500)}` : "";
    scope.system(`could not commit the agent's leftover changes: ${describeError(error)}${detail}`);
  }
}

function isAutoCommitOn(profileName: string, config: GroveConfig): boolean {
  return findProfile(profileName, config).autoCommit ?? config.autoCommit ?? true;
}

/** The RESULT's summary (its file, else the agent's final answer); null when there is neither. */
async function summaryOf(scope: RunScope, exit: AgentExit): Promise<string | null> {
  const fromFile = await readResult(scope.paths.result);
  const result: Result | null = fromFile.result ?? (exit.finalAnswer ? resultFromFinalAnswer(exit.finalAnswer).result : null);
  return result?.summary.trim() || null;
}

function commitMessage(summary: string | null, agent: string, runId: string): string {
  const body = summary ?? `${agent}'s work (it wrote no RESULT summary)`;
  return `${body.slice(0, MAX_MESSAGE_CHARS)}\n\nCommitted by grove: ${agent} left these changes uncommitted when it exited (run ${runId}).\n`;
}
