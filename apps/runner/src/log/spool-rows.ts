import { SEGMENT_BYTES, type Entry } from "./spool-file.ts";

/** Lines as the spool gets them from the log: consecutive seqs from `firstSeq`, each as its row's tail (`encodeLogRowTail`). */
export type RowTails = { firstSeq: number; tails: readonly string[] };

/** Consecutive lines of one append that make one segment of the file. */
export type AppendChunk = { first: number; last: number; bytes: number };

/**
 * One append's file text, `[seq,` and each row's tail on a line, then `after` (a checkpoint row, or nothing),
 * as the bytes to write, with the segments they make and each line's entry for the window of recent lines.
 * A line's bytes are its characters when the whole text is ASCII (the common case: no count per line).
 */
export function encodeAppend(rows: RowTails, after: string): { data: Buffer; chunks: AppendChunk[]; entries: Entry[] } {
  const { firstSeq, tails } = rows;
  const lines = new Array<string>(tails.length);
  for (let i = 0; i < tails.length; i++) lines[i] = `[${firstSeq + i},${tails[i]}\n`;
  const text = lines.join("") + after;
  const data = Buffer.from(text, "utf8");
  const isAscii = data.length === text.length;
  const chunks: AppendChunk[] = [];
  const entries = new Array<Entry>(tails.length);
  let chunk: AppendChunk | undefined;
  for (let i = 0; i < tails.length; i++) {
    const line = lines[i] ?? "";
    const bytes = isAscii ? line.length : Buffer.byteLength(line);
    const seq = firstSeq + i;
    if (!chunk || chunk.bytes + bytes > SEGMENT_BYTES) chunks.push((chunk = { first: seq, last: seq, bytes: 0 }));
    chunk.last = seq;
    chunk.bytes += bytes;
    entries[i] = { seq, tail: tails[i] ?? "", bytes };
  }
  return { data, chunks, entries };
}
