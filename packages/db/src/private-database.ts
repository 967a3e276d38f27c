import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateFile, PRIVATE_DIR_MODE, restrictFile } from "@grove/core/private-files";

// Files SQLite keeps next to a database; it creates them with the database file's mode.
const SIDE_FILES = ["-wal", "-shm", "-journal"];

/**
 * For a SQLite file URL: the database file exists with owner-only access before SQLite or Prisma opens
 * it (so its -wal and -shm get that mode too), and an existing database and its side files are repaired.
 * It holds sessions and password hashes. Other URLs (PostgreSQL) are left alone.
 */
export async function preparePrivateDatabase(url: string): Promise<void> {
  const file = sqliteFileOf(url);
  if (!file) return;
  // New folders only: an existing one (a data dir, or wherever DATABASE_URL points) keeps its mode here.
  await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  await ensurePrivateFile(file);
  for (const suffix of SIDE_FILES) await restrictFile(`${file}${suffix}`);
}

function sqliteFileOf(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const file = url.slice("file:".length).split("?")[0] ?? "";
  return file === "" || file === ":memory:" ? null : path.resolve(file);
}
