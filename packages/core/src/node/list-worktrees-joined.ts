import { listWorktrees, type WorktreeInfo } from "./list-worktrees.ts";
import type { LocatedRepo } from "./open-repo.ts";

// Process-wide by nature: what it shares is one git process between callers of this process.
const inFlight = new Map<string, Promise<WorktreeInfo[]>>();

/**
 * The repository's worktrees from a `git worktree list` that is under way right now for another caller, else
 * from one started for this caller (the output is the same from any worktree of the repository). Twenty adds
 * started at once list once instead of twenty times: on a loaded machine each git process holds this process's
 * event loop for tens of milliseconds while it is spawned. Only for what git checks again (addNewWorktreeEntry):
 * the listing may have begun a moment before the caller asked.
 */
export function listWorktreesJoined(located: LocatedRepo): Promise<WorktreeInfo[]> {
  const pending = inFlight.get(located.commonDir);
  if (pending) return pending;
  const listing = listWorktrees(located.start).finally(() => inFlight.delete(located.commonDir));
  inFlight.set(located.commonDir, listing);
  return listing;
}
