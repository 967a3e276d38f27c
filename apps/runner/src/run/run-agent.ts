import type { AgentOutputFormat, AgentUsage, LogStream } from "@grove/core";
import { isDomainError } from "@grove/core";
import { startAgentProcess, type ProcessExit } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { agentOutputFormat, createAgentLineWriter, trackAgentOutput } from "../log/agent-output.ts";
import { resolveAgent } from "../launch/agent-profiles.ts";
import { MAX_CLAUDE_EVENT_CHARS, type ClaudeFinal } from "../log/claude-stream.ts";
import { buildChildEnv } from "../launch/agent-env.ts";
import { watchForInput } from "./input-wait.ts";
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
  /** grove stopped it because its CLI asked a question on its output and waited (the run ends needs_input). */
  isWaitingForInput?: boolean;
  /** The agent's final answer on its output (Claude's `result` event), a RESULT of last resort. */
  finalAnswer?: ClaudeFinal | null;
  /** Tokens, cost, turns and the agent's session id, as its CLI reported them on its output; null when it did not. */
  usage?: AgentUsage | null;
  /** Tool calls the agent's CLI refused it, as it printed them (see log/claude-stream.ts). */
  refusedActions?: number;
  /** Actions the agent's CLI refused it ("Tool: reason"), as far as its output says. */
  refused?: readonly string[];
};

/** A later round's launch: its prompt (the task's, after grove's preamble) and the conversation it resumes. */
export type RoundLaunch = { prompt: string; resumeSessionId: string | undefined };

/** Spawns the task's agent profile in its worktree and streams its output into the run's log. */
export async function runAgent(scope: RunScope, cwd: string, signal: AbortSignal, round?: RoundLaunch): Promise<AgentExit> {
  const { task, repo } = scope.req;
  const agent = resolveAgent(task.profile, repo.config, {
    prompt: round?.prompt ?? task.prompt,
    contextPack: scope.paths.contextPack,
    result: scope.paths.result,
    runDir: scope.paths.runDir,
    resultSchema: scope.paths.resultSchema,
    lastMessage: scope.paths.lastMessage,
    ...(round?.resumeSessionId === undefined ? {} : { resumeSessionId: round.resumeSessionId }),
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
    ...(task.round ? { GROVE_ROUND: String(task.round.number) } : {}),
  });
  scope.system(
    `starting agent ${task.agent} (profile ${agent.profile}${agent.resumed ? `, resuming ${round?.resumeSessionId ?? ""}` : ""}): ${agent.argv[0] ?? ""}`,
  );
  const format = agentOutputFormat(agent.argv);
  const output = trackAgentOutput(scope.runLog, format);
  try {
    let isPaused = false;
    const writer = createAgentLineWriter(scope.runLog, format);
    const proc = startAgentProcess(agent.argv, {
      cwd,
      env,
      onLine: (stream, text) => {
        const isWritable = writer.write(stream, text);
        // A JSON CLI reports usage turn by turn: the session's budget sees it while the run goes on.
        if (stream === "stdout" && format !== "text") meterLive(scope, writer, format);
        if (isWritable || isPaused) return;
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
      // A JSON CLI's events are read whole, as `maxEventChars` says (the replay after a restart reads the same way).
      ...(format === "text" ? {} : { maxLineChars: { stdout: MAX_CLAUDE_EVENT_CHARS } }),
      captureDir: scope.paths.agentCapture,
      // Removed below once the log has all of them on disk, not as soon as they were read.
      isCaptureKept: true,
      timeoutMs: agent.timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      abortSignal: signal,
    });
    if (proc.pid !== undefined) {
      scope.onAgentStarted(proc.pid);
      scope.ticket?.watch(proc.pid);
    }
    // Its stdin is empty: an agent that asks a person anyway would wait forever. It is stopped, and says why.
    let needsInput: string | null = null;
    const inputWatch =
      proc.pid === undefined
        ? null
        : watchForInput({
            pgid: proc.pid,
            files: output.paths,
            quietMs: agent.inputWaitMs,
            prompt: agent.inputPrompt,
            onWaiting: (line) => {
              needsInput = describeNeedsInput(line, agent.inputWaitMs);
              scope.system(needsInput);
              void proc.cancel();
            },
          });
    const exit = await proc.done;
    inputWatch?.stop();
    const error =
      needsInput ?? (exit.timedOut ? `the agent ran past its timeout of ${agent.timeoutMs ?? 0} ms and was stopped` : null);
    // Stopped by grove for a reason of its own, not cancelled by a person: the run ends with that reason.
    return {
      ...exit,
      cancelled: needsInput === null && exit.cancelled,
      error,
      isWaitingForInput: needsInput !== null,
      finalAnswer: writer.final(),
      usage: writer.usage(exit.durationMs),
      refused: writer.refused(),
      refusedActions: writer.refusedActions(),
    };
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
  const proc = startAgentProcess(["/bin/sh", "-c", command], {
    cwd,
    env,
    onLine: (_source, text) => scope.runLog.write(stream, prefix + text),
    captureDir: scope.paths.commandCapture,
    timeoutMs: REPO_COMMAND_TIMEOUT_MS,
    killGraceMs: KILL_GRACE_MS,
    abortSignal: signal,
  });
  // Measured against the admission of the step it belongs to (the run's for setup, the tests' own for tests).
  if (proc.pid !== undefined) scope.ticket?.watch(proc.pid);
  return proc.done;
}

function describeNeedsInput(line: string, waitMs: number): string {
  return (
    `needs input: the agent asked "${line}" and then waited ${Math.round(waitMs / 1000)} s with no output and no CPU. ` +
    "Its stdin is empty (grove runs agents unattended), so no answer can come; it was stopped. " +
    "Give its CLI the answer up front (a flag such as --yes, or its own configuration) and run the task again."
  );
}

function meterLive(scope: RunScope, writer: ReturnType<typeof createAgentLineWriter>, format: AgentOutputFormat): void {
  const usage = writer.usage(null);
  if (!usage) return;
  // Claude's `result` and codex's `turn.completed` (one turn per `codex exec`) end the run: the totals they
  // state count, but a budget they cross stops the session's other runs only.
  const isFinal = format === "claude-stream-json" ? writer.final() !== null : usage.turns !== null;
  if (isFinal) scope.spend?.leave();
  scope.meter(usage);
}

function toMegabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
