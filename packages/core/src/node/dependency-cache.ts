import { randomUUID } from "node:crypto";
import { access, constants, copyFile, cp, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { RepoContext } from "./open-repo.ts";
import { runGit } from "./run-git.ts";
import { setupInputKey } from "./setup-inputs.ts";
import { warmPoolRoot } from "./warm-tree-pool.ts";

/**
 * Dependency folders reused between agents' worktrees: after a setup succeeded, the `node_modules` folders it
 * left are kept, keyed by the setup inputs (lockfiles, manifests, the setup command); a new worktree with the
 * same key gets a copy of them before its setup runs, which then finds its dependencies in place (`npm
 * install` and `yarn` check and finish in a second). Setup still runs: nothing it does is skipped.
 *
 * A copy, never hard links: an agent may write inside node_modules, and a hard link would carry that into
 * the cache and every other worktree. By default only where the file system clones files copy-on-write
 * (btrfs, XFS with reflink, APFS): a full copy (ext4) was measured no faster than the install itself.
 * Repositories whose package manager links from a shared store of its own (pnpm, bun) are left to it: that
 * store already is the reuse, with the manager's own safety.
 */
export type DependencySeed =
  { kind: "seeded"; key: string; folders: string[] } | { kind: "missing"; key: string } | { kind: "skipped"; reason: string };

const CACHE_DIR = "dependencies";
/** The entry's folders, relative to the worktree, one a line; written last, so an entry with it is complete. */
const FOLDERS_FILE = "folders";
const KEPT_KEYS = 3;
const DEPENDENCY_FOLDER = "node_modules";
const COPYING_LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock"];
const STORE_LOCKFILES = ["pnpm-lock.yaml", "bun.lock", "bun.lockb"];

/**
 * Copies the kept dependency folders for this worktree's setup inputs into it, when there are some. Only
 * where the file system clones files (a full copy of node_modules was measured no faster than npm filling it
 * from its own cache on ext4), unless `always`.
 */
export async function seedDependencies(
  ctx: RepoContext,
  worktree: string,
  setup: string,
  opts: { always?: boolean } = {},
): Promise<DependencySeed> {
  const skip = await reasonToSkip(worktree, setup);
  if (skip !== null) return { kind: "skipped", reason: skip };
  if (!opts.always && !(await canCloneFiles(warmPoolRoot(ctx))))
    return { kind: "skipped", reason: "this file system cannot clone files, and a full copy is no faster than the install" };
  const key = await setupInputKey({ treeish: "HEAD", cwd: worktree, setup, mainCheckout: ctx.isBare ? null : ctx.repo });
  const entry = join(warmPoolRoot(ctx), CACHE_DIR, key.slice(0, 32));
  const listed = await readFile(join(entry, FOLDERS_FILE), "utf8").catch(() => null);
  if (listed === null) return { kind: "missing", key };
  const kept = listed.split("\n").filter((path) => basename(path) === DEPENDENCY_FOLDER && !path.split("/").includes(".."));
  for (const folder of kept) await copyTree(join(entry, "files", folder), join(worktree, folder));
  const now = new Date();
  await utimes(entry, now, now).catch(() => undefined);
  return { kind: "seeded", key, folders: kept };
}

/**
 * Keeps the dependency folders a successful setup left in `worktree` for the next worktree with the same
 * setup inputs. Run before the agent starts, so nothing an agent wrote is ever kept. The entry appears
 * whole or not at all (copied aside, then renamed); only the most recently used few are kept.
 */
export async function keepDependencies(ctx: RepoContext, worktree: string, key: string): Promise<string[]> {
  const { stdout } = await runGit(["status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=normal"], { cwd: worktree });
  const folders = stdout
    .split("\0")
    .filter((field) => field.startsWith("!! ") && basename(field.slice(3).replace(/\/$/, "")) === DEPENDENCY_FOLDER)
    .map((field) => field.slice(3).replace(/\/$/, ""));
  if (folders.length === 0) return [];
  const root = join(warmPoolRoot(ctx), CACHE_DIR);
  const entry = join(root, key.slice(0, 32));
  if (await exists(entry)) return [];
  const building = join(root, `building-${randomUUID()}`);
  try {
    for (const folder of folders) await copyTree(join(worktree, folder), join(building, "files", folder));
    await writeFile(join(building, FOLDERS_FILE), folders.join("\n"));
    await rename(building, entry).catch(() => undefined);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  await evictOld(root);
  return folders;
}

async function reasonToSkip(worktree: string, setup: string): Promise<string | null> {
  for (const lockfile of STORE_LOCKFILES)
    if (await exists(join(worktree, lockfile))) return `${lockfile}: its package manager links from its own shared store`;
  if (!(await anyExists(COPYING_LOCKFILES.map((lockfile) => join(worktree, lockfile))))) return "no npm or yarn lockfile";
  // `npm ci` deletes node_modules first: a copy would only cost time.
  if (/\bnpm\s+(ci|clean-install|install-clean)\b/.test(setup))
    return "the setup command (npm ci) starts from an empty node_modules";
  if (await exists(join(worktree, DEPENDENCY_FOLDER))) return "the worktree already has node_modules";
  return null;
}

/** Whether files in `dir` can be cloned copy-on-write (btrfs, XFS with reflink, APFS), tried on a file of one byte. */
export async function canCloneFiles(dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  const probe = join(dir, `clone-probe-${randomUUID()}`);
  try {
    await writeFile(probe, "x");
    return await copyFile(probe, `${probe}.clone`, constants.COPYFILE_FICLONE_FORCE).then(
      () => true,
      () => false,
    );
  } finally {
    await rm(probe, { force: true });
    await rm(`${probe}.clone`, { force: true });
  }
}

function copyTree(from: string, to: string): Promise<void> {
  return cp(from, to, {
    recursive: true,
    verbatimSymlinks: true,
    mode: constants.COPYFILE_FICLONE,
    force: false,
    errorOnExist: false,
  });
}

async function evictOld(root: string): Promise<void> {
  const names = (await readdir(root).catch(() => [])).filter((name) => !name.startsWith("building-"));
  const dated = await Promise.all(names.map(async (name) => ({ name, at: (await stat(join(root, name))).mtimeMs })));
  for (const { name } of dated.sort((a, b) => b.at - a.at).slice(KEPT_KEYS))
    await rm(join(root, name), { recursive: true, force: true });
}

async function anyExists(paths: string[]): Promise<boolean> {
  for (const path of paths) if (await exists(path)) return true;
  return false;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The folder of kept dependencies, for the disk ledger: `<pool>/dependencies`. */
export function dependencyCacheDir(ctx: Pick<RepoContext, "repo" | "commonDir">): string {
  return join(warmPoolRoot(ctx), CACHE_DIR);
}
