import type { QueueSnapshot } from "@grove/core";

/** A runner's latest report of one of its merge queues (one per repository and integration branch). */
export type StoredQueue = { runnerId: string; snapshot: QueueSnapshot };

/**
 * Where the hub keeps the runners' merge queues. Asynchronous on purpose: with several dashboard instances the
 * queues live in a store they share, not in one process's memory.
 */
export type QueueStore = {
  /** Keeps the snapshot unless a newer one of the same queue is already kept; refused past the bounds. */
  put(runnerId: string, snapshot: QueueSnapshot): Promise<PutOutcome>;
  /** A runner that went away no longer owns any queue the hub shows. */
  dropRunner(runnerId: string): Promise<void>;
  list(): Promise<StoredQueue[]>;
};

export type PutOutcome = { kind: "kept" } | { kind: "stale" } | { kind: "refused"; reason: string };

export type QueueStoreLimits = { queuesPerRunner: number; queues: number };
/** Each snapshot is bounded by its schema (200 entries); these bound how many the hub holds. */
export const QUEUE_STORE_LIMITS: QueueStoreLimits = { queuesPerRunner: 32, queues: 512 };

const keyOf = (runnerId: string, s: Pick<QueueSnapshot, "repoPath" | "integration">) =>
  JSON.stringify([runnerId, s.repoPath, s.integration]);

/** One dashboard instance's queues, in memory. An empty queue is not kept: there is nothing to show. */
export function createMemoryQueueStore(limits: QueueStoreLimits = QUEUE_STORE_LIMITS): QueueStore {
  const queues = new Map<string, StoredQueue>();
  const countOf = (runnerId: string) => [...queues.values()].filter((q) => q.runnerId === runnerId).length;

  return {
    put(runnerId, snapshot) {
      const key = keyOf(runnerId, snapshot);
      const kept = queues.get(key);
      // Snapshots of one queue may finish their checks out of order; the newest stays.
      if (kept && kept.snapshot.at > snapshot.at) return Promise.resolve({ kind: "stale" });
      if (snapshot.entries.length === 0) {
        queues.delete(key);
        return Promise.resolve({ kind: "kept" });
      }
      if (!kept && countOf(runnerId) >= limits.queuesPerRunner)
        return Promise.resolve({ kind: "refused", reason: `a runner reports at most ${limits.queuesPerRunner} merge queues` });
      if (!kept && queues.size >= limits.queues)
        return Promise.resolve({ kind: "refused", reason: `the hub holds at most ${limits.queues} merge queues` });
      queues.set(key, { runnerId, snapshot });
      return Promise.resolve({ kind: "kept" });
    },
    dropRunner(runnerId) {
      for (const [key, queue] of queues) if (queue.runnerId === runnerId) queues.delete(key);
      return Promise.resolve();
    },
    list: () => Promise.resolve([...queues.values()]),
  };
}
