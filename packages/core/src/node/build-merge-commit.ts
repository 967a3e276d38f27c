import { parseMergeTree } from "../merge/parse-merge-tree.ts";
import { runGit } from "./run-git.ts";

// The merge commit is made as the repository's user; on a machine where git knows no one (no
// user.name/user.email, a service account or a fresh container) it is made as grove, as the brain deposit
// and the snapshots are, rather than failing after the approval.
const GROVE_IDENTITY = {
  GIT_AUTHOR_NAME: "grove",
  GIT_AUTHOR_EMAIL: "grove@localhost",
  GIT_COMMITTER_NAME: "grove",
  GIT_COMMITTER_EMAIL: "grove@localhost",
};

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
    env: (await gitKnowsWhoCommits(repo)) ? {} : GROVE_IDENTITY,
  });
  return { kind: "built", sha: stdout.trim(), tree: predicted.tree };
}

async function gitKnowsWhoCommits(repo: string): Promise<boolean> {
  const author = await runGit(["var", "GIT_AUTHOR_IDENT"], { cwd: repo, okExitCodes: [0, 128] });
  const committer = await runGit(["var", "GIT_COMMITTER_IDENT"], { cwd: repo, okExitCodes: [0, 128] });
  return author.exitCode === 0 && committer.exitCode === 0;
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
