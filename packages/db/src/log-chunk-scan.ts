import { LOG_ROW, readStoredLogRow, readStoredText, type LogLine, type LogStream } from "@grove/core";
import { queryDirect, type Db } from "./client.ts";
import { parseChunk } from "./log-chunk-json.ts";
import type { LogPage } from "./log-page.ts";

/*
 * PostgreSQL's side of the queries that look inside a chunk's rows. SQLite reads them in SQL (json_each,
 * ->>); PostgreSQL's JSON functions refuse a chunk holding "\u0000" or a lone surrogate, both of which
 * agent output may contain and the hub stores as sent, so here the chunks are decoded as listLogLines
 * decodes them and the rows are filtered in TypeScript, with the same results.
 */

const CHUNKS = `SELECT "firstSeq", "lastSeq", "lines" FROM "LogChunk" WHERE "runId" = ?1 AND "lastSeq" > ?2 ORDER BY "lastSeq" LIMIT 8`;

/** The stored rows of the run with seq > `afterSeq`, in order, a few chunks at a time. */
export async function* scanLogRows(db: Db, runId: string, afterSeq: number): AsyncGenerator<{ seq: number; row: unknown }> {
  let after = afterSeq;
  for (;;) {
    const chunks = await queryDirect<{ firstSeq: unknown; lastSeq: unknown; lines: unknown }>(db, CHUNKS, [runId, after]);
    if (chunks.length === 0) return;
    for (const chunk of chunks) {
      const first = Number(chunk.firstSeq);
      const rows = parseChunk(chunk.lines);
      for (let i = Math.max(0, after + 1 - first); i < rows.length; i++) yield { seq: first + i, row: rows[i] };
      after = Number(chunk.lastSeq);
    }
  }
}

const fieldOf = (row: unknown, index: number): unknown => (Array.isArray(row) ? (row as unknown[])[index] : undefined);

async function* rowsOfStream(db: Db, runId: string, stream: LogStream, afterSeq: number) {
  for await (const each of scanLogRows(db, runId, afterSeq)) if (fieldOf(each.row, LOG_ROW.stream) === stream) yield each;
}

/** listLogLinesOfStream, by scanning. */
export async function scanLinesOfStream(db: Db, runId: string, stream: LogStream, afterSeq: number, limit: number) {
  const lines: LogLine[] = [];
  if (limit <= 0) return lines;
  for await (const { seq, row } of rowsOfStream(db, runId, stream, afterSeq)) {
    lines.push({ ...readStoredLogRow(row, seq), stream });
    if (lines.length >= limit) break;
  }
  return lines;
}

/** searchLogLines, by scanning: SQL LIKE's match, case-insensitive for ASCII letters only. */
export async function scanSearch(db: Db, runId: string, query: string, afterSeq: number, limit: number): Promise<number[]> {
  const needle = asciiLowerCase(query);
  const seqs: number[] = [];
  if (limit <= 0) return seqs;
  for await (const { seq, row } of scanLogRows(db, runId, afterSeq)) {
    const text = fieldOf(row, LOG_ROW.text);
    if (typeof text !== "string" || !asciiLowerCase(text).includes(needle)) continue;
    seqs.push(seq);
    if (seqs.length >= limit) break;
  }
  return seqs;
}

function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** listLogPage of one stream, by scanning: the same bounds on lines and bytes, the same next page. */
export async function scanStreamPage(
  db: Db,
  runId: string,
  afterSeq: number,
  opts: { limit: number; maxBytes: number; stream: LogStream },
): Promise<LogPage> {
  const lines: LogLine[] = [];
  let bytes = 0;
  for await (const { seq, row } of rowsOfStream(db, runId, opts.stream, afterSeq)) {
    const text = readStoredText(fieldOf(row, LOG_ROW.text));
    const size = Buffer.byteLength(text);
    const last = lines[lines.length - 1];
    if (last && (lines.length >= opts.limit || bytes + size > opts.maxBytes)) return { lines, nextAfterSeq: last.seq };
    if (lines.length >= opts.limit) break;
    lines.push({ seq, stream: opts.stream, text, ts: Number(fieldOf(row, LOG_ROW.ts) ?? 0) });
    bytes += size;
  }
  return { lines, nextAfterSeq: null };
}
