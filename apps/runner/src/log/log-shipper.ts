import { encodeLogRowTail, MAX_LOG_LINE_CHARS } from "@grove/core";
import { setTimeout as delay } from "node:timers/promises";
import pLimit from "p-limit";
import type { HubLink } from "../hub/hub-socket.ts";
import type { Logger } from "../logger.ts";
import { askLogWatermark } from "./log-watermark.ts";
import { LogClosedError, type LogShipper, type RunLog } from "./run-log.ts";
import { sendSpooledLines } from "./send-spooled-lines.ts";
import { createMemoryBudget } from "./spool-recent-lines.ts";
import { openRunSpool, type RunSpool } from "./spool.ts";

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
/** Newest spooled lines kept in memory for sending, all runs together. */
const RECENT_WINDOW_BYTES = 8 * 1024 * 1024;

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
    const delivery = { acked: Math.max(watermark, spool.firstSeq() - 1) };
    // All the hub has: the file's rows go, so that the lines after `watermark` follow on from nothing in it.
    if (delivery.acked > 0 && delivery.acked >= spool.lastSeq()) await spool.trim(delivery.acked);
    // Lines on their way to the spool, each encoded once as it came (RowTails): seqs from pendingFirstSeq.
    let pending: string[] = [];
    let pendingFirstSeq = nextSeq;
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
    let isDroppedAfterClose = false; // lines or a checkpoint written after the close: never spooled
    const waiters: (() => void)[] = [];

    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = { firstSeq: pendingFirstSeq, tails: pending };
      const checkpoint = pendingCheckpoint;
      pending = [];
      pendingFirstSeq = nextSeq;
      pendingCheckpoint = undefined;
      const isAfterClose = closed;
      flushing = flushing.then(async () => {
        if (batch.tails.length === 0 && checkpoint === undefined) return;
        // Not spooled, nor the checkpoint past them: their source must be kept for the next runner (RunLog.flush).
        if (isAfterClose) return void (isDroppedAfterClose = true);
        await spool.appendRows(batch, checkpoint);
        // Once closed, the close took all of this run's lines off the count (those on their way here too).
        if (closed) return;
        unspooled -= batch.tails.length;
        allUnspooled -= batch.tails.length;
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
      if (delivery.acked < spool.lastSeq()) return;
      for (const wake of waiters.splice(0)) wake();
      if (finished && pending.length === 0) void close(true);
    };

    async function ship(): Promise<void> {
      kicked = false;
      const sending = { runId, spool, link, log, inFlight, signal: stopped.signal, batchBytes, onAcked: settle };
      if (await sendSpooledLines(sending, delivery)) settle();
    }

    async function close(remove: boolean) {
      if (!open.delete(entry)) return;
      // What was written before the close still goes to the spool.
      void flush();
      closed = true;
      allUnspooled -= unspooled;
      unspooled = 0;
      for (const wake of writable.splice(0)) wake();
      for (const run of open) run.wakeWriters();
      await flushing;
      await shipping;
      await spool.close({ remove: remove && delivery.acked >= spool.lastSeq() });
    }
    const entry = { stop: () => close(false), kick, wakeWriters };
    open.add(entry);
    if (spool.lastSeq() > 0) kick();

    return {
      runId,
      write(stream, text, kind) {
        if (finished) return true;
        if (closed) return (isDroppedAfterClose = true);
        const ts = Date.now();
        for (let at = 0; at === 0 || at < text.length; at += MAX_LOG_LINE_CHARS) {
          const piece = text.length <= MAX_LOG_LINE_CHARS ? text : text.slice(at, at + MAX_LOG_LINE_CHARS);
          pending.push(encodeLogRowTail(stream, piece, ts, kind));
          nextSeq++;
          unspooled++;
          allUnspooled++;
        }
        if (pending.length >= flushLines) flushSoon();
        else timer ??= setTimeout(() => void flush(), flushMs);
        return unspooled < UNSPOOLED_HIGH && allUnspooled < ALL_UNSPOOLED_HIGH;
      },
      checkpoint(value) {
        if (finished) return;
        if (closed) return void (isDroppedAfterClose = true);
        pendingCheckpoint = value;
        timer ??= setTimeout(() => void flush(), flushMs);
      },
      resumedCheckpoint: spool.checkpoint(),
      whenWritable() {
        if (closed || (unspooled <= UNSPOOLED_LOW && allUnspooled <= ALL_UNSPOOLED_LOW)) return Promise.resolve();
        return new Promise<void>((resolve) => writable.push(resolve));
      },
      async flush() {
        await flush();
        if (isDroppedAfterClose) throw new LogClosedError(runId);
      },
      lastSeq: () => nextSeq - 1,
      async finish(timeoutMs) {
        await flush();
        finished = true;
        if (closed) return delivery.acked >= spool.lastSeq();
        if (delivery.acked >= spool.lastSeq()) {
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
