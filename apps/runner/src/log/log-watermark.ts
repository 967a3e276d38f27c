import { describeError, LogAckSchema } from "@grove/core";
import pRetry, { AbortError, type Options as RetryOptions } from "p-retry";
import { ACK_TIMEOUT_MS, MAX_BACKOFF_MS, RETRY_DELAY_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

/** Asked until the hub answers, less and less often: from RETRY_DELAY_MS, doubling up to MAX_BACKOFF_MS. */
const WATERMARK_RETRY = {
  retries: Number.POSITIVE_INFINITY,
  minTimeout: RETRY_DELAY_MS,
  factor: 2,
  maxTimeout: MAX_BACKOFF_MS,
} satisfies RetryOptions;

/**
 * Where the hub's stored log of a run ends (`run:log-watermark`): asked until the hub answers; null once
 * `signal` aborts.
 */
export async function askLogWatermark(link: HubLink, runId: string, signal: AbortSignal, log: Logger): Promise<number | null> {
  const ask = async (): Promise<number> => {
    if (!(await link.whenReady(signal))) throw new AbortError("stopped");
    let answer: unknown;
    try {
      answer = await link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:log-watermark", { runId });
    } catch (error) {
      throw new Error(describeError(error), { cause: error });
    }
    const ack = LogAckSchema.safeParse(answer);
    if (!ack.success) throw new Error("malformed ack");
    if (!ack.data.ok) throw new Error(ack.data.error);
    return ack.data.ackedSeq;
  };
  try {
    return await pRetry(ask, {
      ...WATERMARK_RETRY,
      signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (attemptNumber === 1) log(`hub did not say where the log of ${runId} ends (${error.message}); retrying with backoff`);
      },
    });
  } catch (error) {
    if (signal.aborted) return null;
    throw error;
  }
}
