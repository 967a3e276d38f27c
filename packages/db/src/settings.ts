import { databaseProvider, type Db } from "./client.ts";

/** Hub-wide settings and generated secrets, one row per key. */
export async function readSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.setting.findUnique({ where: { key } });
  return row?.value ?? null;
}

export async function writeSetting(db: Db, key: string, value: string): Promise<void> {
  await db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

export async function deleteSetting(db: Db, key: string): Promise<void> {
  await db.setting.deleteMany({ where: { key } });
}

/**
 * Deletes a setting and, when there was one, every copy of its value the database file still holds: the
 * freed page (VACUUM rewrites the file) and the write-ahead log's frames (truncated). For secrets. On
 * PostgreSQL, VACUUM FULL rewrites the table without the dead row; its write-ahead log is the server's own,
 * recycled after checkpoints, which grove does not control.
 */
export async function eraseSetting(db: Db, key: string): Promise<void> {
  const { count } = await db.setting.deleteMany({ where: { key } });
  if (count === 0) return;
  if (databaseProvider(db) === "postgresql") {
    await db.$executeRawUnsafe(`VACUUM FULL "Setting"`);
    return;
  }
  await db.$executeRawUnsafe("VACUUM");
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}

/**
 * The stored value, created with `make()` when absent. Two hub processes starting at once agree on
 * one value: the loser of the insert race reads the winner's.
 */
export async function ensureSetting(db: Db, key: string, make: () => string | Promise<string>): Promise<string> {
  const existing = await readSetting(db, key);
  if (existing !== null) return existing;
  const value = await make();
  try {
    await db.setting.create({ data: { key, value } });
    return value;
  } catch (error) {
    const winner = await readSetting(db, key);
    if (winner === null) throw error;
    return winner;
  }
}
