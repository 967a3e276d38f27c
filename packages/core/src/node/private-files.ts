import { chmod, mkdir, open, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { DomainError } from "../errors/domain-error.ts";

// grove's data (the database with live sessions, tokens, spools, run files) is for its user alone. Modes are
// given per file and folder, never by a process umask: that would reach the agents and commands grove starts.
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) readable by its owner only, and takes group and other access away
 * from an existing one: a data dir made by an older grove (0755) is repaired at start.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await makeDirs(resolve(dir), PRIVATE_DIR_MODE);
  await restrictMode(dir, PRIVATE_DIR_MODE);
}

/**
 * mkdir -p, one folder at a time from the nearest one that exists: node's own recursive mkdir spins forever
 * where a file system answers ENOENT for a folder whose parent exists (a path under /proc, say), and a
 * folder the user named must fail with its reason, not hang.
 */
async function makeDirs(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; !(await isDirectory(at)); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    const failure = await mkdir(folder, { mode }).then(
      () => null,
      (error: unknown) => error,
    );
    // EEXIST: made meanwhile by another process (fine), or a file is in the way (not fine).
    if (failure === null || (isCode(failure, "EEXIST") && (await isDirectory(folder)))) continue;
    const reason = isCode(failure, "EEXIST")
      ? `${folder} is a file`
      : failure instanceof Error
        ? failure.message.replace(/^\w+: /, "")
        : "an unknown error";
    throw new DomainError("IO_FAILED", `cannot create the folder ${dir}: ${reason}`, { cause: failure, hint: null });
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Takes group and other access away from an existing file; nothing when it does not exist. */
export async function restrictFile(path: string): Promise<void> {
  await restrictMode(path, PRIVATE_FILE_MODE);
}

/**
 * Creates an empty file with the owner-only mode unless it exists, and repairs the mode of an existing
 * one. SQLite gives a database's -wal and -shm files the mode of the database file, so a database created
 * this way before it is opened keeps its journal private too.
 */
export async function ensurePrivateFile(path: string): Promise<void> {
  const handle = await open(path, "a", PRIVATE_FILE_MODE);
  await handle.close();
  await restrictFile(path);
}

async function restrictMode(path: string, mode: number): Promise<void> {
  const current = await stat(path).catch((error: unknown) => {
    if (isMissing(error)) return null;
    throw error;
  });
  if (current && (current.mode & 0o077) !== 0) await chmod(path, current.mode & mode & 0o777);
}

function isMissing(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}
