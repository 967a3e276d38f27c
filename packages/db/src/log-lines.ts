import { encodeLogLines, readStoredLogRow, type LogLine, type LogStream } from "@grove/core";
import { executeDirect, queryDirect, type Db } from "./client.ts";
import { parseChunk, parseJson, STREAM_OF, TEXT_OF } from "./log-chunk-json.ts";

/*
 * A run's log is stored as the chunks the runner sent (LogChunk: lines firstSeq..lastSeq, a JSON array of
 * [stream, text, ts]), not as a row per line: one small insert per batch, whatever its size. A chunk is
 * stored only when it starts right after the run's last stored seq, in one statement that checks that,
 * so every seq is stored exactly once, in order, and a resent batch changes nothing.
 */

const WATERMARK = `SELECT COALESCE(MAX("lastSeq"), 0) AS "lastSeq" FROM "LogChunk" WHERE "runId" = ?1`;

const APPEND_CHUNK = `INSERT INTO "LogChunk" ("runId", "firstSeq", "lastSeq", "lines")
SELECT ?1, ?2, ?3, ?4 WHERE (SELECT COALESCE(MAX("lastSeq"), 0) FROM "LogChunk" WHERE "runId" = ?1) = ?2 - 1`;

// Run.lastSeq mirrors the watermark for the dashboard; the chunks are the truth.
const MIRROR_WATERMARK = `UPDATE "Run" SET "lastSeq" = ?2 WHERE "id" = ?1 AND "lastSeq" < ?2`;

/**
 * Persists a batch idempotently on (runId, seq) and returns the highest seq up to which every line of
 * the run is stored — what the runner may trim from its spool. Lines at or below that seq are already
 * stored and skipped; lines after a gap are not stored (the runner resends from the returned seq).
 */
export async function insertLogLines(db: Db, runId: string, lines: readonly LogLine[], encoded?: string): Promise<number> {
  const watermark = await readLogWatermark(db, runId);
  const start = lines.findIndex((line) => line.seq > watermark);
  if (start === -1) return watermark;
  const fresh = start === 0 ? lines : lines.slice(start);
  if (!fresh.every((line, i) => line.seq === watermark + 1 + i)) return watermark;
  const last = watermark + fresh.length;
  // `encoded`: the batch's lines as `encodeLogLines` writes them, stored as they are when all are new.
  const body = encoded !== undefined && start === 0 ? encoded : encodeLogLines(fresh);
  if ((await executeDirect(db, APPEND_CHUNK, [runId, watermark + 1, last, body])) === 0) return readLogWatermark(db, runId);
  await executeDirect(db, MIRROR_WATERMARK, [runId, last]);
  return last;
}

/** The highest seq up to which every line of the run is stored (0 when none is). */
export async function readLogWatermark(db: Db, runId: string): Promise<number> {
  const [row] = await queryDirect<{ lastSeq: unknown }>(db, WATERMARK, [runId]);
  return Number(row?.lastSeq ?? 0);
}

/** Up to `limit` lines with seq > `since`, in order. */
export async function listLogLines(db: Db, runId: string, since: number, limit = 5000): Promise<LogLine[]> {
  const out: LogLine[] = [];
  let after = since;
  while (out.length < limit) {
    const chunks = await queryDirect<{ firstSeq: unknown; lastSeq: unknown; lines: unknown }>(
      db,
      `SELECT "firstSeq", "lastSeq", "lines" FROM "LogChunk" WHERE "runId" = ?1 AND "lastSeq" > ?2 ORDER BY "lastSeq" LIMIT 8`,
      [runId, after],
    );
    if (chunks.length === 0) break;
    for (const chunk of chunks) {
      const first = Number(chunk.firstSeq);
      const lines = parseChunk(chunk.lines);
      for (let i = Math.max(0, after + 1 - first); i < lines.length && out.length < limit; i++) {
        out.push(readStoredLogRow(lines[i], first + i));
      }
      after = Number(chunk.lastSeq);
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** Up to `limit` lines of one stream with seq > `afterSeq`, in order. */
export async function listLogLinesOfStream(
  db: Db,
  runId: string,
  stream: LogStream,
  afterSeq: number,
  limit: number,
): Promise<LogLine[]> {
  // The row's JSON is decoded here, not by SQLite's ->>: SQL text ends at a NUL, so "a\u0000b" would come back as "a".
  const rows = await queryDirect<{ seq: unknown; line: unknown }>(
    db,
    `SELECT c."firstSeq" + j."key" AS "seq", j."value" AS "line"
     FROM "LogChunk" c, json_each(c."lines") j
     WHERE c."runId" = ?1 AND c."lastSeq" > ?2 AND c."firstSeq" + j."key" > ?2 AND ${STREAM_OF} = ?3
     ORDER BY c."firstSeq", j."key" LIMIT ?4`,
    [runId, afterSeq, stream, limit],
  );
  return rows.map((row) => ({ ...readStoredLogRow(parseJson(row.line), Number(row.seq)), stream }));
}

/** Seqs of the lines containing `query` (case-insensitive for ASCII, as SQL LIKE), from `afterSeq` on. */
export async function searchLogLines(db: Db, runId: string, query: string, afterSeq: number, limit: number): Promise<number[]> {
  const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await queryDirect<{ seq: unknown }>(
    db,
    `SELECT c."firstSeq" + j."key" AS "seq"
     FROM "LogChunk" c, json_each(c."lines") j
     WHERE c."runId" = ?1 AND c."lastSeq" > ?2 AND c."firstSeq" + j."key" > ?2 AND (${TEXT_OF}) LIKE ?3 ESCAPE '\\'
     ORDER BY c."firstSeq", j."key" LIMIT ?4`,
    [runId, afterSeq, pattern, limit],
  );
  return rows.map((row) => Number(row.seq));
}

/** How many lines are stored for these runs. */
export async function countLogLines(db: Db, runIds: readonly string[]): Promise<number> {
  if (runIds.length === 0) return 0;
  const rows = await queryDirect<{ n: unknown }>(
    db,
    `SELECT COALESCE(SUM("lastSeq" - "firstSeq" + 1), 0) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT "value" FROM json_each(?1))`,
    [JSON.stringify(runIds)],
  );
  return Number(rows[0]?.n ?? 0);
}
