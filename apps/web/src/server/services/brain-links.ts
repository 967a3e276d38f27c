import type { CommitInfoAnswer } from "@grove/core";
import type { Db } from "@grove/db";

export type RunLink = { id: string; branch: string; agent: string; sessionId: string };

/**
 * The run each commit came from: the `Grove-Run:` trailer grove's brain deposits carry, or the merge
 * commit grove made for a run's branch.
 */
export async function linkCommitsToRuns(db: Db, commits: CommitInfoAnswer[]): Promise<Map<string, RunLink>> {
  const trailerRunIds = new Map<string, string>();
  for (const commit of commits) {
    const runId = /^Grove-Run:\s*(\S+)\s*$/im.exec(commit.body)?.[1];
    if (runId) trailerRunIds.set(commit.sha, runId);
  }
  const select = { id: true, branch: true, agent: true, sessionId: true } as const;
  const [byTrailer, merges] = await Promise.all([
    db.run.findMany({ where: { id: { in: [...new Set(trailerRunIds.values())] } }, select }),
    db.mergeRequest.findMany({
      where: { mergeSha: { in: commits.map((c) => c.sha) } },
      select: { mergeSha: true, run: { select } },
    }),
  ]);
  const runs = new Map(byTrailer.map((r) => [r.id, r]));
  const links = new Map<string, RunLink>();
  for (const merge of merges) if (merge.mergeSha) links.set(merge.mergeSha, merge.run);
  for (const [sha, runId] of trailerRunIds) {
    const run = runs.get(runId);
    if (run) links.set(sha, run);
  }
  return links;
}
