import { runGit } from "../node/run-git.ts";

const FILES_PER_FOLDER = 100;

/**
 * Commits `count` empty files (src/dN/fM.txt) onto a new branch `branch` on top of `from`, through
 * `git fast-import`: the commit is built in the object database without writing a single file, so a
 * 40k-file repository takes a second instead of the minute a checkout-and-add would. Empty, so that a
 * memory file system holds only their inodes.
 */
export async function commitManyFiles(repo: string, opts: { branch: string; from: string; count: number }): Promise<void> {
  const lines = [
    "blob",
    "mark :1",
    "data 0",
    "",
    `commit refs/heads/${opts.branch}`,
    "committer Grove Test <test@grove.invalid> 0 +0000",
    "data 11",
    "many files",
    `from refs/heads/${opts.from}`,
  ];
  for (let i = 0; i < opts.count; i++)
    lines.push(`M 100644 :1 src/d${Math.floor(i / FILES_PER_FOLDER)}/f${i % FILES_PER_FOLDER}.txt`);
  await runGit(["fast-import", "--quiet"], { cwd: repo, input: `${lines.join("\n")}\n\n` });
}
