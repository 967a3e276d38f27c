/**
 * How many tool calls the agent's CLI refused it, as the runner counted them from what the CLI printed
 * (Claude Code's permission_denied events) and stored on the run: a hint for the approver that the agent
 * tried something outside its permissions. Nothing when there were none.
 */
export function RefusedActions({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <p role="note" className="mb-2 text-sm text-amber-800 dark:text-amber-300">
      <span aria-hidden="true">⚠ </span>the agent was refused {count} action{count === 1 ? "" : "s"}
    </p>
  );
}
