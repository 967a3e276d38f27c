import { LogLineSchema, type LogLine } from "@grove/core";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

/** One append, or a slice of one: the unit the spool reads back. Bounded so reads are too. */
type Segment = { firstSeq: number; lastSeq: number; offset: number; bytes: number };

const SEGMENT_BYTES = 256 * 1024;
// The newest appended lines stay in memory too, so shipping them needs no read back from the file.
const RECENT_MAX_BYTES = 1024 * 1024;
// Rewriting the file only pays off once a good part of it is acknowledged.
const TRIM_MIN_BYTES = 4 * 1024 * 1024;

export type RunSpool = {
  readonly path: string;
  /** Highest seq written to disk (0 when none). */
  lastSeq(): number;
  /** Appends lines (seq ascending) to the file; resolves once the OS has them. */
  append(lines: readonly LogLine[]): Promise<void>;
  /**
   * Lines with seq > `afterSeq`, in order: at most `maxLines`, and at most `maxBytes` of file (always
   * at least one line).
   */
  readAfter(afterSeq: number, maxBytes: number, maxLines?: number): Promise<LogLine[]>;
  /** Forgets lines up to `ackedSeq`: empties the file when all are acked, else rewrites it when worthwhile. */
  trim(ackedSeq: number): Promise<void>;
  close(options?: { remove?: boolean }): Promise<void>;
};

/**
 * The on-disk spool of one run: JSON lines `{seq, stream, text, ts}`. Opening an existing file (after
 * a runner restart) indexes what is in it and drops a last line cut short by a crash.
 */
export async function openRunSpool(path: string): Promise<RunSpool> {
  await mkdir(dirname(path), { recursive: true });
  let file = await open(path, "a+");
  let segments: Segment[] = [];
  let size = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };

  ({ segments, size } = await indexExisting(file));
  let lastSeq = segments.at(-1)?.lastSeq ?? 0;
  // Contiguous lines ending at lastSeq, with their file bytes; bounded by RECENT_MAX_BYTES.
  let recent: { line: LogLine; bytes: number }[] = [];
  let recentBytes = 0;
  const remember = (line: LogLine, bytes: number) => {
    recent.push({ line, bytes });
    recentBytes += bytes;
  };
  const forgetRecent = () => {
    let drop = 0;
    while (recentBytes > RECENT_MAX_BYTES && drop < recent.length) recentBytes -= recent[drop++]?.bytes ?? 0;
    if (drop > 0) recent = recent.slice(drop);
  };
  const forgetRecentUpTo = (seq: number) => {
    let drop = 0;
    while (drop < recent.length && (recent[drop]?.line.seq ?? Infinity) <= seq) recentBytes -= recent[drop++]?.bytes ?? 0;
    if (drop > 0) recent = recent.slice(drop);
  };

  const addSegments = (chunks: { lines: LogLine[]; bytes: number }[]) => {
    for (const chunk of chunks) {
      const first = chunk.lines[0];
      const last = chunk.lines.at(-1);
      if (!first || !last) continue;
      segments.push({ firstSeq: first.seq, lastSeq: last.seq, offset: size, bytes: chunk.bytes });
      size += chunk.bytes;
      lastSeq = last.seq;
    }
  };

  return {
    path,
    lastSeq: () => lastSeq,
    append(lines) {
      return serial(async () => {
        if (lines.length === 0) return;
        const chunks: { lines: LogLine[]; bytes: number; text: string[] }[] = [];
        for (const line of lines) {
          const text = `{"seq":${line.seq},"stream":"${line.stream}","text":${JSON.stringify(line.text)},"ts":${line.ts}}\n`;
          const bytes = Buffer.byteLength(text);
          remember(line, bytes);
          let chunk = chunks.at(-1);
          if (!chunk || chunk.bytes + bytes > SEGMENT_BYTES) chunks.push((chunk = { lines: [], bytes: 0, text: [] }));
          chunk.lines.push(line);
          chunk.text.push(text);
          chunk.bytes += bytes;
        }
        await file.write(chunks.map((c) => c.text.join("")).join(""));
        addSegments(chunks);
        forgetRecent();
      });
    },
    readAfter(afterSeq, maxBytes, maxLines = Infinity) {
      return serial(async () => {
        const first = recent[0]?.line.seq ?? Infinity;
        const from = afterSeq + 1 - first;
        if (afterSeq >= lastSeq) return [];
        if (from >= 0 && recent[from]?.line.seq === afterSeq + 1) {
          const lines: LogLine[] = [];
          let bytes = 0;
          for (let i = from; i < recent.length && lines.length < maxLines; i++) {
            const entry = recent[i];
            if (!entry || (lines.length > 0 && bytes + entry.bytes > maxBytes)) break;
            lines.push(entry.line);
            bytes += entry.bytes;
          }
          return lines;
        }
        const start = segments.findIndex((s) => s.lastSeq > afterSeq);
        if (start === -1) return [];
        let end = start + 1;
        let bytes = segments[start]?.bytes ?? 0;
        for (let next = segments[end]; next && bytes + next.bytes <= maxBytes; next = segments[++end]) bytes += next.bytes;
        const offset = segments[start]?.offset ?? 0;
        const buffer = Buffer.alloc(bytes);
        await file.read(buffer, 0, bytes, offset);
        return parseLines(buffer.toString("utf8"))
          .filter((line) => line.seq > afterSeq)
          .slice(0, maxLines);
      });
    },
    trim(ackedSeq) {
      return serial(async () => {
        forgetRecentUpTo(ackedSeq);
        const keepFrom = segments.findIndex((s) => s.lastSeq > ackedSeq);
        if (keepFrom === -1) {
          if (size > 0) await file.truncate(0);
          segments = [];
          size = 0;
          return;
        }
        const dropBytes = segments[keepFrom]?.offset ?? 0;
        if (dropBytes < TRIM_MIN_BYTES || dropBytes < size / 2) return;
        const tmpPath = `${path}.trim`;
        const tmp = await open(tmpPath, "w");
        try {
          const buffer = Buffer.alloc(SEGMENT_BYTES * 4);
          for (let at = dropBytes; at < size; ) {
            const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - at), at);
            if (bytesRead === 0) break;
            await tmp.write(buffer.subarray(0, bytesRead));
            at += bytesRead;
          }
        } finally {
          await tmp.close();
        }
        await rename(tmpPath, path);
        await file.close();
        file = await open(path, "a+");
        segments = segments.slice(keepFrom).map((s) => ({ ...s, offset: s.offset - dropBytes }));
        size -= dropBytes;
      });
    },
    close(options) {
      return serial(async () => {
        await file.close();
        if (options?.remove) await rm(path, { force: true });
      });
    },
  };
}

/** Indexes a spool left by an earlier runner, reading it in chunks so a big one costs no big buffer. */
async function indexExisting(file: FileHandle): Promise<{ segments: Segment[]; size: number }> {
  const { size: fileSize } = await file.stat();
  const segments: Segment[] = [];
  let offset = 0;
  const addLine = (raw: string, bytes: number) => {
    const line = parseLines(raw)[0];
    const last = segments.at(-1);
    if (line && last && last.bytes + bytes <= SEGMENT_BYTES) {
      last.lastSeq = line.seq;
      last.bytes += bytes;
    } else if (line) {
      segments.push({ firstSeq: line.seq, lastSeq: line.seq, offset, bytes });
    } else if (last) {
      last.bytes += bytes;
    }
    offset += bytes;
  };
  const buffer = Buffer.alloc(SEGMENT_BYTES * 4);
  let carry = Buffer.alloc(0);
  for (let at = 0; at < fileSize; ) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
    if (bytesRead === 0) break;
    at += bytesRead;
    const chunk = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      addLine(chunk.subarray(start, newline).toString("utf8"), newline - start + 1);
      start = newline + 1;
    }
    carry = Buffer.from(chunk.subarray(start));
  }
  // Whatever follows the last newline is a line cut short by a crash.
  if (offset < fileSize) await file.truncate(offset);
  return { segments, size: offset };
}

function parseLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of text.split("\n")) {
    if (raw.length === 0) continue;
    try {
      const parsed = LogLineSchema.safeParse(JSON.parse(raw));
      if (parsed.success) lines.push(parsed.data);
    } catch {
      // A line torn by a crash: skip it, the rest of the spool is still good.
    }
  }
  return lines;
}
