import { addUsage, EMPTY_TOTALS, formatSpendOfBudget, formatUsage, isOverBudget, type UsageTotals } from "@grove/core/usage";

type SessionUsageView = {
  budgetUsd: number | null;
  budgetTokens: number | null;
  runs: { tokensIn: number | null; tokensOut: number | null; costUsd: number | null }[];
};

/** What the session's runs used so far, against its own budget when it was started with one (as their reports stored it). */
export function SessionUsage({ session }: { session: SessionUsageView }) {
  const totals = session.runs.reduce<UsageTotals>(
    (sum, run) =>
      run.tokensIn === null
        ? sum
        : addUsage(sum, {
            tokensIn: run.tokensIn,
            tokensOut: run.tokensOut ?? 0,
            costUsd: run.costUsd,
            turns: null,
            durationMs: null,
          }),
    EMPTY_TOTALS,
  );
  const limits = { usd: session.budgetUsd ?? undefined, tokens: session.budgetTokens ?? undefined };
  const hasBudget = limits.usd !== undefined || limits.tokens !== undefined;
  if (totals.runs === 0 && !hasBudget) return null;
  const isOver = hasBudget && isOverBudget(limits, totals);
  return (
    <span className="block">
      {totals.runs > 0 ? `used ${formatUsage(totals)}` : "nothing used yet"}
      {hasBudget ? ` · budget: spent ${formatSpendOfBudget(limits, totals)}` : ""}
      {isOver ? <strong> · budget exceeded: the session&apos;s agents were stopped</strong> : null}
    </span>
  );
}
