import { runGit } from "./run-git.ts";

/**
 * The merge commit on the integration branch's first-parent line that brought `head` in; null when none
 * did (not merged, or it arrived without a merge commit of its own, e.g. a branch with no commits).
 * Lets a request resent after a crash or reconnect be answered with the merge that already landed it.
 */
export async function findMergeOf(repo: string, integrationSha: string, head: string): Promise<string | null> {
  const merged = await runGit(["merge-base", "--is-ancestor", head, integrationSha], { cwd: repo, okExitCodes: [0, 1] });
  if (merged.exitCode !== 0) return null;
  const { stdout } = await runGit(
    ["rev-list", "--first-parent", "--merges", "--parents", "--max-count=2000", integrationSha, "--"],
    { cwd: repo },
  );
  const line = stdout.split("\n").find((entry) => entry.split(" ").slice(2).includes(head));
  return line?.split(" ")[0] ?? null;
}

/**
 * Why a branch whose head is already on the integration branch without a merge of its own (findMergeOf
 * null) is refused: "merged" always names a merge commit, and there is none to make.
 */
export function nothingToMerge(branch: string, into: string): string {
  return `${branch} has no commits that are not already on ${into}: there is nothing to merge (nothing was changed).`;
}
