import { open, type FileHandle } from "node:fs/promises";
import { createLineSplitter } from "./agent-process-lines.ts";

/**
 * How far a capture file has been turned into lines: `lines` lines were delivered after `offset`, a line
 * boundary (the start of the file, or just past a newline). Anything but 0 only while an over-long line
 * without its newline yet was delivered in pieces. Reading the file again from `offset` and dropping the
 * first `lines` lines yields exactly what was not delivered, however the reads were cut.
 */
export type CapturePosition = { path: string; offset: number; lines: number };

export type CaptureLines = {
  /** Splits the next bytes of the file. */
  push(chunk: Uint8Array): void;
  /** The file is complete: delivers a last line without its newline. */
  end(): void;
  position(): CapturePosition;
};

const CHUNK_BYTES = 256 * 1024;

/**
 * A line splitter over one capture file that knows its position, from `from` on (lines delivered before
 * are dropped). A chunk is split at its last newline, where the splitter holds nothing back, so the
 * position costs a count per line and no copy.
 */
export function createCaptureLines(from: CapturePosition, onLine: (text: string) => void, maxChars?: number): CaptureLines {
  let boundary = from.offset;
  let pushed = from.offset;
  let sinceBoundary = 0;
  let toDrop = from.lines;
  const splitter = createLineSplitter((text) => {
    sinceBoundary++;
    if (toDrop > 0) toDrop--;
    else onLine(text);
  }, maxChars);
  return {
    push(chunk) {
      const newline = chunk.lastIndexOf(10);
      if (newline === -1) {
        splitter.push(chunk);
      } else {
        splitter.push(chunk.subarray(0, newline + 1));
        boundary = pushed + newline + 1;
        sinceBoundary = 0;
        if (newline + 1 < chunk.length) splitter.push(chunk.subarray(newline + 1));
      }
      pushed += chunk.length;
    },
    end() {
      splitter.end();
      boundary = pushed;
      sinceBoundary = 0;
    },
    position: () => ({ path: from.path, offset: boundary, lines: sinceBoundary }),
  };
}

/**
 * Reads a capture file on from `from` to its end, for output a runner did not get to before it died (its
 * writer is gone, so the file is complete). `onRead` gets the position after each chunk and at the end,
 * and is awaited, so the caller can wait for room. False when the file does not exist.
 */
export async function replayCapture(
  from: CapturePosition,
  handlers: { onLine: (text: string) => void; onRead: (position: CapturePosition) => Promise<void> | void },
  /** The longest line delivered whole: the one the process that wrote the file was read with (its position counts those pieces). */
  maxChars?: number,
): Promise<boolean> {
  let file: FileHandle;
  try {
    file = await open(from.path, "r");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return false;
    throw error;
  }
  try {
    const lines = createCaptureLines(from, handlers.onLine, maxChars);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let at = from.offset; ;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      lines.push(buffer.subarray(0, bytesRead));
      await handlers.onRead(lines.position());
    }
    lines.end();
    await handlers.onRead(lines.position());
    return true;
  } finally {
    await file.close();
  }
}
