import { describeError, type RunnerAuditAction } from "@grove/core";
import { listRunProcessGroups, terminateGroup, unlockWorktree } from "@grove/core/node";
import type { Logger } from "../logger.ts";
import { meterAgentCapture, recountedUsage } from "./recount-agent-usage.ts";
import { runPaths } from "./run-paths.ts";
import { writeRunRecord, type RecordedUsage, type RunRecord } from "./run-record.ts";
import { WORKTREE_LOCK_REASON } from "./run-task.ts";

const ORPHAN_GRACE_MS = 5_000;

/** What interruptLeftRun did: the agent's process group (null when it never started) and the one it stopped, if any. */
export type LeftRun = { pgid: number | null; stoppedGroup: number | null };

/**
 * Ends, as interrupted, a run whose grove process died while it was live (a runner restarted, a `grove session run`
 * killed -9): an agent that outlived it is stopped (nobody would capture its output, enforce its timeout or keep its
 * port lease any more), grove's lock on its worktree is taken off, and what the agent used is recounted from its output
 * files for its session's budget. Its worktree and branch are kept. The caller reports it (hub or audit file).
 */
export async function interruptLeftRun(dataDir: string, record: RunRecord, log: Logger): Promise<LeftRun> {
  // Found by the run id in their environment, not only in the recorded group: a process killed between starting
  // the agent and recording its group left none in the record, and the agent runs on all the same.
  const groups = listRunProcessGroups(record.runId);
  for (const pgid of groups)
    log(`run ${record.runId}: its agent (process group ${pgid}) outlived its grove process; stopping it`);
  await Promise.all(groups.map((pgid) => terminateGroup(pgid, ORPHAN_GRACE_MS)));
  const stoppedGroup = groups.find((pgid) => pgid === record.pgid) ?? groups[0] ?? null;
  const pgid = record.pgid ?? stoppedGroup;
  // No agent is left in it: grove's own "agent session in progress" lock would only make `grove doctor` nag.
  if (record.worktreePath) {
    await unlockWorktree(record.repo, record.worktreePath, WORKTREE_LOCK_REASON).catch((error: unknown) =>
      log(`run ${record.runId}: could not unlock its worktree ${record.worktreePath}: ${describeError(error)}`),
    );
  }
  // What the agent used after its grove process died counts against its session's budget too.
  const usage = pgid === null ? record.usage : await recountUsage(dataDir, record, log);
  await writeRunRecord(dataDir, { ...record, state: "interrupted", ...(usage ? { usage } : {}) });
  return { pgid, stoppedGroup };
}

/** The audit record of a run interruptLeftRun ended: the same on the hub's ledger and in a session's audit file. */
export function runInterruptedAudit(record: RunRecord, left: LeftRun) {
  return {
    action: "run.interrupted" satisfies RunnerAuditAction,
    subject: record.branch,
    sessionId: record.sessionId,
    runId: record.runId,
    branch: record.branch,
    details: {
      previousState: record.state,
      worktreePath: record.worktreePath ?? null,
      pgid: left.pgid,
      orphanStopped: left.stoppedGroup !== null,
    },
  };
}

async function recountUsage(dataDir: string, record: RunRecord, log: Logger): Promise<RecordedUsage | undefined> {
  const whole = await meterAgentCapture(runPaths(dataDir, record.runId).agentCapture).catch((error: unknown) => {
    log(`run ${record.runId}: cannot read what its agent used from its output: ${describeError(error)}`);
    return null;
  });
  return recountedUsage(record, whole);
}
