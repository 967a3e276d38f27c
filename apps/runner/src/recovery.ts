import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describeError, type Logger } from "./hub-socket.ts";
import type { HubOutbox } from "./hub-outbox.ts";
import type { LogShipper } from "./log-shipper.ts";
import { assertSafeRunId } from "./run-paths.ts";
import { listRunRecords, TERMINAL_STATES, writeRunRecord } from "./run-record.ts";

const INTERRUPTED_ERROR = "The runner stopped while this run was live. Its worktree and branch are kept; `grove doctor` lists what was left behind.";

/**
 * After a runner restart: runs the previous runner left live are reported interrupted (their
 * worktree and branch are kept), and every spooled line the hub never acknowledged is shipped.
 */
export async function recoverPreviousRuns(deps: { hub: HubOutbox; shipper: LogShipper; dataDir: string; log: Logger }): Promise<void> {
  for (const record of await listRunRecords(deps.dataDir)) {
    if (TERMINAL_STATES.includes(record.state)) continue;
    deps.log(`run ${record.runId} was ${record.state} when the runner stopped; marking it interrupted`);
    await writeRunRecord(deps.dataDir, { ...record, state: "interrupted" });
    void deps.hub.send("run:state", {
      runId: record.runId,
      state: "interrupted",
      at: Date.now(),
      ...(record.worktreePath ? { worktreePath: record.worktreePath } : {}),
      error: INTERRUPTED_ERROR,
    });
    void deps.hub.send("audit:record", {
      action: "run.interrupted",
      subject: record.branch,
      sessionId: record.sessionId,
      runId: record.runId,
      branch: record.branch,
      details: { previousState: record.state, worktreePath: record.worktreePath ?? null, pgid: record.pgid ?? null },
    });
  }

  const spoolDir = join(deps.dataDir, "spool");
  for (const file of await readdir(spoolDir).catch(() => [])) {
    if (!file.endsWith(".jsonl")) continue;
    const runId = file.slice(0, -".jsonl".length);
    try {
      const runLog = await deps.shipper.open(assertSafeRunId(runId), join(spoolDir, file));
      // Ships in the background; the spool file goes once the hub has acknowledged all of it.
      void runLog.finish(0);
    } catch (error) {
      deps.log(`cannot replay the spool ${file}: ${describeError(error)}`);
    }
  }
}
