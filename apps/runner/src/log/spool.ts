import { encodeLogRowTail, type LogLine } from "@grove/core";
import { mkdir, open, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, restrictFile } from "@grove/core/private-files";
import { createRecentLines, type MemoryBudget } from "./spool-recent-lines.ts";
import { encodeAppend, writeAll, type RowTails } from "./spool-rows.ts";
import { replaceWithTail } from "./spool-tail-copy.ts";
import { checkpointRow, indexExisting, repairSpool, toEntry, type Checkpoint, type Entry, type Segment } from "./spool-file.ts";

// Rewriting the file only pays off once a good part of it is acknowledged.
const TRIM_MIN_BYTES = 4 * 1024 * 1024;
/** Lines firstSeq..lastSeq as the bytes of a `run:log` batch (the JSON text `encodeLogLines` writes). */
export type SpoolBatch = { firstSeq: number; lastSeq: number; body: Buffer<ArrayBuffer> };

export type RunSpool = {
  readonly path: string;
  /** Highest seq written to disk (0 when none). */
  lastSeq(): number;
  /** The seq of the first line the file still holds; lastSeq() + 1 when it holds none. */
  firstSeq(): number;
  /**
   * Appends lines (seq ascending, following lastSeq) to the file, then `checkpoint` (any JSON value) when
   * given, in one write; resolves once the OS has them.
   */
  append(lines: readonly LogLine[], checkpoint?: unknown): Promise<void>;
  /** `append` for lines the log encoded as it got them (how the log shipper appends). */
  appendRows(rows: RowTails, checkpoint?: unknown): Promise<void>;
  /** The last checkpoint appended, by this runner or an earlier one (undefined when none): kept by every trim. */
  checkpoint(): unknown;
  /**
   * The contiguous lines after `afterSeq`, ready to send: at most `maxLines`, and at most about `maxBytes`
   * of file (always at least one line). Null when there are none.
   */
  readBatch(afterSeq: number, maxBytes: number, maxLines?: number): Promise<SpoolBatch | null>;
  /**
   * Forgets lines up to `ackedSeq`: empties the file when all are acked, else rewrites it when worthwhile.
   * An `ackedSeq` past lastSeq (the hub has lines this spool never had) becomes lastSeq.
   */
  trim(ackedSeq: number): Promise<void>;
  close(options?: { remove?: boolean }): Promise<void>;
};

/**
 * The on-disk spool of one run: a line per log line, `[seq, stream, text, ts]` in JSON, so that a line
 * becomes the hub's `[stream, text, ts]` by cutting off its seq, never by decoding and encoding it again.
 * Opening an existing file (after a runner restart) checks and indexes what is in it and drops a last
 * line cut short by a crash.
 */
export async function openRunSpool(path: string, options: { recentWindow?: MemoryBudget } = {}): Promise<RunSpool> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  let file = await open(path, "a+", PRIVATE_FILE_MODE);
  await restrictFile(path);
  let segments: Segment[] = [];
  let size = 0;
  let checkpoint: Checkpoint | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  let index = await indexExisting(file);
  if (index.isDamaged) {
    // Rows in the middle that do not read back (a damaged file): rewrite it once, so nothing after them is
    // held back and no unreadable row is ever sent.
    await file.close();
    await repairSpool(path);
    file = await open(path, "a+", PRIVATE_FILE_MODE);
    index = await indexExisting(file);
  }
  ({ segments, size, checkpoint } = index);
  // The last line's seq; with no line left (all acknowledged and trimmed), the checkpoint's.
  let lastSeq = segments.at(-1)?.lastSeq ?? checkpoint?.seq ?? 0;
  const recent = createRecentLines(options.recentWindow);

  const addSegments = (chunks: { first: number; last: number; bytes: number }[]) => {
    for (const chunk of chunks) {
      segments.push({ firstSeq: chunk.first, lastSeq: chunk.last, offset: size, bytes: chunk.bytes });
      size += chunk.bytes;
      lastSeq = chunk.last;
    }
  };

  const batchOf = (entries: Entry[]): SpoolBatch | null => {
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) return null;
    // Each entry's row without its `[`: joined so, the rows make the batch's array with no copy per row.
    return { firstSeq: first.seq, lastSeq: last.seq, body: Buffer.from(`[[${entries.map((e) => e.tail).join(",[")}]`) };
  };

  /** Rewrites the file from `dropBytes` on, the checkpoint first when it lies before (atomically: a crash leaves either file). */
  const rewrite = async (dropBytes: number, keepFrom: number) => {
    const head = checkpoint && checkpoint.offset < dropBytes ? checkpointRow(checkpoint.value, lastSeq) : "";
    await replaceWithTail(file, path, { head, from: dropBytes, size });
    await file.close();
    file = await open(path, "a+", PRIVATE_FILE_MODE);
    const shift = Buffer.byteLength(head) - dropBytes;
    segments = segments.slice(keepFrom).map((s) => ({ ...s, offset: s.offset + shift }));
    if (checkpoint)
      checkpoint = head ? { ...checkpoint, seq: lastSeq, offset: 0 } : { ...checkpoint, offset: checkpoint.offset + shift };
    size += shift;
  };

  const appendRows = (rows: RowTails, value: unknown) =>
    serial(async () => {
      if (rows.tails.length === 0 && value === undefined) return;
      const lastLine = rows.tails.length === 0 ? lastSeq : rows.firstSeq + rows.tails.length - 1;
      const row = value === undefined ? "" : checkpointRow(value, lastLine);
      const { data, chunks, block } = encodeAppend(rows, row);
      await writeAll(file, data);
      addSegments(chunks);
      recent.add(block);
      if (row) {
        checkpoint = { value, seq: lastSeq, offset: size };
        // Inside the segment before it, so that a segment's bytes stay one run of the file.
        const rowBytes = Buffer.byteLength(row);
        const last = segments.at(-1);
        if (last && last.offset + last.bytes === size) last.bytes += rowBytes;
        size += rowBytes;
      }
      recent.fitBounds();
    });

  return {
    path,
    lastSeq: () => lastSeq,
    checkpoint: () => checkpoint?.value,
    firstSeq: () => segments[0]?.firstSeq ?? lastSeq + 1,
    append(lines, value) {
      const tails = lines.map((line) => encodeLogRowTail(line.stream, line.text, line.ts, line.kind));
      return appendRows({ firstSeq: lines[0]?.seq ?? lastSeq + 1, tails }, value);
    },
    appendRows,
    readBatch(afterSeq, maxBytes, maxLines = Infinity) {
      return serial(async () => {
        if (afterSeq >= lastSeq) return null;
        const picked: Entry[] = [];
        let bytes = 0;
        const take = (entry: Entry) => {
          if (picked.length >= maxLines || (picked.length > 0 && bytes + entry.bytes > maxBytes)) return false;
          if (entry.seq !== afterSeq + 1 + picked.length) return false;
          picked.push(entry);
          bytes += entry.bytes;
          return true;
        };
        const fromMemory = recent.batchFrom(afterSeq + 1, maxBytes, maxLines);
        if (fromMemory) return fromMemory;
        const start = segments.findIndex((s) => s.lastSeq > afterSeq);
        if (start === -1) return null;
        let end = start + 1;
        let span = segments[start]?.bytes ?? 0;
        for (let next = segments[end]; next && span + next.bytes <= maxBytes; next = segments[++end]) span += next.bytes;
        const buffer = Buffer.alloc(span);
        await file.read(buffer, 0, span, segments[start]?.offset ?? 0);
        for (const raw of buffer.toString("utf8").split("\n")) {
          const entry = toEntry(raw);
          if (!entry || entry.seq <= afterSeq) continue;
          if (!take(entry)) break;
        }
        return batchOf(picked);
      });
    },
    trim(ackedSeq) {
      return serial(async () => {
        recent.dropThrough(ackedSeq);
        const isPastLast = ackedSeq > lastSeq;
        lastSeq = Math.max(lastSeq, ackedSeq);
        const keepFrom = segments.findIndex((s) => s.lastSeq > ackedSeq);
        if (keepFrom === -1 && !checkpoint) {
          if (size > 0) await file.truncate(0);
          segments = [];
          size = 0;
          return;
        }
        const dropBytes = keepFrom === -1 ? size : (segments[keepFrom]?.offset ?? 0);
        // Past lastSeq, the rows go at once, so the next line follows the file's last row.
        if (!isPastLast && (dropBytes < TRIM_MIN_BYTES || dropBytes < size / 2)) return;
        await rewrite(dropBytes, keepFrom === -1 ? segments.length : keepFrom);
      });
    },
    close(options) {
      return serial(async () => {
        recent.clear();
        await file.close();
        if (options?.remove) await rm(path, { force: true });
      });
    },
  };
}
