import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { isPidAlive } from "./lock-file.ts";

/** Inside the git common dir: on the repository's own file system, and never inside any checkout. */
export const TRASH_DIR = "grove-trash";

// An entry is named after the process deleting it, so a sweep can tell a deletion in progress from one
// whose process died. Anything else in there (an entry whose deletion failed) is nobody's.
const OWNED_ENTRY = /^(.+)\.(\d+)\.[0-9a-f-]{36}$/;

/**
 * Renames the folder `path` into the repository's trash, an O(1) step that can be done under the
 * repository lock. Null when it cannot be renamed there (another file system, a mount point, a symlink).
 */
export async function moveToTrash(commonDir: string, path: string): Promise<string | null> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isDirectory()) return null;
  const trash = join(commonDir, TRASH_DIR);
  await mkdir(trash, { recursive: true });
  const entry = join(trash, ownEntryName());
  return rename(path, entry).then(
    () => entry,
    () => null,
  );
}

/**
 * Deletes a trash entry this process owns. If that fails (a read-only folder, say), the entry is renamed
 * to nobody's, so that the next sweep retries it and `grove doctor` reports it.
 */
export async function deleteFromTrash(entry: string): Promise<void> {
  await removeTree(entry).catch(() => abandon(entry));
}

/**
 * Deletes what earlier deletions left in the trash (their process died, or the deletion failed). Each
 * entry is first claimed by renaming it, so two sweeps never delete the same files. Best effort.
 */
export async function sweepTrash(commonDir: string): Promise<void> {
  for (const entry of await listAbandonedTrash(commonDir)) await deleteAbandonedTrash(commonDir, entry).catch(() => undefined);
}

/** Deletes one abandoned entry, claimed first; throws when its files cannot be deleted (it stays abandoned). */
export async function deleteAbandonedTrash(commonDir: string, entry: string): Promise<void> {
  const claimed = join(commonDir, TRASH_DIR, ownEntryName());
  try {
    await rename(entry, claimed);
  } catch (error) {
    // Claimed (and maybe deleted) by someone else meanwhile.
    if (typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT") return;
    throw error;
  }
  await removeTree(claimed).catch(async (error: unknown) => {
    await abandon(claimed);
    throw error;
  });
}

/** Trash entries that no running grove process on this host is deleting (entries of other hosts are never guessed at). */
export async function listAbandonedTrash(commonDir: string): Promise<string[]> {
  const trash = join(commonDir, TRASH_DIR);
  const names = await readdir(trash).catch(() => []);
  return names
    .filter((name) => {
      const owner = OWNED_ENTRY.exec(name);
      if (!owner) return true;
      return owner[1] === encodeURIComponent(hostname()) && !isPidAlive(Number(owner[2]));
    })
    .map((name) => join(trash, name));
}

/**
 * Deletes a folder and everything in it: with the system's `rm -rf` where there is one (40k files in a third
 * of the time fs.rm's walk in JavaScript takes, as fast as git's own removal), else, or when it fails, fs.rm.
 */
async function removeTree(path: string): Promise<void> {
  const isRemoved = await new Promise<boolean>((resolve) => {
    const child = spawn("rm", ["-rf", "--", path], { stdio: "ignore" });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
  });
  if (!isRemoved) await rm(path, { recursive: true, force: true });
}

async function abandon(entry: string): Promise<void> {
  await rename(entry, join(dirname(entry), `abandoned.${randomUUID()}`)).catch(() => undefined);
}

function ownEntryName(): string {
  return `${encodeURIComponent(hostname())}.${process.pid}.${randomUUID()}`;
}
