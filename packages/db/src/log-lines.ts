import { LogStreamSchema, type LogLine } from "@grove/core";
import { queryDirect, type Db } from "./client.ts";

/**
 * One statement per batch, whatever its size: the lines travel as a single JSON parameter and SQLite
 * unpacks them itself (json_each), so the SQL text never changes and no per-row parameter is bound.
 * It runs on the hub's own Prisma connection: one connection, one writer, no lock contention.
 */
const INSERT_BATCH = `INSERT OR IGNORE INTO "LogLine" ("runId", "seq", "stream", "text", "ts")
SELECT ?1, "value" ->> 0, "value" ->> 1, "value" ->> 2, "value" ->> 3 FROM json_each(?2)`;

/**
 * The run's watermark: it jumps to the batch's last seq when the batch is contiguous (?2..?3) and
 * starts at or before the seq after the watermark, then walks forward over any stored seq that follows
 * (lines that arrived past a gap earlier). Usually that walk is a single index probe.
 */
const ADVANCE_WATERMARK = `UPDATE "Run" SET "lastSeq" = (
  WITH RECURSIVE w(n) AS (
    SELECT CASE WHEN "lastSeq" >= ?2 - 1 AND "lastSeq" < ?3 THEN ?3 ELSE "lastSeq" END FROM "Run" WHERE "id" = ?1
    UNION ALL
    SELECT n + 1 FROM w WHERE EXISTS (SELECT 1 FROM "LogLine" WHERE "runId" = ?1 AND "seq" = n + 1)
  )
  SELECT MAX(n) FROM w
) WHERE "id" = ?1 RETURNING "lastSeq"`;

/**
 * Persists a batch idempotently on (runId, seq) and returns the highest seq up to which every
 * line of the run is stored — what the runner may trim from its spool. Batches of one run must not
 * be written concurrently (the hub queues them per run).
 */
export async function insertLogLines(db: Db, runId: string, lines: readonly LogLine[]): Promise<number> {
  const first = lines[0];
  const last = lines.at(-1);
  if (!first || !last) return watermarkOf(db, runId);
  await queryDirect(db, INSERT_BATCH, [runId, JSON.stringify(lines.map((l) => [l.seq, l.stream, l.text, l.ts]))]);
  const contiguous = last.seq - first.seq === lines.length - 1 && lines.every((l, i) => l.seq === first.seq + i);
  // Not contiguous: an empty range (last + 1 .. last) leaves only the walk.
  const [from, to] = contiguous ? [first.seq, last.seq] : [last.seq + 1, last.seq];
  const rows = await queryDirect<{ lastSeq: unknown }>(db, ADVANCE_WATERMARK, [runId, from, to]);
  const watermark = rows[0]?.lastSeq;
  return typeof watermark === "number" || typeof watermark === "bigint" || typeof watermark === "string" ? Number(watermark) : 0;
}

async function watermarkOf(db: Db, runId: string): Promise<number> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { lastSeq: true } });
  return run?.lastSeq ?? 0;
}

export async function listLogLines(db: Db, runId: string, since: number, limit = 5000): Promise<LogLine[]> {
  const rows = await db.logLine.findMany({
    where: { runId, seq: { gt: since } },
    orderBy: { seq: "asc" },
    take: limit,
  });
  return rows.map((r) => ({ seq: r.seq, stream: LogStreamSchema.catch("system").parse(r.stream), text: r.text, ts: Number(r.ts) }));
}
