import { describeError, RUN_PROGRESS_STEP_PERCENT, type RunProgress } from "@grove/core";
import type { GitProgress } from "@grove/core/node";
import { gitStageName, throttleGitProgress } from "../commands/git-progress-line.ts";
import { ACK_TIMEOUT_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

/** Where a run's progress goes: the hub (daemon) or a log line (a headless session). */
export type ProgressSink = (event: RunProgress) => void;

/** git's checkout progress of a run's new worktree as `run:progress` events, one per 5 % step. */
export function worktreeProgress(runId: string, sink: ProgressSink): (progress: GitProgress) => void {
  return throttleGitProgress(RUN_PROGRESS_STEP_PERCENT, (progress) =>
    sink({
      runId,
      step: "worktree",
      phase: gitStageName(progress.stage).slice(0, 60),
      percent: Math.max(0, Math.min(100, progress.progress)),
      processed: progress.processed,
      total: progress.total,
      at: Date.now(),
    }),
  );
}

/** Best effort, like `merge:progress`: while the hub is unreachable progress is dropped, never queued. */
export function sendProgressToHub(link: HubLink, log: Logger): ProgressSink {
  return (event) => {
    if (!link.isReady()) return;
    link.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("run:progress", event)
      .catch((error: unknown) => log(`run:progress not acknowledged: ${describeError(error)}`));
  };
}

/** A headless session's progress: lines in its log, one per 25 % step of each run's phase. */
export function logProgress(log: Logger): ProgressSink {
  const shown = new Map<string, number>();
  return (event) => {
    const key = `${event.runId} ${event.phase}`;
    const step = event.percent >= 100 ? 100 : Math.floor(event.percent / 25) * 25;
    if ((shown.get(key) ?? -1) >= step) return;
    if (step === 100) shown.delete(key);
    else shown.set(key, step);
    log(`run ${event.runId}: ${event.step} ${event.phase} ${event.percent}% (${event.processed}/${event.total})`);
  };
}
