import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { DomainError } from "../errors/domain-error.ts";
import { isPidAlive } from "./lock-file.ts";

/**
 * The repository lock's shared holders: one file each in `<common-dir>/grove.lock.shared/`, named `holder-<token>`.
 * A holder registers while it holds the repository lock itself (repo-lock.ts), so that nobody registers while an
 * exclusive holder works; the exclusive holder, once it has the lock, waits here until every holder is gone.
 */
export const SHARED_DIR = "grove.lock.shared";
const HOLDER_PREFIX = "holder-";
const UNWRITTEN_STALE_MS = 5_000;

const HolderSchema = z.object({ pid: z.number().int(), host: z.string(), token: z.string(), at: z.number() });

/** Registers a shared holder; resolves to its unregistration. */
export async function registerSharedHolder(commonDir: string): Promise<() => Promise<void>> {
  const dir = join(commonDir, SHARED_DIR);
  const token = randomUUID();
  const file = join(dir, `${HOLDER_PREFIX}${token}`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname(), token, at: Date.now() }), { flag: "wx" });
  return () => unlink(file).catch(() => undefined);
}

/**
 * Waits until the repository lock has no shared holder left, removing the files of holders that died on this host
 * (a kill -9 between registering and unregistering). Holders on other hosts are never guessed at. Polled, from
 * about 2 ms up to 100 ms: a shared holder holds for one git process. Fails with LOCK_TIMEOUT after `timeoutMs`.
 */
export async function waitForSharedHolders(commonDir: string, timeoutMs: number): Promise<void> {
  const dir = join(commonDir, SHARED_DIR);
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(100, wait * 1.5)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    const live = await liveHolders(dir, names);
    if (live.length === 0) return removeKeyLocks(dir, names);
    if (Date.now() > deadline) {
      throw new DomainError(
        "LOCK_TIMEOUT",
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the repository lock's shared holders to finish: ` +
          `${live.map(describe).join(", ")}. If no grove process is running, delete ${live.map((h) => h.file).join(", ")}.`,
      );
    }
    await sleep(wait);
  }
}

type Holder = { file: string; record: z.infer<typeof HolderSchema> | null };

/**
 * The per-key locks (repo-lock.ts) left by shared holders killed while holding one: with no holder registered, and
 * none able to register while the caller holds grove.lock, no key lock is held. Else a killed holder's key lock would
 * stand in the way of that key's next holder until its pid was found dead (or 60 s, were the pid reused).
 */
async function removeKeyLocks(dir: string, names: string[]): Promise<void> {
  await Promise.all(
    names.filter((name) => name.startsWith("key-")).map((name) => unlink(join(dir, name)).catch(() => undefined)),
  );
}

async function liveHolders(dir: string, names: string[]): Promise<Holder[]> {
  const holders = await Promise.all(
    names
      .filter((name) => name.startsWith(HOLDER_PREFIX))
      .map(async (name): Promise<Holder | null> => {
        const file = join(dir, name);
        const text = await readFile(file, "utf8").catch(() => null);
        // Gone since the listing: it unregistered.
        if (text === null) return null;
        const record = parse(text);
        if (record === null ? await isLongUnwritten(file) : record.host === hostname() && !isPidAlive(record.pid)) {
          await unlink(file).catch(() => undefined);
          return null;
        }
        return { file, record };
      }),
  );
  return holders.filter((h): h is Holder => h !== null);
}

/**
 * A file without its record: one being written now, or one whose holder died between creating and writing it. Only
 * the second after a few seconds (a holder writes its record in the same call that creates the file).
 */
async function isLongUnwritten(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info !== null && Date.now() - info.mtimeMs > UNWRITTEN_STALE_MS;
}

function parse(text: string): z.infer<typeof HolderSchema> | null {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describe(holder: Holder): string {
  const r = holder.record;
  return r === null ? holder.file : `pid ${r.pid} on ${r.host} since ${new Date(r.at).toISOString()}`;
}
