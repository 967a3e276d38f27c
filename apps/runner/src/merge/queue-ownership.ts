import { describeError, QueueLeaseAckSchema, type QueueLeaseAck } from "@grove/core";
import { claimQueueFence, type QueueFence } from "@grove/core/node";
import { ACK_TIMEOUT_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

export type OwnAnswer = { kind: "owner"; fence: QueueFence } | { kind: "other"; reason: string };

/**
 * This runner's side of "one owner per merge queue": a lease per (repository, integration branch) taken from the
 * hub (which keeps it in the database), renewed every third of its duration while held and retried as often
 * while another runner holds it, so a runner standing by takes a dead owner's queue over once its lease expired.
 * Taking it over moves the queue's fence in git (core queue-fence.ts) before anything of it lands here.
 */
export type QueueOwnership = {
  contend(repoPath: string, repositoryId: string, integration: string): void;
  /** Owner now (acquiring the lease first when this runner does not hold it), or why not. */
  own(repoPath: string, repositoryId: string, integration: string): Promise<OwnAnswer>;
  /**
   * The fence to land with: the last one this runner claimed, until it learns the queue is another's. Not
   * checked against the clock: a new owner moves the fence in git before it lands anything, so a landing with a
   * stale fence fails in git, and one that gets through landed before the new owner's first (which then finds it).
   */
  fenceOf(repoPath: string, integration: string): QueueFence | null;
  /** A landing found the fence moved: the queue is someone else's now. */
  lost(repoPath: string, integration: string): void;
  /** Releases every lease held, so a runner standing by takes the queues over at once. */
  stop(): Promise<void>;
};

type Entry = {
  repoPath: string;
  repositoryId: string;
  integration: string;
  fence: QueueFence | null;
  validUntil: number;
  other: string | null;
  pending: Promise<void> | null;
};

export function createQueueOwnership(deps: {
  link: HubLink;
  log: Logger;
  durationMs: number;
  instance: string;
  onLost: (repoPath: string, integration: string) => void;
}): QueueOwnership {
  const entries = new Map<string, Entry>();
  const keyOf = (repoPath: string, integration: string) => `${repoPath}\0${integration}`;
  let stopped = false;

  const ask = async (entry: Entry, op: "acquire" | "release"): Promise<QueueLeaseAck> => {
    const raw: unknown = await deps.link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("queue:lease", {
      op,
      repositoryId: entry.repositoryId,
      integration: entry.integration,
      instance: deps.instance,
      durationMs: deps.durationMs,
    });
    return QueueLeaseAckSchema.parse(raw);
  };
  const drop = (entry: Entry, why: string) => {
    if (!entry.fence) return;
    deps.log(`merge queue of ${entry.integration} in ${entry.repoPath}: no longer its owner (${why})`);
    entry.fence = null;
    deps.onLost(entry.repoPath, entry.integration);
  };
  const renew = async (entry: Entry): Promise<void> => {
    if (stopped || !deps.link.isReady()) return;
    const sentAt = performance.now();
    const ack = await ask(entry, "acquire");
    if (!ack.ok) return deps.log(`queue lease of ${entry.integration} refused: ${ack.error}`);
    if (!ack.held) {
      entry.other = ack.runnerId;
      return drop(entry, `runner ${ack.runnerId} holds its lease, epoch ${ack.epoch}`);
    }
    entry.other = null;
    if (entry.fence?.epoch !== ack.epoch) {
      const claim = await claimQueueFence(entry.repoPath, {
        integration: entry.integration,
        epoch: ack.epoch,
        holder: deps.instance,
      });
      if (claim.kind === "stale") return drop(entry, `git has the fence of a later owner, epoch ${claim.epoch}`);
      entry.fence = claim.fence;
      deps.log(`merge queue of ${entry.integration} in ${entry.repoPath}: owner now (lease epoch ${ack.epoch})`);
    }
    entry.validUntil = sentAt + Math.min(ack.remainingMs, deps.durationMs);
  };
  const tick = (entry: Entry): Promise<void> => {
    entry.pending ??= renew(entry)
      .catch((error: unknown) => deps.log(`queue lease of ${entry.integration}: ${describeError(error)}`))
      .finally(() => (entry.pending = null));
    return entry.pending;
  };
  const entryOf = (repoPath: string, repositoryId: string, integration: string): Entry => {
    const key = keyOf(repoPath, integration);
    let entry = entries.get(key);
    if (!entry) {
      entry = { repoPath, repositoryId, integration, fence: null, validUntil: 0, other: null, pending: null };
      entries.set(key, entry);
    }
    return entry;
  };
  const isLive = (entry: Entry) => entry.fence !== null && performance.now() < entry.validUntil;

  const timer = setInterval(
    () => {
      for (const entry of entries.values()) void tick(entry);
    },
    Math.max(50, Math.floor(deps.durationMs / 3)),
  );
  timer.unref();
  deps.link.onReady(() => {
    for (const entry of entries.values()) void tick(entry);
  });

  return {
    contend: (repoPath, repositoryId, integration) => void tick(entryOf(repoPath, repositoryId, integration)),
    async own(repoPath, repositoryId, integration) {
      const entry = entryOf(repoPath, repositoryId, integration);
      if (!isLive(entry)) await tick(entry);
      if (entry.fence && isLive(entry)) return { kind: "owner", fence: entry.fence };
      const who = entry.other ? `runner ${entry.other} owns it` : "its lease could not be taken (is the hub reachable?)";
      return { kind: "other", reason: `this runner does not own the merge queue of ${integration}: ${who}` };
    },
    fenceOf(repoPath, integration) {
      const entry = entries.get(keyOf(repoPath, integration));
      return entry?.fence ?? null;
    },
    lost(repoPath, integration) {
      const entry = entries.get(keyOf(repoPath, integration));
      if (entry) drop(entry, "its fence in git moved on");
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled(
        [...entries.values()]
          .filter((entry) => entry.fence !== null && deps.link.isReady())
          .map(async (entry) => {
            entry.fence = null;
            await ask(entry, "release");
          }),
      );
    },
  };
}
