import { formatBytes, type DiskLedger } from "@grove/core";

const KIND_LABELS: Record<DiskLedger["worktrees"][number]["kind"], string> = {
  agent: "agent",
  "merge-tree": "merge tree",
  other: "worktree",
};

/** What each worktree of a repository takes on disk, its tracked files apart from its dependencies, and the total. */
export function DiskLedgerTable({ ledger }: { ledger: DiskLedger }) {
  const atLeast = (isPartial: boolean) => (isPartial ? "≥ " : "");
  return (
    <section className="mt-4" aria-label="Disk used by worktrees">
      <h3 className="text-sm font-medium">
        Disk: {atLeast(ledger.isPartial)}
        {formatBytes(ledger.totalBytes)} in {ledger.worktrees.length} worktree{ledger.worktrees.length === 1 ? "" : "s"}
      </h3>
      {ledger.sharedBytes > 0 && (
        <p className="text-xs text-stone-500">
          {formatBytes(ledger.sharedBytes)} of it is hard-linked between worktrees and counted once.
        </p>
      )}
      {ledger.isPartial && (
        <p className="text-xs text-stone-500">The walk stopped at its cap on files or time: these are lower bounds.</p>
      )}
      {ledger.worktrees.length > 0 && (
        <ul className="mt-2 space-y-1 text-xs">
          {ledger.worktrees.map((w) => (
            <li key={w.path} className="break-all">
              <span className="font-medium">
                {atLeast(w.isPartial)}
                {formatBytes(w.trackedBytes + w.otherBytes)}
              </span>{" "}
              <code>{w.path}</code>{" "}
              <span className="text-stone-500">
                ({KIND_LABELS[w.kind]}
                {w.branch ? ` ${w.branch}` : ""})
              </span>
              <span className="text-stone-500">
                {" "}
                · {formatBytes(w.trackedBytes)} tracked · {formatBytes(w.otherBytes)} dependencies and other untracked files
              </span>
            </li>
          ))}
        </ul>
      )}
      {ledger.omitted > 0 && <p className="text-xs text-stone-500">{ledger.omitted} more worktree(s) not measured.</p>}
    </section>
  );
}
