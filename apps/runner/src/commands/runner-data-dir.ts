import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CliContext } from "./cli-context.ts";

/** The default when neither `--data-dir` nor GROVE_DATA_DIR is given: the runner's folder under `pnpm start`'s. */
const DEFAULT_RUNNER_DATA_DIR = ".grove-data/runner";

/**
 * The runner's data dir for a CLI command. `pnpm start` reads GROVE_DATA_DIR as ITS folder and gives its runner
 * `<that>/runner`; the CLI reads the same variable (or `--data-dir`), so when it names such a `pnpm start` folder
 * (its runner-token file and runner folder are there) the CLI looks in its runner folder, where the merge
 * requests, sessions and run records are. Any other folder is the runner's own.
 */
export function runnerDataDir(flag: string | undefined, ctx: Pick<CliContext, "cwd" | "env">): string {
  const dir = resolve(ctx.cwd, flag ?? ctx.env.GROVE_DATA_DIR ?? DEFAULT_RUNNER_DATA_DIR);
  return isStartDataDir(dir) ? join(dir, "runner") : dir;
}

function isStartDataDir(dir: string): boolean {
  const runner = join(dir, "runner");
  return existsSync(join(dir, "runner-token")) && existsSync(runner) && statSync(runner).isDirectory();
}
