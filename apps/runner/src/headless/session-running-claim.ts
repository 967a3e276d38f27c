import { DomainError } from "@grove/core";
import { isPidAlive, withLockFile } from "@grove/core/node";
import { PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { open, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";

const HolderSchema = z.object({ pid: z.number().int(), host: z.string(), at: z.number() });
type Holder = z.infer<typeof HolderSchema>;

/** Held by the grove process that runs the session; `release` deletes it only while it is still this one's. */
export type RunningClaim = { release(): Promise<void> };

/**
 * Claims the right to run the session whose folder is `sessionDir`: `running` created with O_EXCL, holding
 * this process's pid. Two processes running one session would start the same run ids and interleave its
 * audit trail. A claim whose holder died on this host (killed, crashed) is taken over; the judging and
 * deleting happen under `running.lock`, so two processes never both take over one stale claim. While a live
 * process holds it, says who.
 */
export async function takeRunningClaim(sessionDir: string): Promise<{ claim: RunningClaim } | { heldBy: string }> {
  const path = join(sessionDir, "running");
  const mine: Holder = { pid: process.pid, host: hostname(), at: Date.now() };
  return withLockFile(
    `${path}.lock`,
    async () => {
      if (await tryCreate(path, mine)) return { claim: claimOf(path, mine) };
      const holder = await readHolder(path);
      if (holder && !isStale(holder)) return { heldBy: describeHolder(holder) };
      // Dead (or never finished writing, as a killed process leaves it): this process's now.
      await unlink(path).catch(() => undefined);
      if (await tryCreate(path, mine)) return { claim: claimOf(path, mine) };
      return { heldBy: "another grove process" };
    },
    { timeoutMs: 10_000, what: "the session's claim lock" },
  );
}

/**
 * True while a live `grove session run` holds the claim of `sessionId` in `dataDir`: its runs are that process's,
 * and no one else may end them. A claim being written (no record yet) counts as held, and so does a holder on another
 * host (never guessed at); a runner's sessions have no claim.
 */
export async function isHeadlessSessionRunning(dataDir: string, sessionId: string): Promise<boolean> {
  const path = join(dataDir, "sessions", sessionId, "running");
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return false;
  const holder = parseHolder(text);
  return holder === null || !isStale(holder);
}

/** The refusal of a session another grove process is running, naming it and the way out. */
export function sessionBusyError(sessionId: string, sessionDir: string, heldBy: string): DomainError {
  return new DomainError(
    "ALREADY_EXISTS",
    `session "${sessionId}" is being run by another grove process (${heldBy}); nothing was started. ` +
      `Wait for it to end, or name another session in the plan. If no grove process runs it, delete ${join(sessionDir, "running")}`,
  );
}

async function tryCreate(path: string, holder: Holder): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "wx", PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

function claimOf(path: string, mine: Holder): RunningClaim {
  return {
    async release() {
      const holder = await readHolder(path);
      if (holder?.pid === mine.pid && holder.host === mine.host && holder.at === mine.at)
        await unlink(path).catch(() => undefined);
    },
  };
}

async function readHolder(path: string): Promise<Holder | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  return text === null ? null : parseHolder(text);
}

function parseHolder(text: string): Holder | null {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A holder on another host is never guessed at: only a pid gone from this host frees a claim. */
const isStale = (holder: Holder) => holder.host === hostname() && !isPidAlive(holder.pid);

const describeHolder = (holder: Holder) =>
  `pid ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`}, since ${new Date(holder.at).toISOString()}`;
