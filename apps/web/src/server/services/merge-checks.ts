import { brainPolicyVerdict, DISPATCHED_MERGE_REQUEST_STATES } from "@grove/core";
import { applyMergeRequestEvent, mergeRequestStateOf, type Db } from "@grove/db";
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
  blockedReason?: string;
  error?: string;
};

/**
 * What a merge request shows of the radar's view of its head: the diff, the conflicts predicted against
 * the integration head, the overlaps, and the brain policy on what the branch commits (`isBlocked`: the
 * request cannot be approved). `brain` names the folder in the reason when known.
 */
export function checksFromStatus(status: Status, brain?: string): { data: ChecksData; isBlocked: boolean } {
  const committed = new Set(readJsonArray(status.files));
  const brainFiles = readJsonArray(status.brainFiles).filter((file) => committed.has(file));
  const policy = brainPolicyVerdict(brainFiles, brain ? `${brain.replace(/\/+$/, "")}/` : undefined);
  const data: ChecksData = {
    conflicts: status.conflicts,
    overlaps: status.overlaps,
    brainFiles: JSON.stringify(brainFiles),
    checkedSha: status.integrationSha,
    checkedAt: new Date(),
    ...(status.diff !== null && status.diffSha === status.headSha
      ? { diff: status.diff, diffTruncated: status.diffTruncated }
      : {}),
    ...(policy.ok ? {} : { blockedReason: policy.reason, error: policy.reason }),
  };
  return { data, isBlocked: !policy.ok };
}

type VoidableRequest = { id: string; runId: string; branch: string; headSha: string; state: string; run: { sessionId: string } };

/** Why a request is void: its branch moved (after its tests ran, or after the approval), or is gone. */
export function voidedBecause(mr: { state: string }, movedTo: string | null): string {
  const wasApproved = isDispatched(mr.state);
  return movedTo
    ? `The branch moved to ${movedTo.slice(0, 12)} after ${wasApproved ? "the approval" : "its tests ran"}; ${wasApproved ? "the approval is void and " : ""}nothing was merged. The branch is kept; run the task again for a tested head.`
    : "The branch was deleted; nothing was merged.";
}

/** The hub saw a waiting request's branch move after its tests ran: the request is void; the branch is kept. */
export async function voidMergeRequest(deps: { db: Db; hub: Hub }, mr: VoidableRequest, movedTo: string | null): Promise<void> {
  const step = await applyMergeRequestEvent(deps.db, {
    id: mr.id,
    from: mergeRequestStateOf(mr),
    event: "branch_moved",
    data: { stage: null, error: voidedBecause(mr, movedTo) },
    audit: () => ({
      actorType: "system",
      actorId: "hub",
      ...mergeRequestAudit(mr),
      details: { movedTo, wasApproved: isDispatched(mr.state), branchKept: true },
    }),
  });
  if (step.kind === "applied") deps.hub.broadcastChanged({ scope: "merges", id: mr.id });
}

function isDispatched(state: string): boolean {
  return (DISPATCHED_MERGE_REQUEST_STATES as readonly string[]).includes(state);
}
