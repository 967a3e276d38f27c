import { isRunnerAuditAction, type MergeExecute, type MergeOutcome, type MergeStage, describeError } from "@grove/core";
import type { RepoContext } from "@grove/core/node";
import { ACK_TIMEOUT_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import { landAgentBranch, type LandDeps } from "./land-agent-branch.ts";
import type { MergeQueue } from "./merge-queue.ts";
import type { RunLeases } from "../run/run-leases.ts";

export type HubMergeDeps = Pick<LandDeps, "queueFence"> & {
  hub: HubOutbox;
  link: HubLink;
  queue: MergeQueue;
  leases: RunLeases;
  log: Logger;
};

/**
 * Executes the hub's `merge:execute` through the merge queue and reports back: progress as it goes
 * (best effort), every step as an audit record and the outcome as `merge:result` (both retried until
 * acknowledged). A conflict, red merged-tree tests, a moved branch or a refusal keep the branch. Never throws.
 */
export async function landHubMerge(deps: HubMergeDeps, repo: RepoContext, req: MergeExecute): Promise<MergeOutcome> {
  const progress = (stage: MergeStage, detail?: string) => {
    if (!deps.link.isReady()) return;
    deps.link.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("merge:progress", { mergeRequestId: req.mergeRequestId, stage, at: Date.now(), ...(detail ? { detail } : {}) })
      .catch((error: unknown) => deps.log(`merge:progress not acknowledged: ${describeError(error)}`));
  };
  const outcome = await landAgentBranch(
    {
      queue: deps.queue,
      leases: deps.leases,
      log: deps.log,
      ...(deps.queueFence ? { queueFence: deps.queueFence } : {}),
      onStage: progress,
      // Approvals are the hub's to record (it refuses a runner's); only the runner's own steps go out.
      audit: (record) => {
        if (isRunnerAuditAction(record.action)) void deps.hub.send("audit:record", { ...record, details: record.details ?? {} });
      },
    },
    {
      repo,
      integration: req.integration,
      branch: req.branch,
      headSha: req.headSha,
      runId: req.runId,
      sessionId: req.sessionId,
      approval: req.approval ?? { kind: "user", by: "unknown" },
      result: req.result,
      message: req.message,
      context: { mergeRequestId: req.mergeRequestId },
    },
  );
  void deps.hub.send("merge:result", { mergeRequestId: req.mergeRequestId, outcome });
  return outcome;
}
