import { z } from "zod";
import { formatUsd, isOverBudget, type UsageTotals } from "./agent-usage.ts";
import type { AgentOutputFormat } from "./usage-meter.ts";

/**
 * A session's budget: once what its runs used (those that ended, and those running, as their CLI reports
 * turn by turn) reaches either limit, grove stops the session's running and queued runs. Set in grove.yaml
 * (`budget`) or when the session starts.
 */
export const SessionBudgetSchema = z
  .strictObject({
    usd: z
      .number({ error: "must be a number of dollars, such as 5 or 2.50" })
      .positive("must be more than 0")
      .max(1e6, "must be at most 1,000,000")
      .optional(),
    tokens: z
      .number({ error: "must be a number of tokens, such as 200000" })
      .int("must be a whole number")
      .positive("must be more than 0")
      .max(2_000_000_000, "must be at most 2,000,000,000")
      .optional(),
  })
  .refine((b) => b.usd !== undefined || b.tokens !== undefined, "set usd, tokens or both");
export type SessionBudget = z.infer<typeof SessionBudgetSchema>;

/** Why the session may run no further, in words for the runs' errors and the audit; null while within budget. */
export function budgetExceeded(budget: SessionBudget | undefined, spent: UsageTotals): string | null {
  if (!budget || !isOverBudget(budget, spent)) return null;
  const tokens = spent.tokensIn + spent.tokensOut;
  if (budget.tokens !== undefined && tokens >= budget.tokens)
    return `budget exceeded: spent ${tokens} tokens of ${budget.tokens}`;
  return `budget exceeded: spent ${formatUsd(spent.costUsd ?? 0)} of ${formatUsd(budget.usd ?? 0)}`;
}

/**
 * Why a budget could not stop an agent whose CLI writes `format`, in words for refusing the session before
 * anything is created; null when it can. Codex reports tokens but no cost; a plain-text CLI reports nothing.
 */
export function describeUnenforceableBudget(
  budget: SessionBudget | undefined,
  agent: { profile: string; format: AgentOutputFormat },
): string | null {
  if (!budget) return null;
  switch (agent.format) {
    case "claude-stream-json":
      return null;
    case "codex-json":
      return budget.tokens === undefined
        ? `profile "${agent.profile}" runs codex, and codex reports no cost: a USD budget cannot stop it; set a token budget (budget: { tokens: N }) for this session`
        : null;
    case "text":
      return `profile "${agent.profile}" prints plain text and reports no tokens or cost: a budget cannot stop it; run it in a session without a budget, or use a profile whose CLI reports usage (claude, codex)`;
  }
}
