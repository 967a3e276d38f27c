import { copyFile, mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDomainError } from "../errors/domain-error.ts";
import { runGit } from "./run-git.ts";

// Snapshots are grove's own commits; they must not fail on a machine without user.name/user.email.
const GROVE_IDENTITY = {
  GIT_AUTHOR_NAME: "grove",
  GIT_AUTHOR_EMAIL: "grove@localhost",
  GIT_COMMITTER_NAME: "grove",
  GIT_COMMITTER_EMAIL: "grove@localhost",
};

/**
 * Commits everything in the worktree (tracked changes and untracked files, not ignored ones) on top of
 * `parent` without touching the worktree's own index, via a temporary index file. Returns the commit.
 */
export async function snapshotCommit(worktree: string, parent: string, message: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "grove-snapshot-"));
  try {
    const indexFile = join(dir, "index");
    const { stdout: realIndex } = await runGit(["rev-parse", "--path-format=absolute", "--git-path", "index"], { cwd: worktree });
    // Starting from the worktree's index keeps its stat cache, so `add -A` hashes only what changed. The
    // copy keeps the index's mtime: git tells an edit made in the second of the last `git add` (same size,
    // same stat to the second) by comparing against it, and a copy dated now would hide that edit.
    const source = realIndex.trim();
    const times = await stat(source).catch(() => null);
    if (times) {
      await copyFile(source, indexFile);
      await utimes(indexFile, times.atime, times.mtime);
    }
    const env = { ...GROVE_IDENTITY, GIT_INDEX_FILE: indexFile };
    await runGit(["add", "-A", "--", "."], { cwd: worktree, env });
    const { stdout: tree } = await runGit(["write-tree"], { cwd: worktree, env });
    const { stdout: commit } = await runGit(["commit-tree", tree.trim(), "-p", parent, "-F", "-"], {
      cwd: worktree,
      env: GROVE_IDENTITY,
      input: message,
    });
    return commit.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Creates `<prefix><epoch-ms>` pointing at sha; never overwrites an existing archive ref. */
export async function writeArchiveRef(repo: string, prefix: string, sha: string): Promise<string> {
  for (let at = Date.now(); ; at++) {
    const ref = `${prefix}${at}`;
    try {
      await runGit(["update-ref", "--no-deref", ref, sha, "0".repeat(sha.length)], { cwd: repo });
      return ref;
    } catch (error) {
      if (!(isDomainError(error) && /already exists|but expected/.test(error.process?.stderrTail ?? ""))) throw error;
    }
  }
}
