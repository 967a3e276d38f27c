import { LogAckSchema, MAX_LOG_BATCH_LINES, describeError } from "@grove/core";
import { setTimeout as delay } from "node:timers/promises";
import type { LimitFunction } from "p-limit";
import pRetry, { AbortError, type Options as RetryOptions } from "p-retry";
import { ACK_TIMEOUT_MS, MAX_BACKOFF_MS, RETRY_DELAY_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import type { RunSpool } from "./spool.ts";

/**
 * A batch the hub refused, or acknowledged without progress, is sent again less and less often (from
 * RETRY_DELAY_MS, doubling up to MAX_BACKOFF_MS); one it did not acknowledge at all (timeout, disconnect)
 * consumes no backoff: it is sent again once the link is ready, after RETRY_DELAY_MS if it still is.
 */
const REFUSED_BACKOFF = {
  retries: Number.POSITIVE_INFINITY,
  minTimeout: RETRY_DELAY_MS,
  factor: 2,
  maxTimeout: MAX_BACKOFF_MS,
} satisfies RetryOptions;
class RefusedError extends Error {}
const shouldConsumeRetry = ({ error }: { error: Error }) => error instanceof RefusedError;

export type SpoolSending = {
  runId: string;
  spool: RunSpool;
  link: HubLink;
  log: Logger;
  /** Shared by every run: caps the batches on their way to the hub at once. */
  inFlight: LimitFunction;
  signal: AbortSignal;
  batchBytes: number;
  /** Called after each batch the hub acknowledged (and the spool forgot). */
  onAcked: () => void;
};

/**
 * Sends a run's spooled lines after `delivery.acked` to the hub, batch by batch, advancing `delivery.acked`
 * and trimming the spool with each acknowledgement. True once the hub has every line (or shipping stopped),
 * false when a batch could not be sent (there was none to read, or its retries ended).
 */
export async function sendSpooledLines(o: SpoolSending, delivery: { acked: number }): Promise<boolean> {
  const { runId, spool, link, log, signal } = o;
  /** One batch to the hub; true once acknowledged, false when there is nothing to send. */
  const shipBatch = () =>
    o.inFlight(async () => {
      if (signal.aborted) throw new AbortError("stopped");
      const batch = await spool.readBatch(delivery.acked, o.batchBytes, MAX_LOG_BATCH_LINES);
      if (!batch) return false;
      // As bytes: a binary frame, not a string escaped into the packet's JSON (see RunLogBatchSchema).
      const payload = { runId, firstSeq: batch.firstSeq, lines: batch.body };
      const ack = LogAckSchema.safeParse(await link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:log", payload));
      // Refused, or no progress: the lines stay spooled.
      if (!ack.success) throw new RefusedError("malformed ack");
      if (!ack.data.ok) throw new RefusedError(ack.data.error);
      if (ack.data.ackedSeq <= delivery.acked) throw new RefusedError(`no progress past seq ${delivery.acked}`);
      delivery.acked = Math.min(ack.data.ackedSeq, batch.lastSeq);
      await spool.trim(delivery.acked);
      o.onAcked();
      return true;
    });
  const sendOnce = async () => {
    if (!(await link.whenReady(signal))) throw new AbortError("stopped");
    return shipBatch();
  };
  const onFailedAttempt = async ({ error, retriesConsumed }: { error: Error; retriesConsumed: number }) => {
    if (error instanceof RefusedError) {
      if (retriesConsumed === 0) log(`hub did not take log lines of ${runId} (${error.message}); retrying with backoff`);
    } else if (link.isReady()) {
      log(`log lines of ${runId} not acknowledged (${describeError(error)}); retrying`);
      await delay(RETRY_DELAY_MS);
    }
  };

  while (delivery.acked < spool.lastSeq() && !signal.aborted) {
    // A new batch starts its backoff afresh.
    const isSent = await pRetry(sendOnce, { ...REFUSED_BACKOFF, signal, onFailedAttempt, shouldConsumeRetry }).catch(
      (error: unknown) => {
        if (!signal.aborted) log(`log lines of ${runId} not sent: ${describeError(error)}`);
        return false;
      },
    );
    if (!isSent) return false;
  }
  return true;
}
