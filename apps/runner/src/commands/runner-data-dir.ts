import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CliContext } from "./cli-context.ts";

/** The default when neither `--data-dir` nor GROVE_DATA_DIR is given: the runner's folder under `pnpm start`'s. */
const DEFAULT_RUNNER_DATA_DIR = ".grove-data/runner";

/**
 * The runner's data dir for a CLI command. `pnpm start` reads GROVE_DATA_DIR as ITS folder and gives its runner
 * `<that>/runner`; the CLI reads the same variable (or `--data-dir`), so when it names such a `pnpm start` folder
 * (its runner-token file and runner folder are there) the CLI looks in its runner folder, where the merge
 * requests, sessions and run records are. Any other folder is the runner's own.
 */
export function runnerDataDir(flag: string | undefined, ctx: Pick<CliContext, "cwd" | "env">, repo?: string): string {
  const given = flag ?? ctx.env.GROVE_DATA_DIR;
  // The default lives at the repository's root, so that a command typed in a subfolder (or with --repo) finds
  // the records a command typed at the root wrote; a given folder is read from where it was typed.
  const dir =
    given === undefined ? join(checkoutRoot(resolve(ctx.cwd, repo ?? ".")), DEFAULT_RUNNER_DATA_DIR) : resolve(ctx.cwd, given);
  return isStartDataDir(dir) ? join(dir, "runner") : dir;
}

/**
 * The main checkout holding `start` (the nearest folder with a `.git`; a linked worktree's `.git` file leads to
 * its main checkout), or `start` itself outside any repository.
 */
function checkoutRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    if (existsSync(dotGit)) return statSync(dotGit).isFile() ? (mainCheckoutOf(dotGit) ?? dir) : dir;
    if (dirname(dir) === dir) return start;
  }
}

/** `gitdir: <main>/.git/worktrees/<name>` in a linked worktree's `.git` file: `<main>`; null for any other form. */
function mainCheckoutOf(dotGitFile: string): string | null {
  const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dotGitFile, "utf8"))?.[1]?.trim();
  if (!gitdir) return null;
  const worktrees = dirname(resolve(dirname(dotGitFile), gitdir));
  const common = dirname(worktrees);
  return worktrees.endsWith("/worktrees") && common.endsWith("/.git") ? dirname(common) : null;
}

function isStartDataDir(dir: string): boolean {
  const runner = join(dir, "runner");
  return existsSync(join(dir, "runner-token")) && existsSync(runner) && statSync(runner).isDirectory();
}
