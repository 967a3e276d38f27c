import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TempRepo } from "./temp-repo.ts";

/**
 * Commits a file whose checkout fails for real: a required smudge filter that fails (`false`), so that git's
 * `reset --hard` in `worktree add` fails. The filter is written into the config file: grove's git refuses to set a
 * filter command itself.
 */
export async function commitBrokenCheckout(repo: TempRepo): Promise<void> {
  await repo.write({ ".gitattributes": "*.bin filter=broken\n", "data.bin": "data\n" });
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", "filtered file"]);
  const config = join(repo.dir, ".git", "config");
  await writeFile(config, `${await readFile(config, "utf8")}[filter "broken"]\n\tsmudge = false\n\trequired = true\n`);
}

/**
 * Commits (in `cwd`, default the main checkout) a submodule whose repository does not exist, so that
 * `git submodule update --init` fails for real in any tree checked out from the commit. Returns the commit.
 */
export async function commitBrokenSubmodule(repo: TempRepo, cwd = repo.dir): Promise<string> {
  await repo.write(
    { ".gitmodules": `[submodule "lib"]\n\tpath = lib\n\turl = ${join(repo.root, "no-such-repo.git")}\n` },
    { cwd },
  );
  const head = await repo.git(["rev-parse", "HEAD"], { cwd });
  await repo.git(["update-index", "--add", "--cacheinfo", `160000,${head},lib`], { cwd });
  await repo.git(["add", ".gitmodules"], { cwd });
  await repo.git(["commit", "-q", "-m", "a submodule nobody can fetch"], { cwd });
  return repo.git(["rev-parse", "HEAD"], { cwd });
}
