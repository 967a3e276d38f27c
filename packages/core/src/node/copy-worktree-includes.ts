import { access, constants, copyFile, cp, lstat, mkdir, readlink, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runGit } from "./run-git.ts";

export const WORKTREE_INCLUDE_FILE = ".worktreeinclude";

/**
 * Copies the git-ignored files a worktree needs to run (`.env`, local certificates, `node_modules`…)
 * from the main checkout into a worktree: those that match `.worktreeinclude` (gitignore syntax) and that
 * git ignores. Tracked files are never copied; they come from the branch. A symlink is copied as the same
 * symlink (its target text unchanged, relative or absolute); a file copy-on-write where the file system
 * supports it. What the worktree already has is kept, so a second call only adds what is missing.
 * Returns the copied paths, relative to the checkout.
 */
export async function copyWorktreeIncludes(mainCheckout: string, worktree: string): Promise<string[]> {
  const files = await listWorktreeIncludes(mainCheckout);
  for (const file of files) await copyEntry(join(mainCheckout, file), join(worktree, file));
  return files;
}

/** The main checkout's files that `.worktreeinclude` names and git ignores, relative to it. */
export async function listWorktreeIncludes(mainCheckout: string): Promise<string[]> {
  const includeFile = join(mainCheckout, WORKTREE_INCLUDE_FILE);
  if (!(await exists(includeFile))) return [];
  const { stdout: matching } = await runGit(["ls-files", "-z", "--others", "--ignored", `--exclude-from=${includeFile}`], {
    cwd: mainCheckout,
  });
  if (matching === "") return [];
  const { stdout: ignored } = await runGit(["check-ignore", "-z", "--stdin"], {
    cwd: mainCheckout,
    input: matching,
    okExitCodes: [0, 1],
  });
  return ignored.split("\0").filter((file) => file !== "");
}

/** git lists files and symlinks (also symlinks to folders), and a nested repository as one `folder/` entry. */
async function copyEntry(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const info = await lstat(source);
  if (info.isSymbolicLink()) {
    await symlink(await readlink(source), target).catch(ignoreExisting);
  } else if (info.isDirectory()) {
    await cp(source, target, { recursive: true, verbatimSymlinks: true, force: false, errorOnExist: false });
  } else {
    await copyFile(source, target, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL).catch(ignoreExisting);
  }
}

// An agent's own copy wins: never overwrite what the worktree already has.
function ignoreExisting(error: unknown): void {
  if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")) throw error;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
