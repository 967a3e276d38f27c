import { addUsage, budgetExceeded, EMPTY_TOTALS, type AgentUsage, type SessionBudget, type UsageTotals } from "@grove/core";

/** Sessions whose spend a runner remembers; the oldest is forgotten past this, so the map stays bounded. */
const MAX_SESSIONS = 500;

export type SessionSpend = {
  /** A run of the session finished its agent: what it used counts against the session's budget. */
  add(sessionId: string, usage: AgentUsage): UsageTotals;
  totals(sessionId: string): UsageTotals;
  /** Why no further run of the session may start (see budgetExceeded); null while it is within budget. */
  exceeded(sessionId: string, budget: SessionBudget | undefined): string | null;
};

/**
 * What each session's runs used so far, on this runner. A run checks it when it gets its place under the
 * concurrency cap, before its worktree exists: over budget, it ends there; runs already running finish.
 */
export function createSessionSpend(): SessionSpend {
  const sessions = new Map<string, UsageTotals>();
  const totals = (sessionId: string) => sessions.get(sessionId) ?? EMPTY_TOTALS;
  return {
    add(sessionId, usage) {
      const next = addUsage(totals(sessionId), usage);
      sessions.delete(sessionId);
      sessions.set(sessionId, next);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value ?? "");
      return next;
    },
    totals,
    exceeded: (sessionId, budget) => budgetExceeded(budget, totals(sessionId)),
  };
}
