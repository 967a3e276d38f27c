import type { OutputStream } from "./agent-process-contract.ts";
import type { CapturePosition } from "./capture-lines.ts";

// What following an agent's two output files takes and gives (agent-process-tail.ts does the following).

export type CaptureTail = {
  pause(): void;
  resume(): void;
  /** Reads both files up to the end they have now (their writers are gone), flushes the last partial lines, then closes. */
  finish(): Promise<void>;
  /** Stops reading and closes the files without flushing. */
  close(): void;
};

export type TailOptions = {
  onLine: (stream: OutputStream, text: string) => void;
  maxBacklogBytes: number;
  /** Called when the unread output passes `maxBacklogBytes`, and again once it is below a quarter of that. */
  onBacklog: (isOver: boolean, backlogBytes: number) => void;
  /** Every line up to `position` went to `onLine`: called at the start, after each read of a file, and at its end. */
  onRead?: (stream: OutputStream, position: CapturePosition) => void;
  /** Per stream, the longest line delivered whole (longer ones come in pieces); default MAX_LOG_LINE_CHARS. */
  maxLineChars?: Partial<Record<OutputStream, number>>;
};
