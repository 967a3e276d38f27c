import type { Query } from "@tanstack/react-query";
import type { Changed } from "@grove/core";

/** Which routers' queries a change can affect. Git-backed queries (diff, brain, health) are not refreshed on every event. */
const AFFECTS: Record<Changed["scope"], string[]> = {
  sessions: ["session", "run", "approval"],
  runs: ["session", "run", "approval"],
  merges: ["approval", "merge", "session", "run", "audit", "queue"],
  runners: ["runner", "session"],
  audit: ["audit"],
  queue: ["queue"],
};
const EXPENSIVE = new Set(["run.diff", "brain.list", "brain.byId", "health.list", "runner.byId"]);

/** tRPC's query keys start with the procedure path as an array, e.g. [["session", "list"], {…}]. */
export function isAffected(query: Query, change: Changed): boolean {
  const path = query.queryKey[0];
  if (!Array.isArray(path) || typeof path[0] !== "string") return false;
  const dotted = path.join(".");
  if (EXPENSIVE.has(dotted) || dotted.startsWith("run.log.")) return false;
  return AFFECTS[change.scope].includes(path[0]);
}
