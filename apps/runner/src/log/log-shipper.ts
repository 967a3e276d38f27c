import { LogAckSchema, MAX_LOG_BATCH_LINES, MAX_LOG_LINE_CHARS, type LogLine, type LogStream, describeError } from "@grove/core";
import { setTimeout as delay } from "node:timers/promises";
import pLimit from "p-limit";
import pRetry, { AbortError, type Options as RetryOptions } from "p-retry";
import { ACK_TIMEOUT_MS, MAX_BACKOFF_MS, RETRY_DELAY_MS, type HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import { askLogWatermark } from "./log-watermark.ts";
import { createMemoryBudget, openRunSpool, type RunSpool } from "./spool.ts";

export type ShipperTuning = { flushMs: number; flushLines: number; batchBytes: number };
// Well under socket.io's default 1 MB message limit, whatever the lines hold.
const DEFAULT_TUNING: ShipperTuning = { flushMs: 50, flushLines: 500, batchBytes: 512 * 1024 };
// Lines held in memory on their way to the spool, per run and for all runs together; above HIGH the
// producer is asked to pause. With the spools' shared memory window and the cap on batches in flight,
// this bounds the log pipeline's memory whatever the number of runs.
const UNSPOOLED_HIGH = 5_000;
const UNSPOOLED_LOW = 1_000;
const ALL_UNSPOOLED_HIGH = 20_000;
const ALL_UNSPOOLED_LOW = 10_000;
/** Runs with a batch on its way to the hub at once; the others wait their turn. */
const MAX_BATCHES_IN_FLIGHT = 6;
/**
 * A batch the hub refused, or acknowledged without progress, is sent again less and less often (from
 * RETRY_DELAY_MS, doubling up to MAX_BACKOFF_MS); one it did not acknowledge at all (timeout, disconnect)
 * consumes no backoff: it is sent again once the link is ready, after RETRY_DELAY_MS if it still is.
 */
const REFUSED_BACKOFF = { retries: Number.POSITIVE_INFINITY, minTimeout: RETRY_DELAY_MS, factor: 2, maxTimeout: MAX_BACKOFF_MS } satisfies RetryOptions;
class RefusedError extends Error {}
const shouldConsumeRetry = ({ error }: { error: Error }) => error instanceof RefusedError;
/** Newest spooled lines kept in memory for sending, all runs together. */
const RECENT_WINDOW_BYTES = 8 * 1024 * 1024;

export type RunLog = {
  readonly runId: string;
  /**
   * Gives the line the run's next seq; it reaches the spool within `flushMs`, then the hub. False when
   * too many lines wait for the disk: the producer should pause until `whenWritable()`.
   */
  write(stream: LogStream, text: string): boolean;
  whenWritable(): Promise<void>;
  /**
   * Every line written so far includes the producer's input up to `value` (any JSON): the value goes into
   * the spool in the same write as those lines, so a restarted runner knows where to read on (see `resumedCheckpoint`).
   */
  checkpoint(value: unknown): void;
  /** The last checkpoint in the spool when it was opened: an earlier runner's, undefined when none. */
  readonly resumedCheckpoint: unknown;
  flush(): Promise<void>;
  lastSeq(): number;
  /** Flushes, waits up to `timeoutMs` for the hub's ack of every line. Unacked lines keep shipping. */
  finish(timeoutMs: number): Promise<boolean>;
};

export type LogShipper = {
  open(runId: string, spoolPath: string): Promise<RunLog>;
  /**
   * Opens the log of a run an earlier runner left, once the hub told where its stored log ends: new lines
   * follow that seq (or the spool's last, if higher) and the spool is resent from there. Null once stopped.
   */
  resume(runId: string, spoolPath: string): Promise<RunLog | null>;
  /** Stops shipping; unacked lines stay in their spool files for the next start. */
  stop(): Promise<void>;
};

export function createLogShipper(link: HubLink, log: Logger, tuning: Partial<ShipperTuning> = {}): LogShipper {
  const { flushMs, flushLines, batchBytes } = { ...DEFAULT_TUNING, ...tuning };
  const stopped = new AbortController();
  const open = new Set<{ stop: () => Promise<void>; kick: () => void; wakeWriters: () => void }>();
  link.onReady(() => {
    for (const run of open) run.kick();
  });
  const recentWindow = createMemoryBudget(RECENT_WINDOW_BYTES);
  let allUnspooled = 0;
  const inFlight = pLimit(MAX_BATCHES_IN_FLIGHT);

  async function openRun(runId: string, spoolPath: string, watermark = 0): Promise<RunLog> {
    const spool: RunSpool = await openRunSpool(spoolPath, { recentWindow });
    let nextSeq = Math.max(watermark, spool.lastSeq()) + 1;
    // Lines before the spool's first were acknowledged before a trim dropped them, whatever the hub says.
    let acked = Math.max(watermark, spool.firstSeq() - 1);
    // All the hub has: the file's rows go, so that the lines after `watermark` follow on from nothing in it.
    if (acked > 0 && acked >= spool.lastSeq()) await spool.trim(acked);
    let pending: LogLine[] = [];
    let pendingCheckpoint: unknown = undefined;
    let isFlushQueued = false;
    let unspooled = 0;
    const writable: (() => void)[] = [];
    let timer: NodeJS.Timeout | undefined;
    let flushing: Promise<void> = Promise.resolve();
    let shipping: Promise<void> | undefined;
    let kicked = false;
    let finished = false;
    let closed = false;
    const waiters: (() => void)[] = [];

    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = pending;
      const checkpoint = pendingCheckpoint;
      pending = [];
      pendingCheckpoint = undefined;
      flushing = flushing.then(async () => {
        if (batch.length === 0 && checkpoint === undefined) return;
        await spool.append(batch, checkpoint);
        unspooled -= batch.length;
        allUnspooled -= batch.length;
        if (allUnspooled <= ALL_UNSPOOLED_LOW) for (const run of open) run.wakeWriters();
        else wakeWriters();
        kick();
      });
      return flushing;
    };
    // A full batch goes once the producer's synchronous work is done, not in its middle: what one read of
    // an output file gave, and the checkpoint after it, land in the spool together.
    const flushSoon = () => {
      if (isFlushQueued) return;
      isFlushQueued = true;
      queueMicrotask(() => {
        isFlushQueued = false;
        void flush();
      });
    };

    const wakeWriters = () => {
      if (unspooled <= UNSPOOLED_LOW && allUnspooled <= ALL_UNSPOOLED_LOW) for (const wake of writable.splice(0)) wake();
    };

    const kick = () => {
      if (closed) return;
      kicked = true;
      shipping ??= ship().finally(() => {
        shipping = undefined;
        if (kicked && !stopped.signal.aborted) kick();
      });
    };

    const settle = () => {
      if (acked < spool.lastSeq()) return;
      for (const wake of waiters.splice(0)) wake();
      if (finished && pending.length === 0) void close(true);
    };

    /** One batch to the hub; true once acknowledged, false when there is nothing to send. */
    const shipBatch = () =>
      inFlight(async () => {
        if (stopped.signal.aborted) throw new AbortError("stopped");
        const batch = await spool.readBatch(acked, batchBytes, MAX_LOG_BATCH_LINES);
        if (!batch) return false;
        // As bytes: a binary frame, not a string escaped into the packet's JSON (see RunLogBatchSchema).
        const payload = { runId, firstSeq: batch.firstSeq, lines: Buffer.from(batch.body, "utf8") };
        const ack = LogAckSchema.safeParse(await link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:log", payload));
        // Refused, or no progress: the lines stay spooled.
        if (!ack.success) throw new RefusedError("malformed ack");
        if (!ack.data.ok) throw new RefusedError(ack.data.error);
        if (ack.data.ackedSeq <= acked) throw new RefusedError(`no progress past seq ${acked}`);
        acked = Math.min(ack.data.ackedSeq, batch.lastSeq);
        await spool.trim(acked);
        settle();
        return true;
      });
    const sendOnce = async () => {
      if (!(await link.whenReady(stopped.signal))) throw new AbortError("stopped");
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

    async function ship(): Promise<void> {
      kicked = false;
      while (acked < spool.lastSeq() && !stopped.signal.aborted) {
        // A new batch starts its backoff afresh.
        const isSent = await pRetry(sendOnce, { ...REFUSED_BACKOFF, signal: stopped.signal, onFailedAttempt, shouldConsumeRetry }).catch((error: unknown) => {
          if (!stopped.signal.aborted) log(`log lines of ${runId} not sent: ${describeError(error)}`);
          return false;
        });
        if (!isSent) return;
      }
      settle();
    }

    async function close(remove: boolean) {
      if (!open.delete(entry)) return;
      closed = true;
      allUnspooled -= unspooled;
      unspooled = 0;
      for (const wake of writable.splice(0)) wake();
      for (const run of open) run.wakeWriters();
      if (timer) clearTimeout(timer);
      await flushing;
      await shipping;
      await spool.close({ remove: remove && acked >= spool.lastSeq() });
    }
    const entry = { stop: () => close(false), kick, wakeWriters };
    open.add(entry);
    if (spool.lastSeq() > 0) kick();

    return {
      runId,
      write(stream, text) {
        if (finished) return true;
        for (let at = 0; at === 0 || at < text.length; at += MAX_LOG_LINE_CHARS) {
          pending.push({ seq: nextSeq++, stream, text: text.slice(at, at + MAX_LOG_LINE_CHARS), ts: Date.now() });
          unspooled++;
          allUnspooled++;
        }
        if (pending.length >= flushLines) flushSoon();
        else timer ??= setTimeout(() => void flush(), flushMs);
        return unspooled < UNSPOOLED_HIGH && allUnspooled < ALL_UNSPOOLED_HIGH;
      },
      checkpoint(value) {
        if (finished) return;
        pendingCheckpoint = value;
        timer ??= setTimeout(() => void flush(), flushMs);
      },
      resumedCheckpoint: spool.checkpoint(),
      whenWritable() {
        if (closed || (unspooled <= UNSPOOLED_LOW && allUnspooled <= ALL_UNSPOOLED_LOW)) return Promise.resolve();
        return new Promise<void>((resolve) => writable.push(resolve));
      },
      flush,
      lastSeq: () => nextSeq - 1,
      async finish(timeoutMs) {
        await flush();
        finished = true;
        if (acked >= spool.lastSeq()) {
          settle();
          return true;
        }
        const delivered = new Promise<boolean>((resolve) => waiters.push(() => resolve(true)));
        kick();
        return Promise.race([delivered, delay(timeoutMs, false)]);
      },
    };
  }

  async function resumeRun(runId: string, spoolPath: string): Promise<RunLog | null> {
    const watermark = await askLogWatermark(link, runId, stopped.signal, log);
    return watermark === null || stopped.signal.aborted ? null : openRun(runId, spoolPath, watermark);
  }

  return {
    open: openRun,
    resume: resumeRun,
    async stop() {
      stopped.abort();
      await Promise.all([...open].map((run) => run.stop()));
    },
  };
}
