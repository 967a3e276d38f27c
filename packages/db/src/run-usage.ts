import { addUsage, EMPTY_TOTALS, type AgentUsage, type UsageTotals } from "@grove/core";
import type { Db, Prisma } from "./client.ts";

type RunUsageColumns = {
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number | null;
  turns?: number | null;
  agentMs?: number | null;
  agentSessionId?: string | null;
};

/** The run's columns for what its agent used, from the runner's report (written with it, see recordRunReport). */
export function runUsageData(usage: AgentUsage | null): RunUsageColumns {
  if (!usage) return {};
  return {
    tokensIn: usage.tokensIn,
    tokensOut: usage.tokensOut,
    costUsd: usage.costUsd,
    turns: usage.turns,
    agentMs: usage.durationMs,
    agentSessionId: usage.agentSessionId,
  };
}

export type UsageRow = UsageTotals & { key: string };
export type UsageOverview = { byDay: UsageRow[]; byAgent: UsageRow[]; bySession: UsageRow[]; total: UsageTotals };

/** How many runs the overview sums at most: the newest of the window. */
const MAX_RUNS = 10_000;

/**
 * What runs used over the last `days` days (UTC), per day, per agent and per session, newest first; only
 * runs whose agent reported usage count. Summed here rather than in SQL: a bounded window of small rows.
 */
export async function readUsageOverview(db: Db, o: { days: number; now?: Date; sessions?: number }): Promise<UsageOverview> {
  const now = o.now ?? new Date();
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (o.days - 1)));
  const runs = await db.run.findMany({
    where: { createdAt: { gte: since }, tokensIn: { not: null } },
    orderBy: { createdAt: "desc" },
    take: MAX_RUNS,
    select: {
      sessionId: true,
      agent: true,
      createdAt: true,
      tokensIn: true,
      tokensOut: true,
      costUsd: true,
      turns: true,
      agentMs: true,
    } satisfies Prisma.RunSelect,
  });
  const byDay = new Map<string, UsageTotals>();
  const byAgent = new Map<string, UsageTotals>();
  const bySession = new Map<string, UsageTotals>();
  let total = EMPTY_TOTALS;
  for (const run of runs) {
    const usage = {
      tokensIn: run.tokensIn ?? 0,
      tokensOut: run.tokensOut ?? 0,
      costUsd: run.costUsd,
      turns: run.turns,
      durationMs: run.agentMs,
    };
    for (const [map, key] of [
      [byDay, run.createdAt.toISOString().slice(0, 10)],
      [byAgent, run.agent],
      [bySession, run.sessionId],
    ] as const) {
      map.set(key, addUsage(map.get(key) ?? EMPTY_TOTALS, usage));
    }
    total = addUsage(total, usage);
  }
  const rows = (map: Map<string, UsageTotals>) => [...map].map(([key, totals]) => ({ key, ...totals }));
  return {
    byDay: rows(byDay),
    byAgent: rows(byAgent).sort((a, b) => b.tokensIn + b.tokensOut - (a.tokensIn + a.tokensOut)),
    bySession: rows(bySession).slice(0, o.sessions ?? 10),
    total,
  };
}
