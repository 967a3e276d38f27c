import type { AgentUsage, LogStream } from "@grove/core";
import { isDomainError } from "@grove/core";
import { runShellCommand, startAgentProcess, type ProcessExit } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { agentOutputFormat, createAgentLineWriter, trackAgentOutput } from "../log/agent-output.ts";
import { resolveAgent } from "../launch/agent-profiles.ts";
import type { ClaudeFinal } from "../log/claude-stream.ts";
import { buildChildEnv } from "../launch/agent-env.ts";
import type { RunScope } from "./run-scope.ts";

const KILL_GRACE_MS = 5_000;
const REPO_COMMAND_TIMEOUT_MS = 30 * 60_000;

export type AgentExit = {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  cancelled: boolean;
  timedOut: boolean;
  /** Why the agent did not run or did not finish normally, in words for the log and the report. */
  error: string | null;
  /** The agent's final answer on its output (Claude's `result` event), a RESULT of last resort. */
  finalAnswer?: ClaudeFinal | null;
  /** Tokens, cost, turns and the agent's session id, as its CLI reported them on its output; null when it did not. */
  usage?: AgentUsage | null;
  /** Tool calls the agent's CLI refused it, as it printed them (see log/claude-stream.ts). */
  refusedActions?: number;
};

/** Spawns the task's agent profile in its worktree and streams its output into the run's log. */
export async function runAgent(scope: RunScope, cwd: string, signal: AbortSignal): Promise<AgentExit> {
  const { task, repo } = scope.req;
  const agent = resolveAgent(task.profile, repo.config, {
    prompt: task.prompt,
    contextPack: scope.paths.contextPack,
    result: scope.paths.result,
    runDir: scope.paths.runDir,
  });
  const env = buildChildEnv(process.env, agent.env, scope.leaseEnv, {
    GROVE_AGENT: task.agent,
    GROVE_TASK: task.taskId,
    GROVE_RUN_ID: task.runId,
    GROVE_SESSION: scope.req.sessionId,
    GROVE_BRANCH: scope.branch,
    GROVE_BRAIN: repo.config.brain,
    GROVE_CONTEXT_PACK: scope.paths.contextPack,
    GROVE_RESULT: scope.paths.result,
  });
  scope.system(`starting agent ${task.agent} (profile ${agent.profile}): ${agent.argv[0] ?? ""}`);
  const format = agentOutputFormat(agent.argv);
  const output = trackAgentOutput(scope.runLog, format);
  try {
    let isPaused = false;
    const writer = createAgentLineWriter(scope.runLog, format);
    const proc = startAgentProcess(agent.argv, {
      cwd,
      env,
      onLine: (stream, text) => {
        if (writer.write(stream, text) || isPaused) return;
        // The spool is behind: stop reading rather than buffer without bound; the agent writes on into
        // its capture file, and is stopped itself once too much of that is unread.
        isPaused = true;
        proc.pause();
        void scope.runLog.whenWritable().then(() => {
          isPaused = false;
          proc.resume();
        });
      },
      onBackpressure: (isStopped, backlogBytes) =>
        scope.system(
          isStopped
            ? `agent paused: its output is ${toMegabytes(backlogBytes)} MB ahead of the log pipeline`
            : `agent resumed: its output is down to ${toMegabytes(backlogBytes)} MB ahead of the log pipeline`,
        ),
      // With each read, how far the output files went into the log: a restarted runner reads on from there.
      onRead: output.onRead,
      captureDir: scope.paths.agentCapture,
      // Removed below once the log has all of them on disk, not as soon as they were read.
      isCaptureKept: true,
      timeoutMs: agent.timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      abortSignal: signal,
    });
    if (proc.pid !== undefined) scope.onAgentStarted(proc.pid);
    const exit = await proc.done;
    const error = exit.timedOut ? `the agent ran past its timeout of ${agent.timeoutMs ?? 0} ms and was stopped` : null;
    return { ...exit, error, finalAnswer: writer.final(), usage: writer.usage(exit.durationMs), refusedActions: writer.refusedActions() };
  } catch (error) {
    if (!isDomainError(error)) throw error;
    scope.system(error.message);
    return { exitCode: null, signal: null, durationMs: 0, cancelled: false, timedOut: false, error: error.message };
  } finally {
    await scope.runLog.flush();
    await Promise.all(output.paths().map((path) => rm(path, { force: true })));
  }
}

/** Runs the repo's setup or test command (a shell string from grove.yaml) in the worktree. */
export async function runRepoCommand(
  scope: RunScope,
  command: string,
  cwd: string,
  stream: LogStream,
  signal: AbortSignal,
): Promise<ProcessExit> {
  const env = buildChildEnv(process.env, scope.leaseEnv, {
    GROVE_AGENT: scope.req.task.agent,
    GROVE_TASK: scope.req.task.taskId,
    GROVE_RUN_ID: scope.req.task.runId,
  });
  const prefix = stream === "system" ? "[setup] " : "";
  return runShellCommand(command, {
    cwd,
    env,
    onLine: (_source, text) => scope.runLog.write(stream, prefix + text),
    captureDir: scope.paths.commandCapture,
    timeoutMs: REPO_COMMAND_TIMEOUT_MS,
    killGraceMs: KILL_GRACE_MS,
    abortSignal: signal,
  });
}

function toMegabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
