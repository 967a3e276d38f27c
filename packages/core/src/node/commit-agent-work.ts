import { describeError } from "../errors/describe-error.ts";
import { runGit } from "./run-git.ts";

export type GitIdentity = { name: string; email: string };

export type AgentWorkCommit =
  /**
   * `interrupted`: git failed or was killed (a Ctrl-C reaches every process of the terminal's group) after it
   * had written the commit, a post-commit hook still running, say; why, as git's failure said. Else null.
   */
  | { kind: "committed"; sha: string; files: number; interrupted: string | null }
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
  const parent = await revParse(worktree, "HEAD");
  // The tree the commit will have: how a commit git wrote before it failed is told from one it never wrote.
  const tree = (await runGit(["write-tree"], { cwd: worktree })).stdout.trim();
  const env = { ...GROVE_COMMITTER, GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email };
  try {
    await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "--cleanup=whitespace", "-F", "-"], {
      cwd: worktree,
      env,
      input: o.message,
    });
  } catch (error) {
    const written = await findWrittenCommit(worktree, parent, tree).catch(() => null);
    if (written === null) throw error;
    return { kind: "committed", sha: written, files, interrupted: describeError(error) };
  }
  return { kind: "committed", sha: await revParse(worktree, "HEAD"), files, interrupted: null };
}

/**
 * The commit git wrote although the command failed: HEAD moved to a commit whose only parent is the old head
 * and whose tree is what was staged. Null when HEAD did not move there (git stopped before it wrote one, or a
 * hook changed what was staged: then it is not the commit asked for).
 */
async function findWrittenCommit(worktree: string, parent: string, tree: string): Promise<string | null> {
  const head = await runGit(["log", "-1", "--format=%H%x00%P%x00%T", "HEAD", "--"], { cwd: worktree });
  const [sha = "", parents = "", headTree = ""] = head.stdout.trim().split("\0");
  return sha !== parent && parents === parent && headTree === tree ? sha : null;
}

async function revParse(worktree: string, rev: string): Promise<string> {
  return (await runGit(["rev-parse", "--verify", rev], { cwd: worktree })).stdout.trim();
}
