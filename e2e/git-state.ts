import { execFileSync } from "node:child_process";

export function git(repo: string, args: string[]): string {
  return execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
}

/** The merge commit grove made for a task, with its parents, or null. */
export function findMergeCommit(repo: string, taskId: string): { sha: string; parents: string[] } | null {
  const log = git(repo, ["log", "main", "--merges", "--format=%H %P%x09%s"]);
  for (const line of log.split("\n")) {
    const [shas = "", subject = ""] = line.split("\t");
    if (subject === `Merge demo agent results (${taskId})`) {
      const [sha = "", ...parents] = shas.split(" ");
      return { sha, parents };
    }
  }
  return null;
}
