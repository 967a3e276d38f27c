import { RelativeTime } from "./ui/time.tsx";

export type RunLandedView = { integration: string; mergeSha: string; approvedBy: string | null; at: Date };

/** Where a landed run's work is: the merge commit on the integration branch (nothing for a run that did not land). */
export function RunLanded({ landed }: { landed: RunLandedView | null }) {
  if (!landed) return null;
  return (
    <p role="status" className="mt-3 text-sm text-emerald-800 dark:text-emerald-300">
      Landed on <code>{landed.integration}</code> as merge commit{" "}
      <code title={landed.mergeSha}>{landed.mergeSha.slice(0, 10)}</code>
      {landed.approvedBy ? <> · approved by {landed.approvedBy}</> : null} <RelativeTime date={landed.at} />
    </p>
  );
}
