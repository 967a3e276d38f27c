import { addUsage, EMPTY_TOTALS, formatUsage, type UsageTotals } from "@grove/core/usage";

type SessionUsageView = {
  budgetUsd: number | null;
  budgetTokens: number | null;
  runs: { tokensIn: number | null; tokensOut: number | null; costUsd: number | null }[];
};

/** What the session's runs used so far, and its own budget when it was started with one. */
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
  const budget = [
    session.budgetUsd === null ? "" : `$${session.budgetUsd}`,
    session.budgetTokens === null ? "" : `${session.budgetTokens} tokens`,
  ]
    .filter(Boolean)
    .join(" or ");
  if (totals.runs === 0 && !budget) return null;
  return (
    <span className="block">
      {totals.runs > 0 ? `used ${formatUsage(totals)}` : "nothing used yet"}
      {budget ? ` · budget ${budget}` : ""}
    </span>
  );
}
