import type {
  Ack,
  Changed,
  LogLine,
  MergeExecute,
  RunnerQueryEvents,
  RunnerQueryName,
  RunProgress,
  RUNNER_QUERY_ANSWERS,
  SessionStart,
} from "@grove/core";
import type { z } from "zod";
import type { QueueStore } from "./queue-store.ts";
import type { RunnerHandlers } from "./runner-handlers.ts";
import type { GroveServerIo } from "./types.ts";

type QueryPayload<K extends RunnerQueryName> = Parameters<RunnerQueryEvents[K]>[0];
type QueryAnswer<K extends RunnerQueryName> = z.infer<(typeof RUNNER_QUERY_ANSWERS)[K]>;

/** What the rest of the server asks of the socket.io hub (created by create-hub.ts). */
export type Hub = {
  io: GroveServerIo;
  isRunnerOnline(runnerId: string): boolean;
  /** Whether the runner's connection is to this instance (not only to another one on the bus). */
  isRunnerHere(runnerId: string): boolean;
  onlineRunnerIds(): string[];
  /** False while the bus to the other instances (GROVE_REDIS_URL) is unreachable; true without one. */
  isBusUp(): boolean;
  startSession(runnerId: string, payload: SessionStart): Promise<Ack>;
  executeMerge(runnerId: string, payload: MergeExecute): Promise<Ack>;
  cancelRun(runnerId: string, runId: string): Promise<Ack>;
  /** Takes an approved merge back out of the runner's queue; refused once the runner has started it. */
  withdrawMerge(runnerId: string, mergeRequestId: string): Promise<Ack>;
  /** Asks the runner to put an approved request first in its merge queue; refused unless it waits there. */
  prioritizeMerge(runnerId: string, mergeRequestId: string): Promise<Ack>;
  /** The runners' merge queues as they last reported them; a runner's go when it disconnects. */
  queues: QueueStore;
  /** Asks a runner about one of its repositories; throws a DomainError the user can read when it cannot answer. */
  ask<K extends RunnerQueryName>(runnerId: string, query: K, payload: QueryPayload<K>): Promise<QueryAnswer<K>>;
  disconnectRunner(runnerId: string): void;
  disconnectUser(userId: string): void;
  /** Fans out stored lines (a browser that fell behind reads them again from the database); `rows`: their `encodeLogLines` text. */
  publishLogLines(runId: string, lines: LogLine[], rows?: string): void;
  /** Passes a run's progress on to the browsers showing its log; nothing is stored. */
  publishRunProgress(progress: RunProgress): void;
  /** Bytes of log lines the hub holds for browsers that have not taken them yet (bounded by the fan-out's limits). */
  logBytesHeld(): number;
  broadcastChanged(change: Changed): void;
  /** Called after every change the hub announces to browsers (notifications listen here). */
  onChanged(listener: (change: Changed) => void): void;
  setRunnerHandlers(handlers: RunnerHandlers): void;
  /** Keeps `close` waiting for work that outlives the event that started it; returns `work`. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Disconnects everyone, then waits (up to its budget) for the work still running, so the database can be closed. */
  close(): Promise<void>;
};
