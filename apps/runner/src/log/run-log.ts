import type { LogRowKind, LogStream } from "@grove/core";

// What a run's producers write to, and what opens it: the log shipper implements it for a hub connection,
// headless/local-hub.ts for `grove session run`.

export type RunLog = {
  readonly runId: string;
  /**
   * Gives the line the run's next seq; it reaches the spool within `flushMs`, then the hub. False when
   * too many lines wait for the disk: the producer should pause until `whenWritable()`. `kind`: what the row
   * shows when the runner rendered it from an agent's events (LogRowKindSchema); never given for the agent's own text.
   */
  write(stream: LogStream, text: string, kind?: LogRowKind): boolean;
  whenWritable(): Promise<void>;
  /**
   * Every line written so far includes the producer's input up to `value` (any JSON): the value goes into
   * the spool in the same write as those lines, so a restarted runner knows where to read on (see `resumedCheckpoint`).
   */
  checkpoint(value: unknown): void;
  /** The last checkpoint in the spool when it was opened: an earlier runner's, undefined when none. */
  readonly resumedCheckpoint: unknown;
  /**
   * Resolves once every line written so far is in the spool. Rejects when the log was closed (the runner
   * stopping) before some of them got there: they are not spooled, so their source must be kept for the next runner.
   */
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

/** RunLog.flush's answer when the log was closed (the runner stopping) before every line written was spooled. */
export class LogClosedError extends Error {
  constructor(runId: string) {
    super(`the log of ${runId} was closed (the runner is stopping) before all its lines were spooled`);
  }
}
