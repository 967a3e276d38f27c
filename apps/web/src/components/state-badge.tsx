const TONES: Record<string, string> = {
  queued: "bg-stone-200 text-stone-700 dark:bg-stone-800 dark:text-stone-300",
  preparing: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  running: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  testing: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300",
  succeeded: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  merged: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  passed: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  open: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  approved: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  merging: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  online: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
};
const BAD = "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300";

export function StateBadge({ state, label }: { state: string; label?: string }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${TONES[state] ?? BAD}`}>{label ?? state}</span>
  );
}
