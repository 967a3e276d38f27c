import { MAX_UNCOMMITTED_LISTED, describeError } from "@grove/core";
import { branchSha, countCommits, diffStat, headSha, symbolicHead, worktreeStatus } from "@grove/core/node";

/** What the agent left in git: the branch's head and commits, and what it changed without committing. */
export type BranchFacts = {
  /** The agent's branch's head (not the worktree's HEAD, when the agent left it elsewhere). */
  head: string | null;
  /** Commits since the base; null when the branch could not be read. */
  commits: number | null;
  diffStat: string;
  uncommitted: string[];
  uncommittedCount: number;
  /** Why something could not be read, for the run's log. */
  problem: string | null;
  /** Set when the agent left its worktree on another branch or a detached HEAD: where, and that it is not merged. */
  offBranch: string | null;
};

export async function readBranchFacts(repo: string, worktree: string, baseSha: string, branch: string): Promise<BranchFacts> {
  const facts: BranchFacts = {
    head: null,
    commits: null,
    diffStat: "",
    uncommitted: [],
    uncommittedCount: 0,
    problem: null,
    offBranch: null,
  };
  try {
    // Only the branch is ever merged: a commit the agent made on a detached HEAD or another branch is not part of it.
    const on = await symbolicHead(worktree);
    if (on !== `refs/heads/${branch}`) {
      const where = `${on ?? "a detached HEAD"} at ${(await headSha(worktree)).slice(0, 12)}`;
      facts.offBranch = `the agent left its worktree on ${where}, not on ${branch}: only ${branch} is merged, and what the agent committed there is not part of it`;
    }
    facts.head = await branchSha(repo, branch);
    if (facts.head === null) throw new Error(`${branch} does not exist any more`);
    facts.commits = await countCommits(repo, baseSha, facts.head);
    facts.diffStat = await diffStat(repo, baseSha, facts.head);
    const status = await worktreeStatus(worktree);
    facts.uncommittedCount = status.length;
    facts.uncommitted = status.slice(0, MAX_UNCOMMITTED_LISTED).map((entry) => entry.path);
  } catch (error) {
    facts.problem = `could not read the branch: ${describeError(error)}`;
  }
  return facts;
}

/** "3 files (a.ts, b.ts, c.ts)" or "42 files (a.ts, … and 37 more)". */
export function describeUncommitted(facts: Pick<BranchFacts, "uncommitted" | "uncommittedCount">, shown = 5): string {
  const names = facts.uncommitted.slice(0, shown).join(", ");
  const more = facts.uncommittedCount - Math.min(shown, facts.uncommitted.length);
  return `${facts.uncommittedCount} file${facts.uncommittedCount === 1 ? "" : "s"} (${names}${more > 0 ? `, … and ${more} more` : ""})`;
}
