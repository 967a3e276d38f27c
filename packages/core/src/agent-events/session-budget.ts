import { z } from "zod";
import type { UsageTotals } from "./agent-usage.ts";

/**
 * A session's budget: once what its finished runs used reaches either limit, no further run of the
 * session starts (runs already running finish). Set in grove.yaml (`budget`) or when the session starts.
 */
export const SessionBudgetSchema = z
  .strictObject({
    usd: z.number().positive().max(1e6).optional(),
    tokens: z.number().int().positive().max(2_000_000_000).optional(),
  })
  .refine((b) => b.usd !== undefined || b.tokens !== undefined, "set usd, tokens or both");
export type SessionBudget = z.infer<typeof SessionBudgetSchema>;

/** Why the session may start no further run, in words for the run's error and the audit; null while within budget. */
export function budgetExceeded(budget: SessionBudget | undefined, spent: UsageTotals): string | null {
  if (!budget) return null;
  const tokens = spent.tokensIn + spent.tokensOut;
  if (budget.tokens !== undefined && tokens >= budget.tokens) {
    return `budget exceeded: the session's runs used ${tokens} tokens of its budget of ${budget.tokens}`;
  }
  if (budget.usd !== undefined && spent.costUsd !== null && spent.costUsd >= budget.usd) {
    return `budget exceeded: the session's runs cost $${spent.costUsd.toFixed(4)} of its budget of $${budget.usd}`;
  }
  return null;
}
