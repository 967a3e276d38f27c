import { DomainError, formatSessionId } from "@grove/core";
import { access, mkdir, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { sessionAuditPath } from "./audit-file.ts";
import { assertRunIdsUnused } from "./run-id-records.ts";
import { sessionBusyError, takeRunningClaim, type RunningClaim } from "./session-running-claim.ts";

const MAX_SUFFIX = 1000;

export type SessionClaim = {
  sessionId: string;
  /** Lets the session go for the next grove process (at the end of the run). */
  release(): Promise<void>;
  /** The session was refused after it was claimed: released, and its folder removed when this claim made it. */
  abandon(): Promise<void>;
};

/**
 * The session this grove process runs, claimed in `dataDir` so that no other grove process runs it at the
 * same time (session-running-claim.ts). A plan that names its session continues it when it exists: its new
 * tasks join it, its budget counts what its earlier runs spent, its audit trail goes on; refused while
 * another grove process runs it. Without a name, a session of its own: `session-YYYYMMDD-HHMM`, then `-2`,
 * `-3`… for sessions started in the same minute (creating `sessions/<id>` is atomic, so two processes never
 * get one id). A session of an older grove has no folder but has an audit file, which counts as taken too.
 */
export async function claimSession(dataDir: string, planned: string | undefined, now: Date): Promise<SessionClaim> {
  await mkdir(join(dataDir, "sessions"), { recursive: true, mode: 0o700 });
  if (planned !== undefined) {
    const isNew = await makeSessionDir(dataDir, planned);
    const taken = await takeRunningClaim(sessionDir(dataDir, planned));
    if ("claim" in taken) return claimOf(dataDir, planned, taken.claim, isNew);
    throw sessionBusyError(planned, sessionDir(dataDir, planned), taken.heldBy);
  }
  const base = formatSessionId(now);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (await hasAuditFile(dataDir, candidate)) continue;
    if (!(await makeSessionDir(dataDir, candidate))) continue;
    // A plan naming this very id may have taken it since the folder was made: then it is that one's.
    const taken = await takeRunningClaim(sessionDir(dataDir, candidate));
    if ("claim" in taken) return claimOf(dataDir, candidate, taken.claim, true);
  }
  throw new DomainError(
    "INVALID_INPUT",
    `more than ${MAX_SUFFIX} sessions started in the minute ${base}; name the session in the plan`,
  );
}

const sessionDir = (dataDir: string, id: string) => join(dataDir, "sessions", id);

function claimOf(dataDir: string, sessionId: string, claim: RunningClaim, isNew: boolean): SessionClaim {
  return {
    sessionId,
    release: () => claim.release(),
    async abandon() {
      await claim.release();
      if (isNew) await rmdir(sessionDir(dataDir, sessionId)).catch(() => undefined);
    },
  };
}

/** True when this call made the folder, false when the session already had one. */
async function makeSessionDir(dataDir: string, id: string): Promise<boolean> {
  try {
    await mkdir(sessionDir(dataDir, id), { mode: 0o700 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

const hasAuditFile = (dataDir: string, id: string) =>
  access(sessionAuditPath(dataDir, id)).then(
    () => true,
    () => false,
  );

/**
 * Runs `fn` as the session this process claimed (claimSession), released when it ends. The tasks' run ids
 * (`runIdsOf` the claimed id) are checked first: a task that already ran in the session is refused, and the
 * refusal leaves nothing behind.
 */
export async function inClaimedSession<T>(
  o: { dataDir: string; planned: string | undefined; runIdsOf: (sessionId: string) => string[] },
  fn: (sessionId: string) => Promise<T>,
): Promise<T> {
  const claim = await claimSession(o.dataDir, o.planned, new Date());
  try {
    await assertRunIdsUnused(o.dataDir, claim.sessionId, o.runIdsOf(claim.sessionId));
  } catch (error) {
    await claim.abandon();
    throw error;
  }
  try {
    return await fn(claim.sessionId);
  } finally {
    await claim.release();
  }
}
