import { AsyncLocalStorage } from "node:async_hooks";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { commonDirOnDisk } from "./common-dir-on-disk.ts";
import { withLockFile } from "./lock-file.ts";
import { registerSharedHolder, SHARED_DIR, waitForSharedHolders } from "./repo-lock-shared.ts";
import { runGit } from "./run-git.ts";
import { sha256Hex } from "./sha256.ts";

export type RepoLockOptions = {
  timeoutMs?: number;
  /** The repository's common dir when the caller already has it (RepoContext.commonDir): one git process less per lock. */
  commonDir?: string;
};

const DEFAULT_TIMEOUT_MS = 60_000;
const LOCK_FILE = "grove.lock";

const held = new AsyncLocalStorage<ReadonlySet<string>>();
const heldShared = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs fn while holding the repository's lock: `<common-dir>/grove.lock` (see withLockFile), shared
 * by every worktree of the repository and by other processes, once every shared holder (withSharedRepoLock) has
 * finished. Re-entrant within one async call chain.
 */
export async function withRepoLock<T>(repo: string, fn: () => Promise<T>, opts: RepoLockOptions = {}): Promise<T> {
  const commonDir = opts.commonDir ?? (await resolveCommonDir(repo));
  const already = held.getStore();
  if (already?.has(commonDir)) return fn();
  if (heldShared.getStore()?.has(commonDir))
    throw new Error(`withRepoLock: this call chain holds ${commonDir}'s lock shared, and would wait for itself`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return withLockFile(
    join(commonDir, LOCK_FILE),
    async () => {
      await waitForSharedHolders(commonDir, timeoutMs);
      return held.run(new Set([...(already ?? []), commonDir]), fn);
    },
    { timeoutMs, what: "the repository lock" },
  );
}

/**
 * Runs fn while holding the repository's lock shared: beside other shared holders, never beside withRepoLock's
 * holder; among shared holders, one at a time per `key` (what fn makes, such as a new worktree's path). For what
 * git makes safely beside itself under distinct names — a new branch and its worktree — so that twenty agents'
 * adds do not wait for each other's git. Registered while holding grove.lock, so an exclusive holder, which waits
 * for the registered ones to finish, never works beside one. fn must not take the lock exclusively (it would wait
 * for itself: that throws). Within withRepoLock's call chain, fn runs under that.
 */
export async function withSharedRepoLock<T>(
  repo: string,
  key: string,
  fn: () => Promise<T>,
  opts: RepoLockOptions = {},
): Promise<T> {
  const commonDir = opts.commonDir ?? (await resolveCommonDir(repo));
  if (held.getStore()?.has(commonDir)) return fn();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shared = heldShared.getStore() ?? new Set<string>();
  const withKey = () =>
    withLockFile(
      join(commonDir, SHARED_DIR, `key-${sha256Hex(key).slice(0, 32)}.lock`),
      () => heldShared.run(new Set([...shared, commonDir]), fn),
      { timeoutMs, what: `the repository lock's share for ${key}` },
    );
  if (shared.has(commonDir)) return withKey();
  const unregister = await withLockFile(join(commonDir, LOCK_FILE), () => registerSharedHolder(commonDir), {
    timeoutMs,
    what: "the repository lock",
  });
  try {
    return await withKey();
  } finally {
    await unregister();
  }
}

export async function resolveCommonDir(repo: string): Promise<string> {
  const onDisk = await commonDirOnDisk(await realpath(repo));
  if (onDisk !== null) return onDisk;
  const { stdout } = await runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: repo });
  return realpath(stdout.trim());
}
