import { constants } from "node:fs";
import { access, lstat, open, readlink, realpath } from "node:fs/promises";
import { join } from "node:path";

// git reads at most this much of HEAD (a 256-byte buffer, one byte kept for the terminating NUL).
const HEAD_BYTES = 255;

/**
 * The common dir of the repository whose main checkout is exactly `start` (a real path), found without starting
 * git: `start/.git` is a folder that git's own discovery takes for the repository (setup.c `is_git_directory`:
 * a valid HEAD, `objects/` and `refs/` to enter), owned by this user (git's `safe.directory` ownership check), and
 * no linked worktree's (no `commondir` file). Null whenever any of that does not hold (a subfolder, a linked
 * worktree, a bare repository, a run as root under sudo…): the caller asks git then. A start git would
 * reject is never accepted here; some git would accept are left to git. Each git process costs 20–80 ms on a
 * loaded machine, and every grove operation on a repository starts by finding this folder.
 */
export async function commonDirOnDisk(start: string): Promise<string | null> {
  const gitDir = join(start, ".git");
  // A plain folder: a symlinked one would be judged by its target's owner, left to git.
  const info = await lstat(gitDir).catch(() => null);
  if (!info?.isDirectory()) return null;
  if (!(await isOwnedByMe(start)) || !(await isOwnedByMe(gitDir))) return null;
  const [head, objects, refs, commondir] = await Promise.all([
    isValidHead(join(gitDir, "HEAD")),
    isEnterableDir(join(gitDir, "objects")),
    isEnterableDir(join(gitDir, "refs")),
    lstat(join(gitDir, "commondir")).then(
      () => true,
      () => false,
    ),
  ]);
  if (!head || !objects || !refs || commondir) return null;
  return realpath(gitDir).catch(() => null);
}

/** git compares lstat's owner with the effective user; as root it trusts SUDO_UID instead, which is left to git. */
async function isOwnedByMe(path: string): Promise<boolean> {
  const euid = process.geteuid?.();
  if (euid === undefined || (euid === 0 && process.env.SUDO_UID !== undefined)) return false;
  if (process.env.GIT_TEST_ASSUME_DIFFERENT_OWNER !== undefined) return false;
  const info = await lstat(path).catch(() => null);
  return info?.uid === euid;
}

/** setup.c `validate_headref`: a symlink into refs/, `ref: refs/…`, or an object name. */
async function isValidHead(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  if (info === null) return false;
  if (info.isSymbolicLink()) return (await readlink(path).catch(() => "")).startsWith("refs/");
  const handle = await open(path, "r").catch(() => null);
  if (handle === null) return false;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    // A folder named HEAD opens but cannot be read: not a HEAD, as for git.
    const bytesRead = await handle.read(buffer, 0, HEAD_BYTES, 0).then(
      (read) => read.bytesRead,
      () => null,
    );
    if (bytesRead === null) return false;
    const text = buffer.subarray(0, bytesRead).toString("latin1");
    // git skips its isspace (space, tab, newline, carriage return) after "ref:"; an object name is read as hex.
    return /^ref:[ \t\n\r]*refs\//.test(text) || /^[0-9a-f]{40}/.test(text);
  } finally {
    await handle.close();
  }
}

/** `access(path, X_OK)`, as git checks objects/ and refs/. */
async function isEnterableDir(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}
