import type { CleanupAnswer } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { runBranchesOf } from "./leftover-runs.ts";

/**
 * Asks the runner to snapshot and remove ended runs' leftovers (never a branch the hub or the runner says a
 * live run or a waiting request holds), and audits each one cleaned with the ref that keeps its work.
 */
export async function cleanUpLeftovers(
  deps: { db: Db; hub: Hub },
  user: SessionUser,
  input: { runnerId: string; repoPath: string; branches: string[] },
): Promise<CleanupAnswer> {
  const answer = await deps.hub.ask(input.runnerId, "leftovers:clean", {
    repoPath: input.repoPath,
    branches: input.branches,
    ...(await runBranchesOf(deps.db, input)),
  });
  for (const cleaned of answer.cleaned) {
    await appendAuditEvent(deps.db, {
      actorType: "user",
      actorId: user.email,
      action: "worktree.cleaned_up",
      subject: cleaned.branch,
      branch: cleaned.branch,
      sha: cleaned.snapshotSha,
      details: { repo: input.repoPath, worktree: cleaned.path, snapshotRef: cleaned.snapshotRef },
    });
  }
  deps.hub.broadcastChanged({ scope: "runs" });
  return answer;
}
