import { read } from "node:fs";
import type { OutputStream } from "./agent-process-contract.ts";
import type { CaptureLines } from "./capture-lines.ts";

/** One output file as its reader follows it. */
export type CaptureFile = {
  stream: OutputStream;
  fd: number;
  path: string;
  offset: number;
  /** Where reading stops: the size the file had once its writers were gone. */
  end: number;
  lines: CaptureLines;
};

/** One chunk from each file that has unread bytes, into one shared buffer; false when neither had any. */
export async function readRound<File extends CaptureFile>(
  files: readonly File[],
  buffer: Buffer,
  isReading: () => boolean,
  report: (file: File) => void,
): Promise<boolean> {
  let hasRead = false;
  for (const file of files) {
    const length = Math.min(buffer.length, file.end - file.offset);
    if (length <= 0 || !isReading()) continue;
    const bytes = await readAt(file.fd, buffer, length, file.offset);
    if (bytes === 0) continue;
    file.offset += bytes;
    file.lines.push(buffer.subarray(0, bytes));
    report(file);
    hasRead = true;
  }
  return hasRead;
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}
