import { LogStreamSchema, type LogLine } from "@grove/core";
import type { Db } from "./client.ts";
import type { LogWriter } from "./log-writer.ts";
import { Prisma } from "./generated/prisma/client.ts";

const ROWS_PER_STATEMENT = 400;
const writers = new WeakMap<Db, LogWriter>();

/** Routes this database's log inserts through a dedicated fast writer (see log-writer.ts). */
export function useLogWriter(db: Db, writer: LogWriter): void {
  writers.set(db, writer);
}

export function logWriterOf(db: Db): LogWriter | undefined {
  return writers.get(db);
}

/**
 * Persists a batch idempotently on (runId, seq) and returns the highest seq up to which every
 * line of the run is stored — what the runner may trim from its spool.
 */
export async function insertLogLines(db: Db, runId: string, lines: LogLine[]): Promise<number> {
  const writer = writers.get(db);
  if (writer) return writer.write(runId, lines);
  for (let start = 0; start < lines.length; start += ROWS_PER_STATEMENT) {
    const chunk = lines.slice(start, start + ROWS_PER_STATEMENT);
    const values = chunk.map((l) => Prisma.sql`(${runId}, ${l.seq}, ${l.stream}, ${l.text}, ${l.ts})`);
    await db.$executeRaw`INSERT OR IGNORE INTO "LogLine" ("runId", "seq", "stream", "text", "ts") VALUES ${Prisma.join(values)}`;
  }
  return advanceWatermark(db, runId);
}

async function advanceWatermark(db: Db, runId: string): Promise<number> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { lastSeq: true } });
  let watermark = run?.lastSeq ?? 0;
  for (;;) {
    const next = await db.logLine.findMany({
      where: { runId, seq: { gt: watermark } },
      orderBy: { seq: "asc" },
      select: { seq: true },
      take: 5000,
    });
    let advanced = false;
    for (const { seq } of next) {
      if (seq !== watermark + 1) break;
      watermark = seq;
      advanced = true;
    }
    if (!advanced || next.length < 5000) break;
  }
  if (run && watermark !== run.lastSeq) {
    await db.run.update({ where: { id: runId }, data: { lastSeq: watermark } });
  }
  return watermark;
}

export async function listLogLines(db: Db, runId: string, since: number, limit = 5000): Promise<LogLine[]> {
  const rows = await db.logLine.findMany({
    where: { runId, seq: { gt: since } },
    orderBy: { seq: "asc" },
    take: limit,
  });
  return rows.map((r) => ({ seq: r.seq, stream: LogStreamSchema.catch("system").parse(r.stream), text: r.text, ts: Number(r.ts) }));
}
