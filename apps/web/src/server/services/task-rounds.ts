import { DomainError } from "@grove/core";
import type { Db } from "@grove/db";

const roundSelect = {
  id: true,
  round: true,
  roundReason: true,
  previousRunId: true,
  prompt: true,
  state: true,
  baseSha: true,
  headSha: true,
  testStatus: true,
  testMs: true,
  costUsd: true,
  tokensIn: true,
  tokensOut: true,
  error: true,
  createdAt: true,
  endedAt: true,
  reviewComments: {
    orderBy: { createdAt: "asc" },
    select: { id: true, author: true, body: true, file: true, line: true, headSha: true, createdAt: true, forRunId: true },
  },
  mergeRequests: { orderBy: { createdAt: "desc" }, select: { id: true, state: true, headSha: true } },
} as const;

/** Every round of the run's task, first to last: prompt, the comments on its head, tests, cost, its requests. */
export async function listTaskRounds(db: Db, runId: string) {
  const run = await db.run.findUnique({ where: { id: runId }, select: { sessionId: true, agent: true, taskId: true } });
  if (!run) throw new DomainError("NOT_FOUND", "That run does not exist.");
  const rounds = await db.run.findMany({ where: run, orderBy: { round: "asc" }, select: roundSelect });
  const headOf = new Map(rounds.map((r) => [r.id, r.headSha]));
  // The diff between rounds is the previous round's head to this one's.
  return rounds.map((r) => ({ ...r, previousHeadSha: r.previousRunId ? (headOf.get(r.previousRunId) ?? null) : null }));
}
