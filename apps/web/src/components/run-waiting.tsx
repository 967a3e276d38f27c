/** Why a run's step has not started yet, as its runner said (waiting for memory, CPU or its turn). */
export function RunWaiting({ waiting, compact = false }: { waiting: string | null; compact?: boolean }) {
  if (!waiting) return null;
  return (
    <p className={`${compact ? "mb-2 text-xs" : "mt-2 text-sm"} break-words text-amber-800 dark:text-amber-300`} role="status">
      {waiting}
    </p>
  );
}
