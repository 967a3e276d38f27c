import type { Ack } from "@grove/core";
import type { MergeExecute, MergeOutcome } from "@grove/core";
import type { RepoContext } from "@grove/core/node";
import { type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import { createMergeQueue } from "./merge-queue.ts";
import { landHubMerge } from "./land-hub-merge.ts";
import { MergeWithdrawnError, QueueLeaseLostError } from "./merge-withdraw.ts";
import { createQueueOwnership, type OwnAnswer } from "./queue-ownership.ts";
import { sendQueueSnapshots } from "./queue-reports.ts";
import { removeLeftoverTrees } from "./recover-interrupted-merges.ts";
import { startOverlapRadar } from "./overlap-radar.ts";
import type { RunLeases } from "../run/run-leases.ts";

export type HubMergeService = {
  /** Runs an approved merge through the merge queue of its integration branch. */
  execute(repo: RepoContext, req: MergeExecute): Promise<MergeOutcome>;
  /** Undo an approval: ok unless the merge is landing now (a running merged-tree test is aborted). */
  withdraw(mergeRequestId: string): Ack;
  /** An approver's "put first". */
  prioritize(mergeRequestId: string): Ack;
  /** Whether this runner owns the merge queue of `integration` (taking its lease when free): only its owner lands into it. */
  own(repo: RepoContext, integration: string): Promise<OwnAnswer>;
  /** Something changed (a run ended): refresh the overlap radar now. */
  poke(): void;
  stop(): Promise<void>;
};

/**
 * The runner's half of the merge gate: takes the hub's `merge:execute` (each merge request once, however
 * often the hub resends it) into the merge queues, and runs the overlap radar of the served repositories.
 */
export function serveHubMerges(deps: {
  hub: HubOutbox;
  link: HubLink;
  leases: RunLeases;
  log: Logger;
  repos: string[];
  radarIntervalMs?: number;
  /** One owner per merge queue: the repositories' `grove.repositoryId` by path, the lease's duration, this process's id. */
  queueLease: {
    repositoryIds: ReadonlyMap<string, string>;
    durationMs: number;
    instance: string;
    integrations: ReadonlyMap<string, string>;
  };
}): HubMergeService {
  const sendSnapshot = sendQueueSnapshots(deps.link, deps.log);
  const ownership = createQueueOwnership({
    link: deps.link,
    log: deps.log,
    durationMs: deps.queueLease.durationMs,
    instance: deps.queueLease.instance,
    onLost: (repoPath, integration) =>
      queue.abandon(repoPath, integration, `another runner owns the merge queue of ${integration} now`),
  });
  const queue = createMergeQueue({ log: deps.log, onChange: sendSnapshot, onFenced: (repo, into) => ownership.lost(repo, into) });
  // Every served repository's integration branch is contended for from the start: a runner standing by takes a dead owner's queue over.
  for (const [repoPath, repositoryId] of deps.queueLease.repositoryIds) {
    const integration = deps.queueLease.integrations.get(repoPath);
    if (integration) ownership.contend(repoPath, repositoryId, integration);
  }
  // A hub that was away (or restarted) missed the queue's changes meanwhile: it gets each queue as it is now.
  deps.link.onReady(() => {
    for (const snapshot of queue.snapshots()) sendSnapshot(snapshot);
  });
  const inFlight = new Map<string, Promise<MergeOutcome>>();
  // A runner killed mid merged-tree test left its temporary worktree behind; nothing else will remove it.
  for (const repo of deps.repos) void removeLeftoverTrees(repo, deps.log);
  const radar = startOverlapRadar({ link: deps.link, repos: deps.repos, log: deps.log, intervalMs: deps.radarIntervalMs });
  return {
    execute(repo, req) {
      // The hub resends merges it has no result for (after a reconnect); one in progress is not queued twice.
      const id = req.mergeRequestId;
      const running = inFlight.get(id);
      if (running) return running;
      const queueFence = (repoPath: string, integration: string) => ownership.fenceOf(repoPath, integration);
      const merge = landHubMerge(
        { hub: deps.hub, link: deps.link, queue, leases: deps.leases, log: deps.log, queueFence },
        repo,
        req,
      )
        .catch((error: unknown): MergeOutcome => {
          // Lost to another runner: the queue's new owner reports; a result from here would contradict it.
          if (error instanceof QueueLeaseLostError) {
            deps.log(`merge ${id} of ${req.branch}: left to the queue's new owner (${error.message})`);
            return { kind: "refused", reason: error.message };
          }
          // Withdrawn: the hub turned the request back to open; a result would contradict it.
          if (!(error instanceof MergeWithdrawnError)) throw error;
          deps.log(`merge ${id} of ${req.branch}: withdrawn before it landed; skipped`);
          return { kind: "refused", reason: error.message };
        })
        .finally(() => {
          inFlight.delete(id);
          radar.poke();
        });
      inFlight.set(id, merge);
      return merge;
    },
    async own(repo, integration) {
      const repositoryId = deps.queueLease.repositoryIds.get(repo.repo);
      if (!repositoryId) return { kind: "other", reason: `${repo.repo} has no grove.repositoryId` };
      return ownership.own(repo.repo, repositoryId, integration);
    },
    withdraw: (id) => queue.withdraw(id),
    prioritize: (id) => queue.prioritize(id),
    poke: () => radar.poke(),
    async stop() {
      await queue.idle();
      await ownership.stop();
      await radar.stop();
    },
  };
}
