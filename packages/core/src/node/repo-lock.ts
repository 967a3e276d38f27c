import { AsyncLocalStorage } from "node:async_hooks";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { commonDirOnDisk } from "./common-dir-on-disk.ts";
import { withLockFile } from "./lock-file.ts";
import { runGit } from "./run-git.ts";

export type RepoLockOptions = {
  timeoutMs?: number;
  /** The repository's common dir when the caller already has it (RepoContext.commonDir): one git process less per lock. */
  commonDir?: string;
};

const DEFAULT_TIMEOUT_MS = 60_000;
const LOCK_FILE = "grove.lock";

const held = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs fn while holding the repository's lock: `<common-dir>/grove.lock` (see withLockFile), shared
 * by every worktree of the repository and by other processes. Re-entrant within one async call chain.
 */
export async function withRepoLock<T>(repo: string, fn: () => Promise<T>, opts: RepoLockOptions = {}): Promise<T> {
  const commonDir = opts.commonDir ?? (await resolveCommonDir(repo));
  const already = held.getStore();
  if (already?.has(commonDir)) return fn();
  return withLockFile(join(commonDir, LOCK_FILE), () => held.run(new Set([...(already ?? []), commonDir]), fn), {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    what: "the repository lock",
  });
}

export async function resolveCommonDir(repo: string): Promise<string> {
  const onDisk = await commonDirOnDisk(await realpath(repo));
  if (onDisk !== null) return onDisk;
  const { stdout } = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: repo });
  return realpath(stdout.trim());
}
