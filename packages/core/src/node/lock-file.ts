import { randomUUID } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import pRetry, { type Options as RetryOptions } from "p-retry";
import { z } from "zod";
import { DomainError } from "../errors/domain-error.ts";

export type LockFileOptions = {
  timeoutMs: number;
  /** Names the lock in the timeout error, e.g. "the repository lock". */
  what: string;
  /** The lock file's permissions when created (default 0o666, less the umask); a private folder's lock is 0o600. */
  mode?: number;
};

const TAKEOVER_GUARD_STALE_MS = 5_000;

// Process-wide by nature: the queue is what serializes callers inside one process before they
// contend for the lock file with other processes.
const queues = new Map<string, Promise<void>>();

/**
 * Runs fn while holding `lockPath`: an in-process queue (callers run in call order) plus the file
 * itself, created with O_EXCL, so other processes wait too. A lock whose holder died on this host is
 * taken over. Not re-entrant: a caller that may nest must track what it holds.
 */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, opts: LockFileOptions): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let release = (): void => undefined;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(lockPath, tail);
  try {
    await previous;
    const token = await acquireLockFile(lockPath, opts);
    try {
      return await fn();
    } finally {
      await releaseLockFile(lockPath, token);
    }
  } finally {
    release();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

/**
 * Takes `lockPath` for as long as the caller likes (a process's lifetime): the same file and takeover of a dead
 * holder's as withLockFile, without its in-process queue. Resolves to the release, or fails as withLockFile does
 * when another live process holds it past `opts.timeoutMs`.
 */
export async function holdLockFile(lockPath: string, opts: LockFileOptions): Promise<() => Promise<void>> {
  const token = await acquireLockFile(lockPath, opts);
  return () => releaseLockFile(lockPath, token);
}

const LockRecordSchema = z.object({ pid: z.number().int(), host: z.string(), token: z.string(), at: z.number() });
type LockRecord = z.infer<typeof LockRecordSchema>;

/** The lock file exists: someone holds it (`holder` is its record, null if unreadable), or held it until a stale takeover just now. */
class LockHeldError extends Error {
  constructor(
    readonly holder: string | null,
    readonly isTakenOver: boolean,
  ) {
    super("the lock file exists");
  }
}

async function acquireLockFile(lockPath: string, opts: LockFileOptions): Promise<string> {
  const token = randomUUID();
  const record: LockRecord = { pid: process.pid, host: hostname(), token, at: Date.now() };
  // Polled until opts.timeoutMs: waits grow from ~10 ms to 250 ms, jittered so waiters do not try in step.
  // After a stale lock was taken over the next try is at once: that is no contention.
  const policy = {
    retries: Number.POSITIVE_INFINITY,
    maxRetryTime: opts.timeoutMs,
    minTimeout: 10,
    factor: 1.2,
    maxTimeout: 250,
    randomize: true,
    shouldRetry: ({ error }) => error instanceof LockHeldError,
    shouldConsumeRetry: ({ error }) => !(error instanceof LockHeldError && error.isTakenOver),
  } satisfies RetryOptions;
  try {
    return await pRetry(() => tryCreateLockFile(lockPath, record, opts.mode), policy);
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    throw new DomainError(
      "LOCK_TIMEOUT",
      `Timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${opts.what} ${lockPath}, held by ${describe(error.holder)}. ` +
        `If no grove process is running, delete that file.`,
    );
  }
}

/** One try: the lock file created with O_EXCL and this record written, or a LockHeldError. */
async function tryCreateLockFile(lockPath: string, record: LockRecord, mode = 0o666): Promise<string> {
  try {
    const handle = await open(lockPath, "wx", mode);
    try {
      await handle.writeFile(JSON.stringify(record));
    } finally {
      await handle.close();
    }
    return record.token;
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error;
  }
  const holder = await readFile(lockPath, "utf8").catch(() => null);
  if (holder !== null && (await isStale(lockPath, holder))) {
    await takeOverStale(lockPath, holder);
    throw new LockHeldError(holder, true);
  }
  throw new LockHeldError(holder, false);
}

async function releaseLockFile(lockPath: string, token: string): Promise<void> {
  const content = await readFile(lockPath, "utf8").catch(() => null);
  if (content !== null && parseRecord(content)?.token === token) await unlink(lockPath).catch(() => undefined);
}

/** A holder is stale when it ran on this host and its pid is gone. Holders on other hosts are never guessed at. */
async function isStale(lockPath: string, content: string): Promise<boolean> {
  const record = parseRecord(content);
  if (record !== null) return record.host === hostname() && !isPidAlive(record.pid);
  // No record: either being written right now, or its holder died between create and write.
  const info = await stat(lockPath).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > TAKEOVER_GUARD_STALE_MS;
}

/** Only one process at a time may judge and delete a stale lock, so a fresh lock is never deleted by mistake. */
async function takeOverStale(lockPath: string, staleContent: string): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  let guard;
  try {
    guard = await open(guardPath, "wx");
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error;
    const info = await stat(guardPath).catch(() => null);
    if (info && Date.now() - info.mtimeMs > TAKEOVER_GUARD_STALE_MS) await unlink(guardPath).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const current = await readFile(lockPath, "utf8").catch(() => null);
    if (current === staleContent) await unlink(lockPath).catch(() => undefined);
  } finally {
    await guard.close();
    await unlink(guardPath).catch(() => undefined);
  }
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, "EPERM");
  }
}

function parseRecord(content: string): LockRecord | null {
  try {
    const parsed = LockRecordSchema.safeParse(JSON.parse(content));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describe(content: string | null): string {
  const record = content === null ? null : parseRecord(content);
  if (!record) return "an unknown process";
  return `pid ${record.pid} on ${record.host} since ${new Date(record.at).toISOString()}`;
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === code;
}
