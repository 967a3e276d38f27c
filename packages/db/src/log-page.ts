import { readStoredLogRow, readStoredText, type LogLine, type LogStream } from "@grove/core";
import { databaseProvider, queryDirect, type Db } from "./client.ts";
import { scanStreamPage } from "./log-chunk-scan.ts";
import { parseChunk, STREAM_OF, TEXT_OF, TS_OF } from "./log-chunk-json.ts";

/** A page of a run's log, and the `afterSeq` of the next page: null when no stored line follows this page. */
export type LogPage = { lines: LogLine[]; nextAfterSeq: number | null };

/**
 * Up to `limit` lines with seq > `afterSeq` (of one stream, if given), in order, holding at most
 * `maxBytes` of line text (UTF-8) — but always at least one line, so paging moves on whatever a line
 * holds. Lines are 16 KiB of agent output at most, so a bound on lines alone is not a bound on memory.
 */
export async function listLogPage(
  db: Db,
  runId: string,
  afterSeq: number,
  opts: { limit: number; maxBytes: number; stream?: LogStream },
): Promise<LogPage> {
  if (opts.stream) {
    const streamOpts = { ...opts, stream: opts.stream };
    if (databaseProvider(db) === "postgresql") return scanStreamPage(db, runId, afterSeq, streamOpts);
    return listStreamPage(db, runId, afterSeq, streamOpts);
  }
  const lines: LogLine[] = [];
  let bytes = 0;
  let after = afterSeq;
  // One stored chunk at a time: a chunk is a whole batch from the runner, so reading ahead would hold more than the page.
  for (;;) {
    const [chunk] = await queryDirect<{ firstSeq: unknown; lastSeq: unknown; lines: unknown }>(
      db,
      `SELECT "firstSeq", "lastSeq", "lines" FROM "LogChunk" WHERE "runId" = ?1 AND "lastSeq" > ?2 ORDER BY "lastSeq" LIMIT 1`,
      [runId, after],
    );
    if (!chunk) return { lines, nextAfterSeq: null };
    const first = Number(chunk.firstSeq);
    const stored = parseChunk(chunk.lines);
    for (let i = Math.max(0, after + 1 - first); i < stored.length; i++) {
      const line = readStoredLogRow(stored[i], first + i);
      const size = Buffer.byteLength(line.text);
      if (lines.length >= opts.limit || (lines.length > 0 && bytes + size > opts.maxBytes))
        return { lines, nextAfterSeq: line.seq - 1 };
      lines.push(line);
      bytes += size;
    }
    after = Number(chunk.lastSeq);
  }
}

const STREAM_LINES = `FROM "LogChunk" c, json_each(c."lines") j
     WHERE c."runId" = ?1 AND c."lastSeq" > ?2 AND c."firstSeq" + j."key" > ?2 AND ${STREAM_OF} = ?3`;

/** The same for one stream: sizes first (no text read), then the text of the lines that fit. */
async function listStreamPage(
  db: Db,
  runId: string,
  afterSeq: number,
  opts: { limit: number; maxBytes: number; stream: LogStream },
): Promise<LogPage> {
  const sizes = await queryDirect<{ seq: unknown; bytes: unknown }>(
    db,
    `SELECT c."firstSeq" + j."key" AS "seq", length(CAST(${TEXT_OF} AS BLOB)) AS "bytes" ${STREAM_LINES}
     ORDER BY c."firstSeq", j."key" LIMIT ?4`,
    [runId, afterSeq, opts.stream, opts.limit + 1],
  );
  let count = 0;
  for (let bytes = 0; count < Math.min(sizes.length, opts.limit); count++) {
    bytes += Number(sizes[count]?.bytes ?? 0);
    if (count > 0 && bytes > opts.maxBytes) break;
  }
  if (count === 0) return { lines: [], nextAfterSeq: null };
  const lastSeq = Number(sizes[count - 1]?.seq);
  const rows = await queryDirect<{ seq: unknown; text: unknown; ts: unknown }>(
    db,
    `SELECT c."firstSeq" + j."key" AS "seq", ${TEXT_OF} AS "text", ${TS_OF} AS "ts" ${STREAM_LINES} AND c."firstSeq" + j."key" <= ?4
     ORDER BY c."firstSeq", j."key" LIMIT ?5`,
    [runId, afterSeq, opts.stream, lastSeq, count],
  );
  const lines = rows.map((row) => ({
    seq: Number(row.seq),
    stream: opts.stream,
    text: readStoredText(row.text),
    ts: Number(row.ts ?? 0),
  }));
  return { lines, nextAfterSeq: count < sizes.length ? lastSeq : null };
}
