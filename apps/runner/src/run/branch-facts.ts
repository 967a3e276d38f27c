import { MAX_UNCOMMITTED_LISTED, describeError } from "@grove/core";
import { countCommits, diffStat, headSha, worktreeStatus } from "@grove/core/node";

/** What the agent left in git: the branch's head and commits, and what it changed without committing. */
export type BranchFacts = {
  head: string | null;
  /** Commits since the base; null when the branch could not be read. */
  commits: number | null;
  diffStat: string;
  uncommitted: string[];
  uncommittedCount: number;
  /** Why something could not be read, for the run's log. */
  problem: string | null;
};

export async function readBranchFacts(repo: string, worktree: string, baseSha: string): Promise<BranchFacts> {
  const facts: BranchFacts = { head: null, commits: null, diffStat: "", uncommitted: [], uncommittedCount: 0, problem: null };
  try {
    facts.head = await headSha(worktree);
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
