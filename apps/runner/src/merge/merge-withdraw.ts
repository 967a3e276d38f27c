import { MergeWithdrawSchema, type Ack } from "@grove/core";
import { z } from "zod";
import type { RunnerSocket } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

/** A withdrawn merge's outcome in the queue: it never lands, and no result is reported for it. */
export class MergeWithdrawnError extends Error {
  constructor(readonly mergeRequestId: string) {
    super(`merge ${mergeRequestId} was withdrawn before it landed`);
  }
}

/** The queue's lease went to another runner: its entries here never land, and no result is reported (the new owner reports). */
export class QueueLeaseLostError extends Error {}

export function registerMergeWithdraw(socket: RunnerSocket, merges: { withdraw(id: string): Ack }, log: Logger): void {
  socket.on("merge:withdraw", (payload, ack) => {
    const reply = typeof ack === "function" ? ack : () => undefined;
    const parsed = MergeWithdrawSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: `invalid merge:withdraw:\n${z.prettifyError(parsed.error)}` });
    const withdrawn = merges.withdraw(parsed.data.mergeRequestId);
    if (withdrawn.ok) log(`merge ${parsed.data.mergeRequestId}: approval withdrawn before it landed`);
    reply(withdrawn);
  });
}
