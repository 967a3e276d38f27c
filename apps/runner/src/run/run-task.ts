import { isDomainError, type RunState, describeError } from "@grove/core";
import { countCommits, createAgentWorktree, lockWorktree, unlockWorktree, type CreatedWorktree } from "@grove/core/node";
import { rm } from "node:fs/promises";
import { findNamedBrainFiles } from "./brain-files.ts";
import { writeResultSchema } from "./agent-result.ts";
import { writeContextPack } from "./context-pack.ts";
import { finishRun } from "./finish-run.ts";
import { runAgent, type AgentExit } from "./run-agent.ts";
import { admitRunStep } from "./run-admission.ts";
import { leaseEnv, type RunLease } from "./run-leases.ts";
import { runPaths } from "./run-paths.ts";
import { runSetup } from "./run-setup.ts";
import { worktreeProgress } from "./run-progress.ts";
import { readyRoundBranch, startRound, type StartedRound } from "./run-round.ts";
import {
  budgetDetails,
  createRunScope,
  describeExit,
  stopState,
  type RunDeps,
  type RunRequest,
  type RunScope,
} from "./run-scope.ts";

export const WORKTREE_LOCK_REASON = "agent session in progress";
const FINISH_LOG_TIMEOUT_MS = 5_000;
const NOTHING_USED = { tokensIn: 0, tokensOut: 0, costUsd: null };

/**
 * One agent run, start to end: a place under the concurrency cap (port block, slot) → room on the machine
 * (free memory, CPU load: run-admission.ts) → worktree
 * (locked) → setup → CONTEXT-PACK → agent → unlock → tests → RESULT → report. Never throws; every
 * failure ends as a run state the hub sees.
 */
export async function runTask(deps: RunDeps, req: RunRequest, signal: AbortSignal): Promise<RunState> {
  const { task } = req;
  const paths = runPaths(deps.dataDir, task.runId);
  let runLog;
  try {
    runLog = await deps.shipper.open(task.runId, paths.spool);
  } catch (error) {
    // Without a spool there is no log to tell the story in; the state carries it instead.
    const message = `cannot open the log spool ${paths.spool}: ${describeError(error)}`;
    deps.log(`run ${task.runId} failed: ${message}`);
    void deps.hub.send("run:state", { runId: task.runId, state: "failed", at: Date.now(), error: message });
    return "failed";
  }
  const scope = createRunScope(deps, req, paths, runLog);
  // The session going over its budget stops this run as a cancel would, with the reason (session-spend.ts).
  const budgetAbort = new AbortController();
  const runSignal = AbortSignal.any([signal, budgetAbort.signal]);
  scope.spend = await deps.spend.join({
    sessionId: req.sessionId,
    runId: task.runId,
    budget: req.budget ?? req.repo.config.budget,
    onStop: (reason) => {
      if (runSignal.aborted) return;
      scope.budgetStop = reason;
      budgetAbort.abort(reason);
    },
  });
  // Its record keeps what earlier attempts of this run id used, whatever this one reports.
  scope.meter(NOTHING_USED);

  let final: RunState;
  let worktree: CreatedWorktree | undefined;
  let lease: RunLease | null = null;
  try {
    const overBudget = scope.spend.exceeded();
    if (overBudget) return await endOverBudget(scope, overBudget);
    if (deps.leases.isFull()) {
      scope.setState("queued");
      scope.system("waiting for a free place: the runner's concurrency cap is reached");
    }
    lease = await deps.leases.acquire(req.repo.config.ports, runSignal);
    if (scope.budgetStop !== null) return await endOverBudget(scope, scope.budgetStop);
    if (!lease) throw new Error("stopped while queued");
    scope.ticket = await admitRunStep(scope, "run", "queued", runSignal);
    if (scope.budgetStop !== null) return await endOverBudget(scope, scope.budgetStop);
    if (!scope.ticket) throw new Error("stopped while queued");
    scope.leaseEnv = leaseEnv(lease);
    scope.setState("preparing");
    // A later round needs its task's branch: checked before anything is created (run-round.ts).
    const roundBranch = task.round ? await readyRoundBranch(scope, task.round) : null;
    worktree = await createAgentWorktree({
      repo: req.repo.repo,
      agent: task.agent,
      taskId: task.taskId,
      base: req.integration,
      lockReason: WORKTREE_LOCK_REASON,
      ...(deps.progress ? { onProgress: worktreeProgress(task.runId, deps.progress) } : {}),
    });
    if (!worktree.created) await lockWorktree(req.repo.repo, worktree.path, WORKTREE_LOCK_REASON);
    scope.audit(worktree.created ? "worktree.created" : "worktree.reused", {
      sha: worktree.baseSha,
      details: { path: worktree.path, base: req.integration },
    });
    scope.system(await describeWorktree(req.repo.repo, req.integration, worktree));
    const round = task.round && roundBranch ? await startRound(scope, task.round, worktree, roundBranch) : null;
    // A round's diff is measured from the round before (or, started again, from the integration head).
    const baseSha = round?.brief.baseSha ?? worktree.baseSha;
    scope.system(`slot ${lease.slot}, ports ${scope.leaseEnv.GROVE_PORTS ?? ""}`);
    scope.setState("running", { worktreePath: worktree.path, baseSha });

    const exit = await setUpAndRunAgent(scope, { ...worktree, baseSha }, round, runSignal);
    // Its setup and agent are done: what they took at their peak is what the next run of the profile expects.
    scope.ticket.release();
    // Its agent is done: the budget stops it no more, and what it used was counted as it went.
    scope.spend.leave();
    await unlockWorktree(req.repo.repo, worktree.path);
    const conflicts = round?.conflicts ?? [];
    final = await finishRun(scope, { worktreePath: worktree.path, baseSha, conflicts }, exit, runSignal);
  } catch (error) {
    final = runSignal.aborted ? stopState(runSignal) : "failed";
    const stoppedBy = scope.budgetStop;
    const message = runSignal.aborted
      ? `run ${final}${stoppedBy ? `: ${stoppedBy}` : ""}`
      : isDomainError(error)
        ? error.message
        : `unexpected error: ${describeError(error)}`;
    if (!runSignal.aborted) deps.log(`run ${task.runId} failed: ${message}`);
    scope.system(message);
    if (worktree) await unlockWorktree(req.repo.repo, worktree.path).catch(() => undefined);
    // Every run that started ends in the ledger, also one that never reached its agent's exit.
    scope.audit("run.ended", {
      details: { state: final, error: message.slice(0, 2_000), ...budgetDetails(scope) },
    });
    scope.setState(final, runSignal.aborted && !stoppedBy ? {} : { error: (stoppedBy ?? message).slice(0, 10_000) });
  } finally {
    scope.spend.leave();
    scope.ticket?.release();
    lease?.release();
  }
  const delivered = await scope.runLog.finish(FINISH_LOG_TIMEOUT_MS);
  if (!delivered) deps.log(`run ${task.runId}: log lines still unacknowledged; they stay spooled and keep shipping`);
  await scope.recorded();
  return final;
}

/**
 * The session spent its budget while this run waited: it ends before its worktree exists, cancelled with
 * the reason, in the log, the ledger and its state.
 */
async function endOverBudget(scope: RunScope, reason: string): Promise<RunState> {
  scope.spend?.leave();
  scope.budgetStop = reason;
  scope.system(`${reason}: this run does not start`);
  scope.audit("run.ended", { details: { state: "cancelled", error: reason, ...budgetDetails(scope) } });
  scope.setState("cancelled", { error: reason });
  await scope.runLog.finish(FINISH_LOG_TIMEOUT_MS);
  await scope.recorded();
  return "cancelled";
}

/** Where the agent works, and what its branch already holds when an earlier run left it there. */
async function describeWorktree(repo: string, integration: string, worktree: CreatedWorktree): Promise<string> {
  const from = `from ${integration} at ${worktree.baseSha.slice(0, 12)}`;
  if (worktree.created) return `worktree ready at ${worktree.path} on ${worktree.branch} (${from})`;
  const commits = await countCommits(repo, worktree.baseSha, worktree.branch).catch(() => null);
  const held = commits === null ? "" : `; ${commits} commit${commits === 1 ? "" : "s"} already on it`;
  return `reusing the worktree at ${worktree.path} on ${worktree.branch} (${from}${held})`;
}

async function setUpAndRunAgent(
  scope: RunScope,
  worktree: CreatedWorktree,
  round: StartedRound | null,
  signal: AbortSignal,
): Promise<AgentExit> {
  const { req, paths } = scope;
  const notRun: AgentExit = { exitCode: null, signal: null, durationMs: 0, cancelled: true, timedOut: false, error: null };
  const setup = req.repo.config.setup;
  if (setup !== undefined && !signal.aborted) {
    const result = await runSetup(scope, setup, worktree.path, signal);
    if (result.exitCode !== 0 && !result.cancelled)
      return { ...notRun, cancelled: false, error: `setup failed (${describeExit(result)})` };
  }
  if (signal.aborted) return notRun;
  await rm(paths.result, { force: true });
  await rm(paths.lastMessage, { force: true });
  const brainFiles = await findNamedBrainFiles(worktree.path, req.repo.config.brain, req.task.prompt);
  await writeContextPack(paths.contextPack, {
    brainFiles,
    sessionId: req.sessionId,
    task: req.task,
    branch: worktree.branch,
    integration: req.integration,
    worktreePath: worktree.path,
    baseSha: worktree.baseSha,
    brainDir: req.repo.config.brain,
    resultPath: paths.result,
    ...(round ? { round: round.brief } : {}),
  });
  await writeResultSchema(paths.resultSchema);
  const launch = round ? { prompt: round.prompt, resumeSessionId: round.resumeSessionId } : undefined;
  return runAgent(scope, worktree.path, signal, launch);
}
