import { randomUUID } from "node:crypto";
import { readStoredLogLines, type LogLine } from "@grove/core";
import type { Redis } from "ioredis";

const CHANNEL_PREFIX = "grove-log:";
const NEWLINE = 0x0a;

/**
 * Stored log lines between dashboard instances: one Redis channel per run, which an instance subscribes to only
 * while one of its browsers follows that run. A batch costs an instance that shows the run to nobody nothing, and
 * travels as the JSON rows the runner sent and the database keeps (socket.io's serverSideEmit sent every batch,
 * JSON-encoded as objects, to every instance, the sender included, which decoded it to drop it).
 * A message: `<sender id>\n<firstSeq>\n<rows>`.
 */
export type RunLogBus = {
  /** Sends lines `firstSeq…` of a run (`rows` as `encodeLogLines` writes them) to the instances watching it. */
  publish(runId: string, firstSeq: number, rows: string): void;
  /**
   * From the moment this resolves, every batch published for the run reaches `onLines` (counted: as many
   * `unwatch` calls end it). Rejects when Redis did not confirm; the channel is subscribed again when it is back.
   */
  watch(runId: string): Promise<void>;
  unwatch(runId: string): void;
  /** Where the batches other instances published for a watched run go. */
  onLines(listener: (runId: string, lines: LogLine[]) => void): void;
  close(): Promise<void>;
};

/** `commands` publishes; `subscriber` is a connection of its own, in subscriber mode from now on. */
export function createRunLogBus(commands: Redis, subscriber: Redis): RunLogBus {
  const sender = Buffer.from(`${randomUUID()}\n`);
  const watched = new Map<string, Watch>();
  let listener: (runId: string, lines: LogLine[]) => void = () => undefined;

  subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => {
    // Its own batches went to this instance's browsers directly.
    if (message.subarray(0, sender.length).equals(sender)) return;
    const afterSender = message.indexOf(NEWLINE);
    const afterSeq = message.indexOf(NEWLINE, afterSender + 1);
    const firstSeq = Number(message.toString("latin1", afterSender + 1, afterSeq));
    const runId = channel.toString().slice(CHANNEL_PREFIX.length);
    if (afterSender === -1 || afterSeq === -1 || !Number.isSafeInteger(firstSeq) || !watched.has(runId)) return;
    const lines = readStoredLogLines(message.toString("utf8", afterSeq + 1), firstSeq);
    if (lines.length > 0) listener(runId, lines);
  });
  // A subscription Redis never confirmed (it was away) is asked for again once it is back; ioredis renews confirmed ones itself.
  subscriber.on("ready", () => {
    if (watched.size > 0) void subscriber.subscribe(...[...watched.keys()].map(channelOf)).catch(() => undefined);
  });

  return {
    publish(runId, firstSeq, rows) {
      void commands
        .publish(channelOf(runId), `${sender.toString()}${firstSeq}\n${rows}`)
        .catch((error: unknown) => console.error(`grove bus (Redis): log lines of run ${runId} not published:`, error));
    },
    watch(runId) {
      let entry = watched.get(runId);
      if (!entry) watched.set(runId, (entry = { count: 0, ready: Promise.resolve(), isFailed: true }));
      // The first watcher subscribes, and so does the next one after a subscription that failed.
      if (entry.isFailed) {
        const current = entry;
        current.isFailed = false;
        current.ready = subscriber.subscribe(channelOf(runId)).then(
          () => undefined,
          (error: unknown) => {
            current.isFailed = true;
            throw error;
          },
        );
      }
      entry.count++;
      return entry.ready;
    },
    unwatch(runId) {
      const entry = watched.get(runId);
      if (!entry || --entry.count > 0) return;
      watched.delete(runId);
      void subscriber.unsubscribe(channelOf(runId)).catch(() => undefined);
    },
    onLines(next) {
      listener = next;
    },
    async close() {
      watched.clear();
      await subscriber.quit().catch(() => undefined);
    },
  };
}

type Watch = { count: number; ready: Promise<void>; isFailed: boolean };

const channelOf = (runId: string) => `${CHANNEL_PREFIX}${runId}`;
