// What a caller of startAgentProcess sets and gets back: the options, the exit, and the handle of a
// running process. Apart from the starting itself so the capture and tail modules can name a stream
// without importing the module that starts the process.
import type { CapturePosition } from "./capture-lines.ts";

export type OutputStream = "stdout" | "stderr";

export type ProcessExit = {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
};

export type ProcessOptions = {
  cwd: string;
  /** The complete environment of the child (nothing is inherited implicitly). */
  env: Readonly<Record<string, string | undefined>>;
  onLine: (stream: OutputStream, text: string) => void;
  timeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL, on timeout, cancel, and for leftovers after exit. */
  killGraceMs?: number;
  abortSignal?: AbortSignal;
  /**
   * The folder (created if missing) where the child writes its output: `stdout.log` / `stderr.log`, or
   * `stdout-N.log` / `stderr-N.log` when those exist. Default: a private folder under os.tmpdir().
   */
  captureDir?: string;
  /** Keep the output files once `done` settled; by default they are deleted (with a private folder). */
  isCaptureKept?: boolean;
  /** Unread output (both files) above which the process group is stopped; default 64 MB. */
  maxBacklogBytes?: number;
  /** The group was stopped (SIGSTOP) because its output is too far ahead of the reader, or continued again. */
  onBackpressure?: (isStopped: boolean, backlogBytes: number) => void;
  /**
   * Every line of a stream up to `position` in its output file went to `onLine`: called when the files are
   * created, after each read, and at their end. Another process can read on from there (`replayCapture`).
   */
  onRead?: (stream: OutputStream, position: CapturePosition) => void;
  /**
   * Per stream, the longest line `onLine` gets whole; a longer one comes in pieces of that size. Default
   * MAX_LOG_LINE_CHARS (a log row). A caller that parses each line (one JSON event a line) sets it higher.
   */
  maxLineChars?: Partial<Record<OutputStream, number>>;
};

export type AgentProcess = {
  readonly pid: number | undefined;
  /** Resolves once the process exited, every output line was delivered and no process of its group is left. */
  readonly done: Promise<ProcessExit>;
  /** Whether the group is stopped because more than `maxBacklogBytes` of its output is unread. */
  readonly isStoppedForBacklog: boolean;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  cancel(graceMs?: number): Promise<ProcessExit>;
  /**
   * Stops reading the child's output until `resume()`. The child writes on into its files; once more
   * than `maxBacklogBytes` is unread, its group is stopped until a quarter of that is left.
   */
  pause(): void;
  resume(): void;
};
