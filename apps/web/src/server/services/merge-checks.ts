import { brainPolicyVerdict } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

type BranchKey = { runnerId: string; repoPath: string; branch: string };
type Status = NonNullable<Awaited<ReturnType<Db["branchStatus"]["findUnique"]>>>;

export function branchStatusOf(db: Db, key: BranchKey): Promise<Status | null> {
  return db.branchStatus.findUnique({ where: { runnerId_repoPath_branch: key } });
}

/** JSON string arrays the hub itself wrote; anything unreadable counts as empty. */
export function readJsonArray(text: string | null): string[] {
  if (text === null) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}

export type ChecksData = {
  conflicts: string | null;
  overlaps: string;
  brainFiles: string;
  checkedSha: string | null;
  checkedAt: Date;
  diff?: string;
  diffTruncated?: boolean;
  state?: "blocked";
  blockedReason?: string;
  error?: string;
};

/**
 * What a merge request shows of the radar's view of its head: the diff, the conflicts predicted against
 * the integration head, the overlaps, and the brain policy on what the branch commits (a blocked request
 * cannot be approved). `brain` names the folder in the reason when known.
 */
export function checksFromStatus(status: Status, brain?: string): ChecksData {
  const committed = new Set(readJsonArray(status.files));
  const brainFiles = readJsonArray(status.brainFiles).filter((file) => committed.has(file));
  const policy = brainPolicyVerdict(brainFiles, brain ? `${brain.replace(/\/+$/, "")}/` : undefined);
  return {
    conflicts: status.conflicts,
    overlaps: status.overlaps,
    brainFiles: JSON.stringify(brainFiles),
    checkedSha: status.integrationSha,
    checkedAt: new Date(),
    ...(status.diff !== null && status.diffSha === status.headSha ? { diff: status.diff, diffTruncated: status.diffTruncated } : {}),
    ...(policy.ok ? {} : { state: "blocked", blockedReason: policy.reason, error: policy.reason }),
  };
}

/** The branch moved after its tests ran: the request (and any approval of it) is void; the branch is kept. */
export async function voidMergeRequest(
  deps: { db: Db; hub: Hub },
  mr: { id: string; runId: string; branch: string; headSha: string; state: string; run: { sessionId: string } },
  movedTo: string | null,
): Promise<void> {
  const wasApproved = mr.state === "approved" || mr.state === "merging";
  const error = movedTo
    ? `The branch moved to ${movedTo.slice(0, 12)} after ${wasApproved ? "the approval" : "its tests ran"}; ${wasApproved ? "the approval is void and " : ""}nothing was merged. The branch is kept; run the task again for a tested head.`
    : "The branch was deleted; nothing was merged.";
  const changed = await deps.db.mergeRequest.updateMany({ where: { id: mr.id, state: mr.state }, data: { state: "void", stage: null, error } });
  if (changed.count !== 1) return;
  await appendAuditEvent(deps.db, {
    actorType: "system",
    actorId: "hub",
    action: "merge.void",
    ...mergeRequestAudit(mr),
    details: { movedTo, wasApproved, branchKept: true },
  });
  deps.hub.broadcastChanged({ scope: "merges", id: mr.id });
}
