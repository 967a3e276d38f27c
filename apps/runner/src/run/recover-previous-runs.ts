import { describeError } from "@grove/core";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../logger.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import { agentOutputFromStart, replayAgentOutput, savedAgentOutput } from "../log/agent-output.ts";
import { LogClosedError, type LogShipper } from "../log/run-log.ts";
import { runPaths } from "./run-paths.ts";
import { isHeadlessSessionRunning } from "../headless/session-running-claim.ts";
import { interruptLeftRun, runInterruptedAudit } from "./interrupt-left-run.ts";
import { listRunRecords, TERMINAL_STATES } from "./run-record.ts";

const INTERRUPTED_ERROR =
  "The runner stopped while this run was live. Its worktree and branch are kept; `grove doctor` lists what was left behind.";

/** A run the previous runner left live: whether its agent had started, and the group it was stopped in. */
type LiveRun = { hasAgentStarted: boolean; stoppedGroup: number | null };
type Deps = { hub: HubOutbox; shipper: LogShipper; dataDir: string; log: Logger };

/**
 * After a runner restart: runs the previous runner left live are reported interrupted (their
 * worktree and branch are kept), an agent that outlived the runner is stopped (nobody would capture its
 * output, enforce its timeout or keep its port lease any more), and, once the hub has said where each run's
 * stored log ends, every spooled line the hub never acknowledged is shipped and what the agent printed past
 * the spool is read back from its output files.
 */
export async function recoverPreviousRuns(deps: Deps): Promise<void> {
  const live = new Map<string, LiveRun>();
  for (const record of await listRunRecords(deps.dataDir)) {
    if (TERMINAL_STATES.includes(record.state)) continue;
    // A `grove session run` sharing the data folder runs it, and is alive: not the previous runner's.
    if (await isHeadlessSessionRunning(deps.dataDir, record.sessionId)) continue;
    deps.log(`run ${record.runId} was ${record.state} when the runner stopped; marking it interrupted`);
    const left = await interruptLeftRun(deps.dataDir, record, deps.log);
    live.set(record.runId, { hasAgentStarted: left.pgid !== null, stoppedGroup: left.stoppedGroup });
    void deps.hub.send("run:state", {
      runId: record.runId,
      state: "interrupted",
      at: Date.now(),
      ...(record.worktreePath ? { worktreePath: record.worktreePath } : {}),
      error: INTERRUPTED_ERROR,
    });
    void deps.hub.send("audit:record", runInterruptedAudit(record, left));
  }

  const spoolDir = join(deps.dataDir, "spool");
  const spooled = (await readdir(spoolDir).catch(() => []))
    .filter((file) => file.endsWith(".jsonl"))
    .map((file) => file.slice(0, -".jsonl".length));
  // In the background: each waits for the hub to say where the run's stored log ends.
  for (const runId of new Set([...spooled, ...live.keys()])) void resumeLog(deps, runId, live.get(runId));
}

async function resumeLog(deps: Deps, runId: string, run: LiveRun | undefined): Promise<void> {
  try {
    // Checks the run id too: it is a file name an earlier runner left in the spool folder.
    const paths = runPaths(deps.dataDir, runId);
    const runLog = await deps.shipper.resume(runId, paths.spool);
    if (!runLog) return;
    // No checkpoint of its output in the spool, though the agent started: none of its lines reached it.
    const from = savedAgentOutput(runLog) ?? (run?.hasAgentStarted ? agentOutputFromStart(paths.agentCapture) : null);
    const replayed = from ? await replayAgentOutput(runLog, from) : 0;
    if (replayed > 0) deps.log(`run ${runId}: ${replayed} line(s) of its agent's output read back from its output files`);
    if (run && run.stoppedGroup !== null) {
      runLog.write(
        "system",
        `grove: the agent outlived the runner and was stopped when the runner restarted (process group ${run.stoppedGroup}); what it printed that no runner had logged was read back from its output files (${replayed} line${replayed === 1 ? "" : "s"}, above)`,
      );
    }
    // Ships in the background; the spool file goes once the hub has acknowledged all of it.
    void runLog.finish(0);
  } catch (error) {
    if (error instanceof LogClosedError)
      deps.log(
        `run ${runId}: the runner stopped while reading back its agent's output; the next runner reads on (its files are kept)`,
      );
    else deps.log(`cannot replay the log of ${runId}: ${describeError(error)}`);
  }
}
