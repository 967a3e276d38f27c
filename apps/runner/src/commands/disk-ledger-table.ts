import { formatBytes, type DiskLedger } from "@grove/core";

/** The disk ledger as `grove doctor` prints it: one line per worktree, then the total. */
export function formatDiskLedger(ledger: DiskLedger): string {
  const atLeast = (isPartial: boolean) => (isPartial ? "at least " : "");
  const lines = [`Disk used by worktrees (${ledger.worktrees.length}):`];
  for (const w of ledger.worktrees) {
    const total = formatBytes(w.trackedBytes + w.otherBytes);
    lines.push(
      `  ${atLeast(w.isPartial)}${total.padStart(9)}  ${w.path} [${w.kind}${w.branch ? ` ${w.branch}` : ""}]: ` +
        `${formatBytes(w.trackedBytes)} tracked, ${formatBytes(w.otherBytes)} dependencies and other untracked files`,
    );
  }
  const shared = ledger.sharedBytes > 0 ? ` (${formatBytes(ledger.sharedBytes)} hard-linked between them, counted once)` : "";
  lines.push(`  total: ${atLeast(ledger.isPartial)}${formatBytes(ledger.totalBytes)}${shared}`);
  if (ledger.isPartial) lines.push("  (the walk was cut at its cap on entries or time: the figures are lower bounds)");
  if (ledger.omitted > 0) lines.push(`  ${ledger.omitted} more worktree(s) not measured`);
  return lines.join("\n");
}
