import { runGit } from "./run-git.ts";

export type GitIdentity = { name: string; email: string };

export type AgentWorkCommit =
  | { kind: "committed"; sha: string; files: number }
  /** Nothing to commit: the worktree has no change git would take (ignored files do not count). */
  | { kind: "clean" }
  /** The worktree is no longer on the agent's branch; its changes are left where they are. */
  | { kind: "off-branch"; head: string };

// grove makes the commit on the agent's behalf: the agent is its author, grove its committer.
const GROVE_COMMITTER = { GIT_COMMITTER_NAME: "grove", GIT_COMMITTER_EMAIL: "grove@localhost" };

/**
 * Commits what an agent left in its worktree on its branch: tracked changes and untracked files (what
 * `git add -A` takes, so never an ignored file), with whatever the agent had staged. The repository's own
 * commit hooks run, as for a commit the agent made; one that refuses fails this call (GIT_FAILED).
 */
export async function commitAgentWork(
  worktree: string,
  o: { branch: string; author: GitIdentity; message: string },
): Promise<AgentWorkCommit> {
  const head = await runGit(["symbolic-ref", "-q", "HEAD"], { cwd: worktree, okExitCodes: [0, 1] });
  const headRef = head.stdout.trim();
  if (headRef !== `refs/heads/${o.branch}`) return { kind: "off-branch", head: headRef || "a detached HEAD" };
  await runGit(["add", "-A", "--", "."], { cwd: worktree });
  const staged = await runGit(["diff", "--cached", "--name-only", "-z", "--no-renames"], { cwd: worktree });
  const files = staged.stdout.split("\0").filter((path) => path !== "").length;
  if (files === 0) return { kind: "clean" };
  const env = { ...GROVE_COMMITTER, GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email };
  await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "--cleanup=whitespace", "-F", "-"], {
    cwd: worktree,
    env,
    input: o.message,
  });
  const sha = await runGit(["rev-parse", "--verify", "HEAD"], { cwd: worktree });
  return { kind: "committed", sha: sha.stdout.trim(), files };
}
