import { z } from "zod";

/** Stored as 32-bit integers: a run's tokens and milliseconds are far below this. */
const MAX_TOKENS = 2_000_000_000;
const MAX_USD = 1e6;

/**
 * What one run of an agent used, as its CLI reported it on its output: tokens in (cached input included)
 * and out, cost in USD where the CLI states one (Claude Code does, Codex does not), model turns, how long
 * it ran, and the CLI's own session id (Claude `session_id`, Codex thread id) for resuming it later.
 */
export const AgentUsageSchema = z.object({
  tokensIn: z.number().int().nonnegative().max(MAX_TOKENS),
  tokensOut: z.number().int().nonnegative().max(MAX_TOKENS),
  costUsd: z.number().nonnegative().max(MAX_USD).nullable(),
  turns: z.number().int().nonnegative().max(1_000_000).nullable(),
  durationMs: z.number().int().nonnegative().max(MAX_TOKENS).nullable(),
  agentSessionId: z.string().min(1).max(200).nullable(),
});
export type AgentUsage = z.infer<typeof AgentUsageSchema>;

export const EMPTY_USAGE: AgentUsage = {
  tokensIn: 0,
  tokensOut: 0,
  costUsd: null,
  turns: null,
  durationMs: null,
  agentSessionId: null,
};

/** Totals over runs: a cost is known when any run reported one (runs that did not count as 0). */
export type UsageTotals = {
  runs: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  turns: number;
  durationMs: number;
};
export const EMPTY_TOTALS: UsageTotals = { runs: 0, tokensIn: 0, tokensOut: 0, costUsd: null, turns: 0, durationMs: 0 };

export function addUsage(
  totals: UsageTotals,
  usage: Pick<AgentUsage, "tokensIn" | "tokensOut" | "costUsd" | "turns" | "durationMs">,
): UsageTotals {
  return {
    runs: totals.runs + 1,
    tokensIn: totals.tokensIn + usage.tokensIn,
    tokensOut: totals.tokensOut + usage.tokensOut,
    costUsd: usage.costUsd === null ? totals.costUsd : (totals.costUsd ?? 0) + usage.costUsd,
    turns: totals.turns + (usage.turns ?? 0),
    durationMs: totals.durationMs + (usage.durationMs ?? 0),
  };
}

/** Whether a number is a usable count or amount; anything else a CLI printed counts as not reported. */
export function clampCount(value: number, max = MAX_TOKENS): number {
  return Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), max) : 0;
}
export function clampUsd(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.min(value, MAX_USD) : 0;
}

/** "1.2k in / 340 out, $0.0123": tokens and cost in a few characters, for logs, summaries and pages. */
export function formatUsage(usage: Pick<UsageTotals, "tokensIn" | "tokensOut" | "costUsd">): string {
  const cost = usage.costUsd === null ? "" : `, ${formatUsd(usage.costUsd)}`;
  return `${formatTokens(usage.tokensIn)} in / ${formatTokens(usage.tokensOut)} out tokens${cost}`;
}
export function formatTokens(tokens: number): string {
  if (tokens < 10_000) return String(tokens);
  if (tokens < 10_000_000) return `${(tokens / 1000).toFixed(1)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}
export function formatUsd(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** "1.2k of 5.0k tokens, $0.0123 of $1.00": what a session spent against each limit of its budget. */
export function formatSpendOfBudget(
  budget: { usd?: number | undefined; tokens?: number | undefined },
  spent: Pick<UsageTotals, "tokensIn" | "tokensOut" | "costUsd">,
): string {
  const parts = [];
  if (budget.tokens !== undefined)
    parts.push(`${formatTokens(spent.tokensIn + spent.tokensOut)} of ${formatTokens(budget.tokens)} tokens`);
  if (budget.usd !== undefined) parts.push(`${formatUsd(spent.costUsd ?? 0)} of ${formatUsd(budget.usd)}`);
  return parts.join(", ");
}

/** Whether what a session spent reached either limit of its budget (a cost nobody reported never does). */
export function isOverBudget(
  budget: { usd?: number | undefined; tokens?: number | undefined },
  spent: Pick<UsageTotals, "tokensIn" | "tokensOut" | "costUsd">,
): boolean {
  const isOverTokens = budget.tokens !== undefined && spent.tokensIn + spent.tokensOut >= budget.tokens;
  return isOverTokens || (budget.usd !== undefined && spent.costUsd !== null && spent.costUsd >= budget.usd);
}
