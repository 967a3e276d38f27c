import { formatTokens, formatUsd } from "@grove/core/usage";
import { formatDuration } from "./ui/time.tsx";

export type RunUsageView = {
  tokensIn?: number | null;
  tokensOut?: number | null;
  costUsd?: number | null;
  turns?: number | null;
  agentMs?: number | null;
  agentSessionId?: string | null;
};

/** What the run's agent used, as its CLI reported it: nothing when it reported nothing. */
export function RunUsage({ run }: { run: RunUsageView }) {
  if (run.tokensIn === null || run.tokensIn === undefined) return null;
  return (
    <>
      <dt className="text-stone-500">Tokens</dt>
      <dd>
        {formatTokens(run.tokensIn)} in / {formatTokens(run.tokensOut ?? 0)} out
      </dd>
      <dt className="text-stone-500">Cost</dt>
      <dd>{run.costUsd === null || run.costUsd === undefined ? "not reported" : formatUsd(run.costUsd)}</dd>
      {run.turns !== null && run.turns !== undefined && (
        <>
          <dt className="text-stone-500">Turns</dt>
          <dd>
            {run.turns}
            {run.agentMs !== null && run.agentMs !== undefined ? ` in ${formatDuration(run.agentMs)}` : ""}
          </dd>
        </>
      )}
      {run.agentSessionId && (
        <>
          <dt className="text-stone-500">Agent session</dt>
          <dd className="min-w-0 truncate font-mono" title={run.agentSessionId}>
            {run.agentSessionId}
          </dd>
        </>
      )}
    </>
  );
}
