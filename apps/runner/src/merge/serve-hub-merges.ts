import type { Ack } from "@grove/core";
import type { MergeExecute, MergeOutcome } from "@grove/core";
import type { RepoContext } from "@grove/core/node";
import { type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { HubOutbox } from "../hub/hub-outbox.ts";
import { createMergeQueue } from "./merge-queue.ts";
import { landHubMerge } from "./land-hub-merge.ts";
import { createWithdrawals, MergeWithdrawnError } from "./merge-withdraw.ts";
import { removeLeftoverTrees } from "./recover-interrupted-merges.ts";
import { startOverlapRadar } from "./overlap-radar.ts";
import type { RunLeases } from "../run/run-leases.ts";

export type HubMergeService = {
  /** Runs an approved merge through the merge queue of its integration branch. */
  execute(repo: RepoContext, req: MergeExecute): Promise<MergeOutcome>;
  /** Undo an approval: ok while the merge still waits in the queue (it then never starts). */
  withdraw(mergeRequestId: string): Ack;
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
}): HubMergeService {
  const queue = createMergeQueue();
  const inFlight = new Map<string, Promise<MergeOutcome>>();
  const withdrawals = createWithdrawals();
  // A runner killed mid merged-tree test left its temporary worktree behind; nothing else will remove it.
  for (const repo of deps.repos) void removeLeftoverTrees(repo, deps.log);
  const radar = startOverlapRadar({ link: deps.link, repos: deps.repos, log: deps.log, intervalMs: deps.radarIntervalMs });
  return {
    execute(repo, req) {
      // The hub resends merges it has no result for (after a reconnect); one in progress is not queued twice.
      const id = req.mergeRequestId;
      const running = inFlight.get(id);
      if (running) {
        withdrawals.revive(id);
        return running;
      }
      const guarded = withdrawals.guard(id, queue);
      const merge = landHubMerge(
        { hub: deps.hub, link: deps.link, queue: guarded, leases: deps.leases, log: deps.log },
        repo,
        req,
      )
        .catch((error: unknown): MergeOutcome => {
          // Withdrawn: the hub turned the request back to open; a result would contradict it.
          if (!(error instanceof MergeWithdrawnError)) throw error;
          deps.log(`merge ${id} of ${req.branch}: withdrawn before it started; skipped`);
          return { kind: "refused", reason: error.message };
        })
        .finally(() => {
          inFlight.delete(id);
          withdrawals.settled(id);
          radar.poke();
        });
      inFlight.set(id, merge);
      return merge;
    },
    withdraw: (id) => withdrawals.withdraw(id),
    poke: () => radar.poke(),
    async stop() {
      await queue.idle();
      await radar.stop();
    },
  };
}
