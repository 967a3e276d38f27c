import { describeError, putFirstRefusal, type Ack, type MergeOutcome, type QueueSnapshot } from "@grove/core";
import { cpus } from "node:os";
import type { Logger } from "../logger.ts";
import { MergeWithdrawnError, QueueLeaseLostError } from "./merge-withdraw.ts";
import { queueSnapshot } from "./queue-snapshot.ts";
import { abandonQueue, drop, dropCandidate, stepQueue } from "./queue-step.ts";
import type { KeyedQueue, QueueItem, QueueJob } from "./queue-types.ts";

const PROGRESS_EVERY_MS = 1_000;

/**
 * The speculative merge queue: one queue per (repository, integration branch), entries in approval order.
 * Entry k is tested as the merge of its branch onto entry k-1's candidate (entry 0: onto the integration
 * head), up to `parallel` tests at once; an entry lands as soon as it passed and everything ahead of it
 * landed. With parallel 1 it is the serial queue: each merge is built, tested and landed before the next.
 */
export type MergeQueue = {
  /** Queues an approved merge; resolves with its outcome, rejects with MergeWithdrawnError when withdrawn. */
  submit(job: QueueJob): Promise<MergeOutcome>;
  /** How many entries wait ahead in this queue. */
  size(repoPath: string, integration: string): number;
  /** Undo an approval (by merge request id, or run id headless): ok unless the merge is landing now; a running test is aborted. */
  withdraw(id: string): Ack;
  /**
   * An approver's "put first" (core put-first.ts): the request moves to the front of the entries not yet
   * landing; a test under way on its old candidate is aborted. The hub audits it, with who asked.
   */
  prioritize(mergeRequestId: string): Ack;
  snapshots(): QueueSnapshot[];
  /** Another runner owns this queue now: its entries here leave it (rejected with QueueLeaseLostError), unreported. */
  abandon(repoPath: string, integration: string, reason: string): void;
  /** Resolves once every entry queued so far has settled. */
  idle(): Promise<void>;
};

export type MergeQueueOptions = {
  log?: Logger;
  /** A queue changed (an entry came, moved, started or finished a test, landed or left). */
  onChange?: (snapshot: QueueSnapshot) => void;
  /** A landing of this queue was refused by its lease fence. */
  onFenced?: (repoPath: string, integration: string) => void;
};

/** grove.yaml `queue.parallel`, or half the cores (1 to 4): tests compete for the same cores as the agents. */
export function queueParallelOf(config: { queue?: { parallel: number } }, cores = cpus().length): number {
  return config.queue?.parallel ?? Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

export function createMergeQueue(options: MergeQueueOptions = {}): MergeQueue {
  const log = options.log ?? (() => undefined);
  const queues = new Map<string, KeyedQueue>();
  const outcomes = new Set<Promise<unknown>>();

  const changed = (q: KeyedQueue) => options.onChange?.(queueSnapshot(q, Date.now()));
  // Test output moves only the line counts: at most one snapshot a second for it, not one per line.
  const progressTimers = new Map<string, NodeJS.Timeout>();
  const progress = (q: KeyedQueue) => {
    if (progressTimers.has(q.key)) return;
    const timer = setTimeout(() => {
      progressTimers.delete(q.key);
      changed(q);
    }, PROGRESS_EVERY_MS);
    timer.unref();
    progressTimers.set(q.key, timer);
  };
  const kick = (q: KeyedQueue): void => {
    q.dirty = true;
    if (q.stepping) return;
    q.stepping = (async () => {
      while (q.dirty) {
        q.dirty = false;
        const fenced = () => {
          log(`merge queue of ${q.integration} in ${q.repoPath}: a landing was refused by the queue's lease fence`);
          options.onFenced?.(q.repoPath, q.integration);
          abandonQueue(q, new QueueLeaseLostError(`another runner owns the merge queue of ${q.integration} now`));
        };
        await stepQueue(q, { kick: () => kick(q), progress: () => progress(q), log, fenced }).catch((error: unknown) => {
          log(`merge queue of ${q.integration} in ${q.repoPath}: ${describeError(error)}`);
          failAll(q, `the merge queue failed: ${describeError(error)}`);
        });
        changed(q);
      }
      q.stepping = null;
    })();
  };
  // A hub merge is known by its merge request, a headless one by its run.
  const find = (id: string) => {
    for (const q of queues.values()) {
      const item = q.items.find((i) => (i.job.mergeRequestId ?? i.job.runId) === id);
      if (item) return { q, item };
    }
    return null;
  };

  return {
    submit(job) {
      const key = `${job.repoPath}\0${job.integration}`;
      let q = queues.get(key);
      if (!q) {
        q = newQueue(key, job);
        queues.set(key, q);
      }
      q.parallel = job.parallel;
      const queue = q;
      const outcome = new Promise<MergeOutcome>((resolve, reject) => {
        const item: QueueItem = {
          key,
          job,
          prioritized: false,
          landing: false,
          built: null,
          passed: null,
          failed: null,
          run: null,
          generation: 0,
          // The outcome's audit, deposit report and cleanup run outside the queue's pass: the next entry may land meanwhile.
          settle: (result) => {
            changed(queue);
            void job
              .finish(result, item.built?.result.kind === "built" ? item.built.result.candidate : null)
              .then(resolve, reject);
          },
          withdraw: reject,
        };
        queue.items.push(item);
      });
      outcomes.add(outcome);
      void outcome.then(
        () => outcomes.delete(outcome),
        () => outcomes.delete(outcome),
      );
      kick(queue);
      return outcome;
    },
    size: (repoPath, integration) => queues.get(`${repoPath}\0${integration}`)?.items.length ?? 0,
    withdraw(mergeRequestId) {
      const found = find(mergeRequestId);
      if (!found) return { ok: true };
      if (found.item.landing) return { ok: false, error: "the runner is landing this merge now" };
      dropCandidate(found.item);
      drop(found.q, found.item);
      found.item.withdraw(new MergeWithdrawnError(mergeRequestId));
      kick(found.q);
      return { ok: true };
    },
    prioritize(mergeRequestId) {
      const found = find(mergeRequestId);
      if (!found) return { ok: false, error: `merge request ${mergeRequestId} does not wait in this runner's merge queue` };
      const { q, item } = found;
      const stateOf = (i: QueueItem) => ({ state: i.landing ? ("landing" as const) : ("waiting" as const) });
      const refusal = putFirstRefusal(stateOf(item), q.items.slice(0, q.items.indexOf(item)).map(stateOf));
      if (refusal) return { ok: false, error: `merge request ${mergeRequestId} cannot be put first: ${refusal}` };
      drop(q, item);
      const front = q.items.findIndex((i) => !i.landing);
      q.items.splice(front < 0 ? q.items.length : front, 0, item);
      item.prioritized = true;
      kick(q);
      return { ok: true };
    },
    abandon(repoPath, integration, reason) {
      const q = queues.get(`${repoPath}\0${integration}`);
      if (q) abandonQueue(q, new QueueLeaseLostError(reason));
    },
    snapshots: () => [...queues.values()].map((q) => queueSnapshot(q, Date.now())),
    async idle() {
      // Also the tests of entries that left the queue (withdrawn, stale): nothing of the queue runs after this.
      const running = () => [...outcomes, ...[...queues.values()].flatMap((q) => [...q.tests])];
      while (running().length > 0) await Promise.allSettled(running());
    },
  };
}

function newQueue(key: string, job: QueueJob): KeyedQueue {
  const { repoPath, integration } = job;
  return {
    key,
    repoPath,
    integration,
    items: [],
    head: null,
    parallel: 1,
    slotsInUse: new Set(),
    tests: new Set(),
    durations: [],
    stepping: null,
    dirty: false,
  };
}

/** An unexpected error in the queue itself (not in a merge): every entry not landing is refused, none is lost. */
function failAll(q: KeyedQueue, reason: string): void {
  for (const item of [...q.items]) {
    if (item.landing) continue;
    dropCandidate(item);
    drop(q, item);
    item.settle({ kind: "refused", reason });
  }
}
