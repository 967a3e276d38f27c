import { runGit } from "./run-git.ts";

export type BranchFiles = { base: string | null; files: string[] };

/** Where `head` forked from `integration` (null when they share no history). */
export async function forkPoint(repo: string, integration: string, head: string): Promise<string | null> {
  const result = await runGit(["merge-base", integration, head], { cwd: repo, okExitCodes: [0, 1] });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/**
 * Every path the branch adds, edits or deletes since it forked from `integration` (renames listed as
 * a deletion and an addition, so both sides count for the brain policy and the overlap radar).
 */
export async function branchChangedFiles(repo: string, integration: string, head: string): Promise<BranchFiles> {
  const base = await forkPoint(repo, integration, head);
  const { stdout } = await runGit(["diff", "--name-only", "--no-renames", "-z", base ?? (await emptyTree(repo)), head, "--"], {
    cwd: repo,
  });
  return { base, files: stdout.split("\0").filter((name) => name !== "") };
}

/** The unified diff of a branch since its fork point, cut at `maxChars`. */
export async function branchDiff(
  repo: string,
  base: string | null,
  head: string,
  maxChars: number,
): Promise<{ diff: string; truncated: boolean }> {
  const { stdout } = await runGit(
    ["diff", "--no-color", "--no-ext-diff", "--no-textconv", base ?? (await emptyTree(repo)), head, "--"],
    { cwd: repo },
  );
  return stdout.length > maxChars ? { diff: stdout.slice(0, maxChars), truncated: true } : { diff: stdout, truncated: false };
}

/** The empty tree (the base of a branch that shares no history with the integration branch), in this repo's hash. */
async function emptyTree(repo: string): Promise<string> {
  const { stdout } = await runGit(["hash-object", "-t", "tree", "--stdin"], { cwd: repo, input: "" });
  return stdout.trim();
}
