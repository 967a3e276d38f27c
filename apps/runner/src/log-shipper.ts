import { MAX_LOG_BATCH_LINES, MAX_LOG_LINE_CHARS, type LogLine, type LogStream } from "@grove/core";
import { setTimeout as delay } from "node:timers/promises";
import { ACK_TIMEOUT_MS, describeError, LogAckSchema, RETRY_DELAY_MS, type HubLink, type Logger } from "./hub-socket.ts";
import { openRunSpool, type RunSpool } from "./spool.ts";

export type ShipperTuning = { flushMs: number; flushLines: number; batchBytes: number };
// Well under socket.io's default 1 MB message limit, whatever the lines hold.
const DEFAULT_TUNING: ShipperTuning = { flushMs: 50, flushLines: 500, batchBytes: 512 * 1024 };
// Lines held in memory on their way to the spool; above HIGH the producer is asked to pause.
const UNSPOOLED_HIGH = 5_000;
const UNSPOOLED_LOW = 1_000;
const MAX_BACKOFF_MS = 30_000;

export type RunLog = {
  readonly runId: string;
  /**
   * Gives the line the run's next seq; it reaches the spool within `flushMs`, then the hub. False when
   * too many lines wait for the disk: the producer should pause until `whenWritable()`.
   */
  write(stream: LogStream, text: string): boolean;
  whenWritable(): Promise<void>;
  flush(): Promise<void>;
  lastSeq(): number;
  /** Flushes, waits up to `timeoutMs` for the hub's ack of every line. Unacked lines keep shipping. */
  finish(timeoutMs: number): Promise<boolean>;
};

export type LogShipper = {
  open(runId: string, spoolPath: string): Promise<RunLog>;
  /** Stops shipping; unacked lines stay in their spool files for the next start. */
  stop(): Promise<void>;
};

export function createLogShipper(link: HubLink, log: Logger, tuning: Partial<ShipperTuning> = {}): LogShipper {
  const { flushMs, flushLines, batchBytes } = { ...DEFAULT_TUNING, ...tuning };
  const stopped = new AbortController();
  const open = new Set<{ stop: () => Promise<void>; kick: () => void }>();
  link.onReady(() => {
    for (const run of open) run.kick();
  });

  async function openRun(runId: string, spoolPath: string): Promise<RunLog> {
    const spool: RunSpool = await openRunSpool(spoolPath);
    let nextSeq = spool.lastSeq() + 1;
    let acked = 0;
    let pending: LogLine[] = [];
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
      pending = [];
      flushing = flushing.then(async () => {
        if (batch.length === 0) return;
        await spool.append(batch);
        unspooled -= batch.length;
        if (unspooled <= UNSPOOLED_LOW) for (const wake of writable.splice(0)) wake();
        kick();
      });
      return flushing;
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

    let backoffMs = RETRY_DELAY_MS;
    async function ship(): Promise<void> {
      kicked = false;
      while (acked < spool.lastSeq() && !stopped.signal.aborted) {
        if (!(await link.whenReady(stopped.signal))) return;
        const batch = await spool.readBatch(acked, batchBytes, MAX_LOG_BATCH_LINES);
        if (!batch) return;
        try {
          const payload = { runId, firstSeq: batch.firstSeq, lines: batch.body };
          const ack = LogAckSchema.safeParse(await link.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("run:log", payload));
          if (!ack.success || !ack.data.ok || ack.data.ackedSeq <= acked) {
            // Refused, or no progress: the lines stay spooled; ask again, less and less often.
            const reason = !ack.success ? "malformed ack" : !ack.data.ok ? ack.data.error : `no progress past seq ${acked}`;
            if (backoffMs === RETRY_DELAY_MS) log(`hub did not take log lines of ${runId} (${reason}); retrying with backoff`);
            await delay(backoffMs);
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
            continue;
          }
          backoffMs = RETRY_DELAY_MS;
          acked = Math.min(ack.data.ackedSeq, batch.lastSeq);
          await spool.trim(acked);
          settle();
        } catch (error) {
          if (link.isReady()) {
            log(`log lines of ${runId} not acknowledged (${describeError(error)}); retrying`);
            await delay(RETRY_DELAY_MS);
          }
        }
      }
      settle();
    }

    async function close(remove: boolean) {
      if (!open.delete(entry)) return;
      closed = true;
      for (const wake of writable.splice(0)) wake();
      if (timer) clearTimeout(timer);
      await flushing;
      await shipping;
      await spool.close({ remove: remove && acked >= spool.lastSeq() });
    }
    const entry = { stop: () => close(false), kick };
    open.add(entry);
    if (spool.lastSeq() > 0) kick();

    return {
      runId,
      write(stream, text) {
        if (finished) return true;
        for (let at = 0; at === 0 || at < text.length; at += MAX_LOG_LINE_CHARS) {
          pending.push({ seq: nextSeq++, stream, text: text.slice(at, at + MAX_LOG_LINE_CHARS), ts: Date.now() });
          unspooled++;
        }
        if (pending.length >= flushLines) void flush();
        else timer ??= setTimeout(() => void flush(), flushMs);
        return unspooled < UNSPOOLED_HIGH;
      },
      whenWritable() {
        if (unspooled <= UNSPOOLED_LOW) return Promise.resolve();
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

  return {
    open: openRun,
    async stop() {
      stopped.abort();
      await Promise.all([...open].map((run) => run.stop()));
    },
  };
}
