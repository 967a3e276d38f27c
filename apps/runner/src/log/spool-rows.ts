import type { FileHandle } from "node:fs/promises";
import { SEGMENT_BYTES } from "./spool-file.ts";
import type { RecentBlock } from "./spool-recent-lines.ts";

/** Lines as the spool gets them from the log: consecutive seqs from `firstSeq`, each as its row's tail (`encodeLogRowTail`). */
export type RowTails = { firstSeq: number; tails: readonly string[] };

/** Consecutive lines of one append that make one segment of the file. */
export type AppendChunk = { first: number; last: number; bytes: number };

/**
 * One append's file text, `[seq,` and each row's tail on a line, then `after` (a checkpoint row, or nothing),
 * as the bytes to write, with the segments they make and the lines as the window of recent lines keeps them.
 * Rows are counted in bytes by their length when the text is ASCII (the common case: no count per line).
 */
export function encodeAppend(rows: RowTails, after: string): { data: Buffer; chunks: AppendChunk[]; block: RecentBlock } {
  const { firstSeq, tails } = rows;
  const lines = new Array<string>(tails.length);
  for (let i = 0; i < tails.length; i++) lines[i] = `[${firstSeq + i},${tails[i]}\n`;
  const text = lines.join("") + after;
  const data = Buffer.from(text, "utf8");
  // Each row with its `[` back: `[tail,[tail…`.
  const wireText = tails.length === 0 ? "" : `[${tails.join(",[")}`;
  const wire = Buffer.from(wireText, "utf8");
  const isAscii = wire.length === wireText.length;
  const chunks: AppendChunk[] = [];
  const ends = new Uint32Array(tails.length);
  let chunk: AppendChunk | undefined;
  for (let i = 0, end = -1; i < tails.length; i++) {
    const line = lines[i] ?? "";
    const tail = tails[i] ?? "";
    end += 2 + (isAscii ? tail.length : Buffer.byteLength(tail));
    ends[i] = end;
    const bytes = isAscii ? line.length : Buffer.byteLength(line);
    const seq = firstSeq + i;
    if (!chunk || chunk.bytes + bytes > SEGMENT_BYTES) chunks.push((chunk = { first: seq, last: seq, bytes: 0 }));
    chunk.last = seq;
    chunk.bytes += bytes;
  }
  return { data, chunks, block: { firstSeq, wire, ends } };
}

/**
 * Writes all of `data` at the file's end (it is opened to append): one write may take fewer bytes than it was
 * given (a full disk, an interrupted call), and a spool row cut short there would be a line lost.
 */
export async function writeAll(file: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length;) {
    const { bytesWritten } = await file.write(data, at, data.length - at);
    if (bytesWritten <= 0) throw new Error(`the spool took no bytes (${data.length - at} left to write)`);
    at += bytesWritten;
  }
}
