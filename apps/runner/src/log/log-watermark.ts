import { describeError, LogAckSchema } from "@grove/core";
import { setTimeout as delay } from "node:timers/promises";
import { ACK_TIMEOUT_MS, MAX_BACKOFF_MS, RETRY_DELAY_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";

/**
 * Where the hub's stored log of a run ends (`run:log-watermark`): asked until the hub answers, less and
 * less often; null once `signal` aborts.
 */
export async function askLogWatermark(link: HubLink, runId: string, signal: AbortSignal, log: Logger): Promise<number | null> {
  let backoffMs = RETRY_DELAY_MS;
  while (await link.whenReady(signal)) {
    let reason: string;
    try {
      const ack = LogAckSchema.safeParse(await link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:log-watermark", { runId }));
      if (!ack.success) reason = "malformed ack";
      else if (ack.data.ok) return ack.data.ackedSeq;
      else reason = ack.data.error;
    } catch (error) {
      reason = describeError(error);
    }
    if (backoffMs === RETRY_DELAY_MS) log(`hub did not say where the log of ${runId} ends (${reason}); retrying with backoff`);
    await delay(backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
  return null;
}
