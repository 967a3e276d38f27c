import { agentBranch, isDomainError, type RunState } from "@grove/core";
import { createAgentWorktree, lockWorktree, unlockWorktree } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { writeContextPack } from "./context-pack.ts";
import { describeError } from "./hub-socket.ts";
import { finishRun } from "./finish-run.ts";
import { runAgent, runRepoCommand, type AgentExit } from "./run-agent.ts";
import { runPaths } from "./run-paths.ts";
import { writeRunRecord, type RunRecord } from "./run-record.ts";
import { describeExit, stopState, type RunDeps, type RunRequest, type RunScope } from "./run-scope.ts";

export const WORKTREE_LOCK_REASON = "agent session in progress";
const FINISH_LOG_TIMEOUT_MS = 5_000;

/**
 * One agent run, start to end: worktree (locked) → setup → CONTEXT-PACK → agent → unlock → tests →
 * RESULT → report. Never throws; every failure ends as a run state the hub sees.
 */
export async function runTask(deps: RunDeps, req: RunRequest, signal: AbortSignal): Promise<RunState> {
  const { task } = req;
  const paths = runPaths(deps.dataDir, task.runId);
  const runLog = await deps.shipper.open(task.runId, paths.spool);
  const branch = agentBranch(task.agent, task.taskId);
  let record: Omit<RunRecord, "updatedAt"> = { runId: task.runId, sessionId: req.sessionId, repo: req.repo.repo, branch, state: "preparing" };
  let recording: Promise<void> = Promise.resolve();
  const remember = (patch: Partial<RunRecord>) => {
    record = { ...record, ...patch };
    const snapshot = record;
    recording = recording.then(() => writeRunRecord(deps.dataDir, snapshot)).catch((error: unknown) => deps.log(`run ${task.runId}: ${describeError(error)}`));
  };
  const scope: RunScope = {
    deps,
    req,
    paths,
    branch,
    runLog,
    setState: (state, extra) => {
      remember({ state, ...(extra?.worktreePath ? { worktreePath: extra.worktreePath } : {}) });
      void deps.hub.send("run:state", { runId: task.runId, state, at: Date.now(), ...extra });
    },
    onAgentStarted: (pgid) => remember({ pgid }),
    audit: (action, fields) =>
      void deps.hub.send("audit:record", {
        action,
        subject: scope.branch,
        sessionId: req.sessionId,
        runId: task.runId,
        branch: scope.branch,
        ...(fields?.sha ? { sha: fields.sha } : {}),
        details: { ...fields?.details, agent: task.agent, taskId: task.taskId },
      }),
    system: (text) => runLog.write("system", text),
  };

  let final: RunState;
  let worktreePath: string | undefined;
  try {
    scope.setState("preparing");
    const worktree = await createAgentWorktree({
      repo: req.repo.repo,
      agent: task.agent,
      taskId: task.taskId,
      base: req.integration,
      lockReason: WORKTREE_LOCK_REASON,
    });
    worktreePath = worktree.path;
    if (!worktree.created) await lockWorktree(req.repo.repo, worktree.path, WORKTREE_LOCK_REASON);
    scope.audit(worktree.created ? "worktree.created" : "worktree.reused", {
      sha: worktree.baseSha,
      details: { path: worktree.path, base: req.integration },
    });
    scope.system(`worktree ready at ${worktree.path} on ${worktree.branch} (from ${req.integration} at ${worktree.baseSha.slice(0, 12)})`);
    scope.setState("running", { worktreePath: worktree.path, baseSha: worktree.baseSha });

    let exit: AgentExit | null = null;
    const setup = req.repo.config.setup;
    if (setup !== undefined && !signal.aborted) {
      scope.system(`running setup: ${setup}`);
      const result = await runRepoCommand(scope, setup, worktree.path, "system", signal);
      if (result.exitCode !== 0 && !result.cancelled) {
        exit = { exitCode: null, signal: null, durationMs: 0, cancelled: false, timedOut: false, error: `setup failed (${describeExit(result)})` };
      }
    }
    if (!exit && !signal.aborted) {
      await rm(paths.result, { force: true });
      await writeContextPack(paths.contextPack, {
        sessionId: req.sessionId,
        task,
        branch: worktree.branch,
        integration: req.integration,
        worktreePath: worktree.path,
        baseSha: worktree.baseSha,
        brainDir: req.repo.config.brain,
        resultPath: paths.result,
      });
      exit = await runAgent(scope, worktree.path, signal);
    }
    exit ??= { exitCode: null, signal: null, durationMs: 0, cancelled: true, timedOut: false, error: null };
    await unlockWorktree(req.repo.repo, worktree.path);
    final = await finishRun(scope, { worktreePath: worktree.path, baseSha: worktree.baseSha }, exit, signal);
  } catch (error) {
    const message = isDomainError(error) ? error.message : `unexpected error: ${describeError(error)}`;
    deps.log(`run ${task.runId} failed: ${message}`);
    scope.system(`run failed: ${message}`);
    if (worktreePath) await unlockWorktree(req.repo.repo, worktreePath).catch(() => undefined);
    final = signal.aborted ? stopState(signal) : "failed";
    scope.setState(final, { error: message.slice(0, 10_000) });
  }
  const delivered = await runLog.finish(FINISH_LOG_TIMEOUT_MS);
  if (!delivered) deps.log(`run ${task.runId}: log lines still unacknowledged; they stay spooled and keep shipping`);
  await recording;
  return final;
}
