import { SHA_PATTERN, type CommitInfoAnswer } from "@grove/core";
import { runGit } from "@grove/core/node";

const RECORD = "\u001e";
const FIELD = "\u001f";

export type CommitWithFiles = CommitInfoAnswer & { files: string[] };

/**
 * Commits on the first-parent line of `ref` touching `path`, newest first. A merge commit lists the
 * files it brought in (diffed against its first parent), so a file an agent branch added is credited
 * to the merge commit grove made for it.
 */
export async function logCommits(
  repo: string,
  ref: string,
  path: string,
  max: number,
  withFiles: boolean,
): Promise<CommitWithFiles[]> {
  const format = `${RECORD}%H${FIELD}%P${FIELD}%ct${FIELD}%an${FIELD}%s${FIELD}%b${FIELD}`;
  const args = [
    "-c",
    "core.quotePath=false",
    "log",
    "--first-parent",
    "--diff-merges=first-parent",
    `--max-count=${max}`,
    `--format=${format}`,
  ];
  if (withFiles) args.push("--name-only");
  const { stdout } = await runGit([...args, ref, "--", path], { cwd: repo });
  return stdout
    .split(RECORD)
    .filter((record) => record.trim().length > 0)
    .flatMap((record) => {
      const [sha = "", parents = "", ts = "0", author = "", subject = "", body = "", names = ""] = record.split(FIELD);
      if (!SHA_PATTERN.test(sha)) return [];
      return [
        {
          sha,
          parents: parents.split(" ").filter((p) => SHA_PATTERN.test(p)),
          ts: Number(ts) * 1000,
          author: author.slice(0, 300),
          subject: subject.slice(0, 2000),
          body: body.trim().slice(0, 20_000),
          files: names
            .split("\n")
            .map((n) => n.trim())
            .filter(Boolean),
        },
      ];
    });
}

/** `git ls-tree -r -l -z` output: blobs with their sizes. */
export function parseTree(stdout: string): { path: string; size: number }[] {
  return stdout
    .split("\0")
    .filter(Boolean)
    .flatMap((entry) => {
      const tab = entry.indexOf("\t");
      const [, type, , size] = entry.slice(0, tab).split(/\s+/);
      if (tab < 0 || type !== "blob") return [];
      return [{ path: entry.slice(tab + 1), size: Number(size) || 0 }];
    });
}
