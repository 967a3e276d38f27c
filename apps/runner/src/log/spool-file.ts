import { cutSeqRow, decodeSeqRow, encodeLogRow, encodeLogRowTail, encodeSeqRow, LogLineSchema, type LogLine } from "@grove/core";
import { open, rename, type FileHandle } from "node:fs/promises";
import { PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { z } from "zod";

// Reading a spool file that an earlier runner left: checking, indexing and, when damaged, repairing it.

/** One append, or a slice of one: the unit the spool reads back. Bounded so reads are too. */
export type Segment = { firstSeq: number; lastSeq: number; offset: number; bytes: number };
export const SEGMENT_BYTES = 256 * 1024;

/**
 * A checkpoint row, `{"checkpoint": value, "seq": n}`: how far the writer's own input had gone once the
 * lines up to seq n were written, in the same write as those lines. Not a line: never read back or sent.
 */
export type Checkpoint = { value: unknown; seq: number; offset: number };
const CHECKPOINT_PREFIX = '{"checkpoint":';
const CheckpointRowSchema = z.object({ checkpoint: z.unknown(), seq: z.number().int().nonnegative() });

export function checkpointRow(value: unknown, seq: number): string {
  return `${CHECKPOINT_PREFIX}${JSON.stringify(value)},"seq":${seq}}\n`;
}

export function isCheckpointRow(raw: string): boolean {
  return raw.startsWith(CHECKPOINT_PREFIX);
}

export function readCheckpoint(raw: string, offset: number): Checkpoint | null {
  try {
    const parsed = CheckpointRowSchema.safeParse(JSON.parse(raw));
    return parsed.success ? { value: parsed.data.checkpoint, seq: parsed.data.seq, offset } : null;
  } catch {
    return null;
  }
}

/**
 * A line this runner wrote, read back for sending: its seq, its `[stream, text, ts]` text without the `[`
 * (`encodeLogRowTail`) and its bytes in the file.
 */
export type Entry = { seq: number; tail: string; bytes: number };

/**
 * Cut from the row without decoding it (the file was checked when it was opened). Rows an earlier runner
 * wrote as objects (`{seq, stream, text, ts}`) are converted; checkpoint rows are not lines.
 */
export function toEntry(raw: string): Entry | null {
  if (raw.length === 0 || isCheckpointRow(raw)) return null;
  const bytes = Buffer.byteLength(raw) + 1;
  if (raw.startsWith("{")) {
    const line = checkedLine(raw);
    return line ? { seq: line.seq, tail: encodeLogRowTail(line.stream, line.text, line.ts, line.kind), bytes } : null;
  }
  const cut = cutSeqRow(raw);
  return cut ? { seq: cut.seq, tail: cut.row.slice(1), bytes } : null;
}

/** A row decoded and checked in full: how a spool left by an earlier runner is read when it is opened. */
export function checkedLine(raw: string): LogLine | null {
  // toEntry cuts a row at its first comma: a row it could not cut (say, one that a space came before) is no line.
  if (raw[0] !== "[" && raw[0] !== "{") return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (Array.isArray(value)) return decodeSeqRow(value);
    // A row an earlier runner wrote as an object.
    const parsed = LogLineSchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  } catch {
    // A line torn by a crash: skip it, the rest of the spool is still good.
    return null;
  }
}

/**
 * Indexes a spool left by an earlier runner, reading it in chunks so a big one costs no big buffer. Damaged:
 * a complete row that does not read back as a line or a checkpoint, or rows whose seqs do not follow one another.
 */
export async function indexExisting(
  file: FileHandle,
): Promise<{ segments: Segment[]; size: number; isDamaged: boolean; checkpoint: Checkpoint | null }> {
  const segments: Segment[] = [];
  let isDamaged = false;
  let checkpoint: Checkpoint | null = null;
  const { rowBytes, fileSize } = await forEachRow(file, (raw, offset, bytes) => {
    if (isCheckpointRow(raw)) {
      const read = readCheckpoint(raw, offset);
      if (read) checkpoint = read;
      // The writer puts a checkpoint after the lines it counted, in the same write: one that counts lines
      // the file does not hold (all but one before any line, see `rewrite`) says rows went missing.
      const lastLine = segments.at(-1)?.lastSeq;
      if (!read || (lastLine !== undefined && read.seq !== lastLine)) isDamaged = true;
      // Inside the segment before it, so that a segment's bytes stay one run of the file.
      const last = segments.at(-1);
      if (last) last.bytes += bytes;
      return;
    }
    const line = raw.length === 0 ? null : checkedLine(raw);
    const last = segments.at(-1);
    if (!line || (last && line.seq !== last.lastSeq + 1)) isDamaged = true;
    if (line && last && last.bytes + bytes <= SEGMENT_BYTES) {
      last.lastSeq = line.seq;
      last.bytes += bytes;
    } else if (line) {
      segments.push({ firstSeq: line.seq, lastSeq: line.seq, offset, bytes });
    } else if (last) {
      last.bytes += bytes;
    }
  });
  // Whatever follows the last newline is a line cut short by a crash.
  if (rowBytes < fileSize) await file.truncate(rowBytes);
  return { segments, size: rowBytes, isDamaged, checkpoint };
}

/**
 * Rewrites a damaged spool: every row that reads back, in seq order, and for each seq between them that
 * does not, a `system` line saying it was lost, so the run's log shows where and the rest is sent.
 */
export async function repairSpool(path: string): Promise<void> {
  const source = await open(path, "r");
  const tmpPath = `${path}.repair`;
  const target = await open(tmpPath, "w", PRIVATE_FILE_MODE);
  try {
    let rows: string[] = [];
    let written = Promise.resolve();
    const flush = () => {
      const text = rows.join("");
      rows = [];
      if (text.length > 0) written = written.then(async () => void (await target.write(text)));
    };
    // Rows before the first that reads back have no seq to give them; the file starts where it can.
    let last: { seq: number; ts: number } | null = null;
    // Bytes of rows since `last` that did not read back: at most this many lines can have been lost there.
    let damagedBytes = 0;
    // A seq further on than the damaged rows before it could hold (and one row gone whole) is itself
    // damage, not a run of lost lines: a flipped digit must not fill the file with lines that never were.
    const isPlausible = (seq: number) => !last || (seq > last.seq && seq - last.seq - 1 <= 1 + damagedBytes / MIN_ROW_BYTES);
    await forEachRow(source, (raw, _offset, bytes) => {
      if (isCheckpointRow(raw)) {
        const read = readCheckpoint(raw, 0);
        if (!read) damagedBytes += bytes;
        // After a line, a checkpoint belongs to it (see indexExisting); the lines it counted past that are lost.
        else rows.push(last ? checkpointRow(read.value, last.seq) : `${raw}\n`);
        return;
      }
      const line = raw.length === 0 ? null : checkedLine(raw);
      if (!line || !isPlausible(line.seq)) {
        damagedBytes += bytes;
        return;
      }
      for (let seq = (last?.seq ?? line.seq - 1) + 1; seq < line.seq; seq++) {
        const lost = {
          stream: "system",
          text: `grove: log line ${seq} was lost (its row in the runner's spool was damaged)`,
          ts: last?.ts ?? line.ts,
        } as const;
        rows.push(`${encodeSeqRow(seq, encodeLogRow(lost))}\n`);
      }
      rows.push(`${encodeSeqRow(line.seq, encodeLogRow(line))}\n`);
      last = { seq: line.seq, ts: line.ts };
      damagedBytes = 0;
      if (rows.length >= 5000) flush();
    });
    flush();
    await written;
  } finally {
    await source.close();
    await target.close();
  }
  await rename(tmpPath, path);
}

// The shortest row a line can have, `[1,"test","",0]`, and its newline.
const MIN_ROW_BYTES = encodeSeqRow(1, encodeLogRow({ stream: "test", text: "", ts: 0 })).length + 1;

/** Calls `onRow` for every complete row (without its newline); returns the bytes up to the last newline. */
async function forEachRow(
  file: FileHandle,
  onRow: (raw: string, offset: number, bytes: number) => void,
): Promise<{ rowBytes: number; fileSize: number }> {
  const { size: fileSize } = await file.stat();
  let offset = 0;
  const buffer = Buffer.alloc(SEGMENT_BYTES * 4);
  let carry = Buffer.alloc(0);
  for (let at = 0; at < fileSize;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) break;
    at += bytesRead;
    const chunk = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      onRow(chunk.subarray(start, newline).toString("utf8"), offset, newline - start + 1);
      offset += newline - start + 1;
      start = newline + 1;
    }
    carry = Buffer.from(chunk.subarray(start));
  }
  return { rowBytes: offset, fileSize };
}
