import { encodeLogLines, readStoredLogRow, type LogLine, type LogStream } from "@grove/core";
import { databaseProvider, executeDirect, queryDirect, type Db } from "./client.ts";
import { parseChunk, parseJson, STREAM_OF, TEXT_OF } from "./log-chunk-json.ts";
import { scanLinesOfStream, scanSearch } from "./log-chunk-scan.ts";

/*
 * A run's log is stored as the chunks the runner sent (LogChunk: lines firstSeq..lastSeq, a JSON array of
 * [stream, text, ts]), not as a row per line: one small insert per batch, whatever its size. A chunk is
 * stored only when it starts right after the run's last stored seq, in one statement that checks that,
 * so every seq is stored exactly once, in order, and a resent batch changes nothing.
 */

const WATERMARK = `SELECT COALESCE(MAX("lastSeq"), 0) AS "lastSeq" FROM "LogChunk" WHERE "runId" = ?1`;

// SQLite runs one writer at a time. PostgreSQL lets two instances storing the same batch both see the old
// watermark: the second one's chunk then collides on (runId, firstSeq) and is not stored.
const APPEND_CHUNK = {
  sqlite: `INSERT INTO "LogChunk" ("runId", "firstSeq", "lastSeq", "lines")
SELECT ?1, ?2, ?3, ?4 WHERE (SELECT COALESCE(MAX("lastSeq"), 0) FROM "LogChunk" WHERE "runId" = ?1) = ?2 - 1`,
  postgresql: `INSERT INTO "LogChunk" ("runId", "firstSeq", "lastSeq", "lines")
SELECT $1::text, $2::int, $3::int, $4::text
WHERE (SELECT COALESCE(MAX("lastSeq"), 0) FROM "LogChunk" WHERE "runId" = $1::text) = $2::int - 1
ON CONFLICT DO NOTHING`,
};

// Run.lastSeq mirrors the watermark for the dashboard; the chunks are the truth.
const MIRROR_WATERMARK = `UPDATE "Run" SET "lastSeq" = ?2 WHERE "id" = ?1 AND "lastSeq" < ?2`;

// On PostgreSQL the append and the mirror are one statement: one round trip and one commit per batch.
const APPEND_AND_MIRROR = `WITH "appended" AS (${APPEND_CHUNK.postgresql}
RETURNING "lastSeq"
), "mirrored" AS (
UPDATE "Run" SET "lastSeq" = "appended"."lastSeq" FROM "appended" WHERE "Run"."id" = $1::text AND "Run"."lastSeq" < "appended"."lastSeq"
)
SELECT "lastSeq" FROM "appended"`;

/** Stores lines firstSeq..lastSeq (`body`) when they follow the run's last stored line; true when it did. */
async function appendChunk(db: Db, runId: string, firstSeq: number, lastSeq: number, body: string): Promise<boolean> {
  const args = [runId, firstSeq, lastSeq, body];
  if (databaseProvider(db) === "postgresql") return (await queryDirect(db, APPEND_AND_MIRROR, args)).length > 0;
  if ((await executeDirect(db, APPEND_CHUNK, args)) === 0) return false;
  await executeDirect(db, MIRROR_WATERMARK, [runId, lastSeq]);
  return true;
}

const isContiguous = (lines: readonly LogLine[], from: number) => lines.every((line, i) => line.seq === from + i);

/**
 * Persists a batch idempotently on (runId, seq) and returns the highest seq up to which every line of
 * the run is stored — what the runner may trim from its spool. Lines at or below that seq are already
 * stored and skipped; lines after a gap are not stored (the runner resends from the returned seq).
 * `encoded`: the batch's lines as `encodeLogLines` writes them, stored as they are when all are new.
 */
export async function insertLogLines(db: Db, runId: string, lines: readonly LogLine[], encoded?: string): Promise<number> {
  const first = lines[0]?.seq ?? 0;
  const last = first + lines.length - 1;
  // Most batches follow the stored lines: stored at once, without reading where the log ends first.
  if (first > 0 && isContiguous(lines, first) && (await appendChunk(db, runId, first, last, encoded ?? encodeLogLines(lines))))
    return last;
  const watermark = await readLogWatermark(db, runId);
  const start = lines.findIndex((line) => line.seq > watermark);
  if (start === -1) return watermark;
  const fresh = start === 0 ? lines : lines.slice(start);
  if (!isContiguous(fresh, watermark + 1)) return watermark;
  const freshLast = watermark + fresh.length;
  const body = encoded !== undefined && start === 0 ? encoded : encodeLogLines(fresh);
  return (await appendChunk(db, runId, watermark + 1, freshLast, body)) ? freshLast : readLogWatermark(db, runId);
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
  if (databaseProvider(db) === "postgresql") return scanLinesOfStream(db, runId, stream, afterSeq, limit);
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
  if (databaseProvider(db) === "postgresql") return scanSearch(db, runId, query, afterSeq, limit);
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
    {
      sqlite: `SELECT COALESCE(SUM("lastSeq" - "firstSeq" + 1), 0) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT "value" FROM json_each(?1))`,
      postgresql: `SELECT COALESCE(SUM("lastSeq" - "firstSeq" + 1), 0) AS "n" FROM "LogChunk" WHERE "runId" IN (SELECT json_array_elements_text($1::json))`,
    },
    [JSON.stringify(runIds)],
  );
  return Number(rows[0]?.n ?? 0);
}
