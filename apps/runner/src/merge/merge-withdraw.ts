import { MergeWithdrawSchema, type Ack } from "@grove/core";
import { z } from "zod";
import type { RunnerSocket } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { MergeQueue } from "./merge-queue.ts";

/** Thrown into a withdrawn merge's place in the queue: it never starts, and no result is reported for it. */
export class MergeWithdrawnError extends Error {
  constructor(readonly mergeRequestId: string) {
    super(`merge ${mergeRequestId} was withdrawn before it started`);
  }
}

/**
 * Which queued merges have started, so an approval can be undone only before: the check and the start of a
 * queue job both run on the event loop, so a merge is either withdrawn or started, never both.
 */
export function createWithdrawals() {
  const entries = new Map<string, { started: boolean; withdrawn: boolean }>();
  return {
    /** `queue` for one merge: its job starts only if it was not withdrawn meanwhile. */
    guard(mergeRequestId: string, queue: MergeQueue): MergeQueue {
      const entry = { started: false, withdrawn: false };
      entries.set(mergeRequestId, entry);
      return {
        ...queue,
        run: (key, job) =>
          queue.run(key, () => {
            if (entry.withdrawn) return Promise.reject(new MergeWithdrawnError(mergeRequestId));
            entry.started = true;
            return job();
          }),
      };
    },
    /** The hub approved it again while it still waited: it goes ahead in its place. */
    revive(mergeRequestId: string): void {
      const entry = entries.get(mergeRequestId);
      if (entry && !entry.started) entry.withdrawn = false;
    },
    withdraw(mergeRequestId: string): Ack {
      const entry = entries.get(mergeRequestId);
      if (entry?.started) return { ok: false, error: "the runner has started this merge" };
      if (entry) entry.withdrawn = true;
      return { ok: true };
    },
    settled(mergeRequestId: string): void {
      entries.delete(mergeRequestId);
    },
  };
}

export function registerMergeWithdraw(socket: RunnerSocket, merges: { withdraw(id: string): Ack }, log: Logger): void {
  socket.on("merge:withdraw", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = MergeWithdrawSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: `invalid merge:withdraw:\n${z.prettifyError(parsed.error)}` });
    const withdrawn = merges.withdraw(parsed.data.mergeRequestId);
    if (withdrawn.ok) log(`merge ${parsed.data.mergeRequestId}: approval withdrawn before it started`);
    reply(withdrawn);
  });
}
