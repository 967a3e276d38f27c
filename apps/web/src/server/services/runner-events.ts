import { ResultSchema } from "@grove/core";
import { insertLogLines, readLogWatermark, recordReportedRunState, recordRunReport, runUsageData, type Db } from "@grove/db";
import { z } from "zod";
import type { Hub } from "../hub/create-hub.ts";
import type { RunnerHandlers } from "../hub/runner-handlers.ts";
import { openMergeRequestIfGreen, recordMergeResult } from "./merges.ts";
import { recordRunnerAudit } from "./runner-audit.ts";
import { settleEarlierRounds } from "./round-end.ts";
import { recordBranchDiff, recordMergeProgress, recordRadarSnapshot } from "./radar.ts";
import { resendQueueMerges, resumeMerges } from "./merge-dispatch.ts";
import { handleQueueLease } from "./queue-owners.ts";
import { recordQueueSnapshot } from "./merge-queue.ts";

const MAX_CACHED_OWNERS = 10_000;

/** What the hub does with each runner event: persist, audit, fan out. */
export function createRunnerEventHandlers(deps: { db: Db; hub: Hub }): RunnerHandlers {
  const { db, hub } = deps;
  // Batches of one run are persisted in arrival order so the watermark only grows.
  const logQueues = new Map<string, Promise<number>>();
  // A run never changes runner: its owner is looked up once, not for every log batch.
  const owners = new Map<string, string>();
  const checkOwner = async (runnerId: string, runId: string) => {
    if (owners.get(runId) === runnerId) return;
    await ownedRun(db, runnerId, runId);
    if (owners.size >= MAX_CACHED_OWNERS) owners.delete(owners.keys().next().value ?? "");
    owners.set(runId, runnerId);
  };

  return {
    async hello(runnerId, payload) {
      await db.runner.update({
        where: { id: runnerId },
        data: { host: payload.host, version: payload.version, repos: JSON.stringify(payload.repos), lastSeenAt: new Date() },
      });
      hub.broadcastChanged({ scope: "runners", id: runnerId });
      // Not awaited: the runner's hello must be acknowledged before it can report anything.
      void hub
        .track(resumeMerges(deps, runnerId))
        .catch((error: unknown) => console.error(`resuming merges of runner ${runnerId} failed:`, error));
    },

    async runState(runnerId, payload) {
      const run = await ownedRun(db, runnerId, payload.runId);
      // A report the run's lifecycle refuses (a step back, a change after its end) is acknowledged and dropped.
      const step = await recordReportedRunState(db, payload);
      if (step.kind !== "applied") return;
      // The end follows the report, so a round that opened no request by now opens none.
      await settleEarlierRounds(deps, run.id);
      hub.broadcastChanged({ scope: "runs", id: run.id });
      hub.broadcastChanged({ scope: "sessions", id: run.sessionId });
    },

    async runLog(runnerId, payload) {
      await checkOwner(runnerId, payload.runId);
      const previous = logQueues.get(payload.runId) ?? Promise.resolve(0);
      const next = previous.catch(() => 0).then(() => insertLogLines(db, payload.runId, payload.lines, payload.body));
      logQueues.set(payload.runId, next);
      const ackedSeq = await next;
      if (logQueues.get(payload.runId) === next) logQueues.delete(payload.runId);
      // Only what is stored goes out: a batch past a gap is not, and comes again.
      const stored = payload.lines.filter((line) => line.seq <= ackedSeq);
      const rows = stored.length === payload.lines.length ? payload.body : undefined;
      if (stored.length > 0) hub.publishLogLines(payload.runId, stored, rows);
      return ackedSeq;
    },

    async logWatermark(runnerId, payload) {
      await checkOwner(runnerId, payload.runId);
      // After the batches of this run already in the queue: a batch a killed runner sent may still be on its way in.
      await logQueues.get(payload.runId)?.catch(() => 0);
      return readLogWatermark(db, payload.runId);
    },

    async runReport(runnerId, payload) {
      const run = await ownedRun(db, runnerId, payload.runId);
      let resultError = payload.resultError;
      let result: string | null = null;
      if (payload.result !== null) {
        const parsed = ResultSchema.safeParse(payload.result);
        if (parsed.success) result = JSON.stringify(parsed.data);
        else resultError = `RESULT is invalid:\n${z.prettifyError(parsed.error)}`;
      }
      await recordRunReport(db, run.id, {
        exitCode: payload.exitCode,
        headSha: payload.headSha,
        baseSha: payload.baseSha ?? undefined,
        diffStat: payload.diffStat,
        testStatus: payload.test.status,
        testExitCode: payload.test.exitCode,
        testMs: payload.test.durationMs,
        result,
        resultError,
        ...runUsageData(payload.usage),
        refusedActions: payload.refusedActions,
      });
      await openMergeRequestIfGreen(deps, run.id);
      hub.broadcastChanged({ scope: "runs", id: run.id });
    },

    async audit(runnerId, payload) {
      await recordRunnerAudit(db, runnerId, payload);
      hub.broadcastChanged({ scope: "audit" });
    },

    async mergeResult(runnerId, payload) {
      await recordMergeResult(deps, runnerId, payload.mergeRequestId, payload.outcome);
    },

    mergeProgress: (runnerId, payload) => recordMergeProgress(deps, runnerId, payload),
    async runProgress(runnerId, payload) {
      await checkOwner(runnerId, payload.runId);
      hub.publishRunProgress(payload);
    },
    radarSnapshot: (runnerId, payload) => recordRadarSnapshot(deps, runnerId, payload),
    branchDiff: (runnerId, payload) => recordBranchDiff(deps, runnerId, payload),
    queueSnapshot: (runnerId, payload) => recordQueueSnapshot(deps, runnerId, payload),
    queueLease: (runnerId, payload) =>
      handleQueueLease(
        {
          ...deps,
          onNewOwner: (ownerId, key) =>
            void resendQueueMerges(deps, ownerId, key).catch((error: unknown) =>
              console.error(`handing the merge queue ${key.integration} to runner ${ownerId} failed:`, error),
            ),
        },
        runnerId,
        payload,
      ),
  };
}

async function ownedRun(db: Db, runnerId: string, runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, include: { session: { select: { runnerId: true } } } });
  if (!run || run.session.runnerId !== runnerId) throw new Error(`run ${runId} is not one of this runner's runs`);
  return run;
}
