import { access, constants, copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { runGit } from "./run-git.ts";

export const WORKTREE_INCLUDE_FILE = ".worktreeinclude";

/**
 * Copies the git-ignored files a worktree needs to run (`.env`, local certificates…) from the main
 * checkout into a new worktree: those that match `.worktreeinclude` (gitignore syntax) and that git
 * ignores. Tracked files are never copied; they come from the branch. Copy-on-write where the file
 * system supports it. Returns the copied paths, relative to the checkout.
 */
export async function copyWorktreeIncludes(mainCheckout: string, worktree: string): Promise<string[]> {
  const includeFile = join(mainCheckout, WORKTREE_INCLUDE_FILE);
  if (!(await exists(includeFile))) return [];
  const { stdout: matching } = await runGit(["ls-files", "-z", "--others", "--ignored", `--exclude-from=${includeFile}`], {
    cwd: mainCheckout,
  });
  if (matching === "") return [];
  const { stdout: ignored } = await runGit(["check-ignore", "-z", "--stdin"], { cwd: mainCheckout, input: matching, okExitCodes: [0, 1] });
  const files = ignored.split("\0").filter((file) => file !== "");
  for (const file of files) {
    const target = join(worktree, file);
    await mkdir(dirname(target), { recursive: true });
    // An agent's own copy wins: never overwrite what the worktree already has.
    await copyFile(join(mainCheckout, file), target, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL).catch((error: unknown) => {
      if (!(typeof error === "object" && error !== null && "code" in error && error.code === "EEXIST")) throw error;
    });
  }
  return files;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
