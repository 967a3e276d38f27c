import { parseMergeTree } from "../merge/parse-merge-tree.ts";
import { runGit } from "./run-git.ts";

export type BuiltMerge =
  { kind: "built"; sha: string; tree: string } | { kind: "up-to-date" } | { kind: "conflict"; files: string[] };

/**
 * Builds the `--no-ff` merge commit of `head` onto `old` in the object store alone (`git merge-tree
 * --write-tree`): no index, no working tree and no ref is touched, so a conflict leaves nothing behind.
 */
export async function buildMergeCommit(repo: string, old: string, head: string, message: string): Promise<BuiltMerge> {
  const ancestor = await runGit(["merge-base", "--is-ancestor", head, old], { cwd: repo, okExitCodes: [0, 1] });
  if (ancestor.exitCode === 0) return { kind: "up-to-date" };
  const predicted = await predictMerge(repo, old, head);
  if (predicted.conflicted.length > 0 || predicted.tree === null) return { kind: "conflict", files: predicted.conflicted };
  const { stdout } = await runGit(["commit-tree", predicted.tree, "-p", old, "-p", head, "-F", "-"], {
    cwd: repo,
    input: message,
  });
  return { kind: "built", sha: stdout.trim(), tree: predicted.tree };
}

/** The tree a merge of the two commits would have, and the files that would conflict (none: tree is set). */
export async function predictMerge(
  repo: string,
  ours: string,
  theirs: string,
): Promise<{ tree: string | null; conflicted: string[] }> {
  const result = await runGit(["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", ours, theirs], {
    cwd: repo,
    okExitCodes: [0, 1],
  });
  const { tree, conflicted } = parseMergeTree(result.stdout);
  return result.exitCode === 0 ? { tree, conflicted: [] } : { tree: null, conflicted };
}
