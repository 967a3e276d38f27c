import type { RepoContext } from "@grove/core/node";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/**
 * When the runner's data dir (spools, CONTEXT-PACKs, RESULTs) lies inside a repository's working tree,
 * lists it in that repository's `info/exclude`, so it never shows up in `git status` or a commit.
 */
export async function excludeDataDir(repo: RepoContext, dataDir: string): Promise<boolean> {
  const rel = relative(repo.repo, dataDir);
  if (rel === "" || rel.startsWith("..") || rel.startsWith(sep) || repo.isBare) return false;
  const pattern = `/${rel.split(sep).join("/")}/`;
  const excludeFile = join(repo.commonDir, "info", "exclude");
  const current = await readFile(excludeFile, "utf8").catch(() => "");
  if (current.split("\n").includes(pattern)) return false;
  await mkdir(join(repo.commonDir, "info"), { recursive: true });
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await appendFile(excludeFile, `${separator}# grove runner data (spools, CONTEXT-PACKs, RESULTs)\n${pattern}\n`);
  return true;
}
