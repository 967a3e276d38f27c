import { DomainError, formatSessionId } from "@grove/core";
import { access, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { sessionAuditPath } from "./audit-file.ts";

const MAX_SUFFIX = 1000;

/**
 * A session id no other headless session in `dataDir` has, claimed by creating `sessions/<id>` (mkdir is
 * atomic, so two sessions started in the same minute get different ids): the plan's own id, refused when
 * taken, or `session-YYYYMMDD-HHMM`, then `-2`, `-3`… A session's run ids, merge requests and audit file
 * are named after its id; sharing one would overwrite the earlier session's records. A session of an older
 * grove has no claim but has an audit file, which counts too.
 */
export async function claimSessionId(dataDir: string, planned: string | undefined, now: Date): Promise<string> {
  await mkdir(join(dataDir, "sessions"), { recursive: true, mode: 0o700 });
  if (planned !== undefined) {
    if (await claim(dataDir, planned)) return planned;
    throw new DomainError(
      "INVALID_INPUT",
      `session "${planned}" already exists in ${dataDir} (its runs, merge requests and audit trail are kept); name another session in the plan, or leave "session" out for a fresh id`,
    );
  }
  const base = formatSessionId(now);
  for (let n = 1; n <= MAX_SUFFIX; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (await claim(dataDir, candidate)) return candidate;
  }
  throw new DomainError(
    "INVALID_INPUT",
    `more than ${MAX_SUFFIX} sessions started in the minute ${base}; name the session in the plan`,
  );
}

async function claim(dataDir: string, id: string): Promise<boolean> {
  const isOlderSession = await access(sessionAuditPath(dataDir, id)).then(
    () => true,
    () => false,
  );
  if (isOlderSession) return false;
  try {
    await mkdir(join(dataDir, "sessions", id), { mode: 0o700 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
