import { describeError, formatBytes } from "@grove/core";
import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.ts";
import { interruptLeftRun, runInterruptedAudit } from "../run/interrupt-left-run.ts";
import { listRunRecords, TERMINAL_STATES, type RunRecord } from "../run/run-record.ts";
import { runPaths } from "../run/run-paths.ts";
import { appendLocalAudit, sessionAuditPath } from "./audit-file.ts";
import { takeRunningClaim } from "./session-running-claim.ts";

/**
 * At the start of `grove session run`: the runs a `grove session run` left live when it died (kill -9, a third
 * Ctrl-C, a crash) are ended as interrupted, as a runner's restart ends its own (interruptLeftRun: an agent that
 * outlived it stopped, its worktree unlocked, worktree and branch kept), each with `run.interrupted` in its session's
 * audit trail. Otherwise they would stay "running" for good: never cleaned up, never tested, their agents
 * unwatched. `current` is the session this process claimed (its runs have not started); any other session's are
 * taken only when its claim can be taken, i.e. no live process runs it. A runner's runs (no session folder) are
 * its own to recover. Returns the run ids it ended.
 */
export async function recoverDeadSessionRuns(dataDir: string, current: string, log: Logger): Promise<string[]> {
  const bySession = new Map<string, RunRecord[]>();
  for (const record of await listRunRecords(dataDir)) {
    if (TERMINAL_STATES.includes(record.state)) continue;
    bySession.set(record.sessionId, [...(bySession.get(record.sessionId) ?? []), record]);
  }
  const ended: string[] = [];
  for (const [sessionId, records] of bySession) {
    const sessionDir = join(dataDir, "sessions", sessionId);
    if (!(await exists(sessionDir))) continue;
    if (sessionId === current) {
      ended.push(...(await endRuns(dataDir, records, log)));
      continue;
    }
    const taken = await takeRunningClaim(sessionDir).catch(() => ({ heldBy: "unknown" }));
    if (!("claim" in taken)) continue;
    try {
      ended.push(...(await endRuns(dataDir, records, log)));
    } finally {
      await taken.claim.release();
    }
  }
  return ended;
}

async function endRuns(dataDir: string, records: RunRecord[], log: Logger): Promise<string[]> {
  const ended: string[] = [];
  for (const record of records) {
    log(
      `run ${record.runId} (session ${record.sessionId}) was ${record.state} when its grove process died; ` +
        `marking it interrupted (its worktree and branch are kept)`,
    );
    try {
      const left = await interruptLeftRun(dataDir, record, log);
      const output = runPaths(dataDir, record.runId).agentCapture;
      const printed = await stat(join(output, "stdout.log")).catch(() => null);
      // No hub stores a headless run's lines: what its agent printed after its grove process died is only there.
      if (printed !== null)
        log(
          `run ${record.runId}: all its agent printed (${formatBytes(printed.size)} on stdout), also after its grove process died, is kept in ${output}`,
        );
      await appendLocalAudit(sessionAuditPath(dataDir, record.sessionId), [
        { actorType: "runner", actorId: "grove", ...runInterruptedAudit(record, left) },
      ]);
      ended.push(record.runId);
    } catch (error) {
      log(`run ${record.runId}: could not end it as interrupted: ${describeError(error)}`);
    }
  }
  return ended;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
