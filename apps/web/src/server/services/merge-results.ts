import type { MergeOutcome } from "@grove/core";
import { applyMergeRequestEventToCurrent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { voidedBecause } from "./merge-checks.ts";
import { mergeRequestAudit } from "./merge-audit.ts";
import { mayActForMerge } from "./queue-owners.ts";

type Deps = { db: Db; hub: Hub };

/**
 * The runner's word on an approved merge: the request's final state, why, and the commits it brought in.
 * A result for a request that is already final (a resent result) changes nothing. A moved branch is audited
 * as "merge.void" by the runner that found it; the hub records the state only.
 */
export async function recordMergeResult(
  deps: Deps,
  runnerId: string,
  mergeRequestId: string,
  outcome: MergeOutcome,
): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({
    where: { id: mergeRequestId },
    include: { run: { include: { session: true } } },
  });
  // The session's runner, or the runner that took its merge queue over.
  if (!mr || !(await mayActForMerge(db, runnerId, mr))) throw new Error(`merge request ${mergeRequestId} is not this runner's`);

  const step = await applyMergeRequestEventToCurrent(db, { id: mr.id, ...stepOf(outcome, mr) });
  if (step?.kind !== "applied") return;
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  hub.broadcastChanged({ scope: "sessions", id: mr.run.sessionId });
}

type Request = {
  id: string;
  runId: string;
  branch: string;
  headSha: string;
  integration: string;
  state: string;
  run: { sessionId: string };
};

function stepOf(outcome: MergeOutcome, mr: Request): Omit<Parameters<typeof applyMergeRequestEventToCurrent>[1], "id"> {
  switch (outcome.kind) {
    case "moved":
      return { event: "merge_moved", data: { stage: null, error: voidedBecause(mr, outcome.headSha) } };
    case "merged":
      return {
        event: "merge_landed",
        data: {
          stage: null,
          mergeSha: outcome.sha,
          mergedTreeTest: outcome.mergedTreeTest ? JSON.stringify(outcome.mergedTreeTest) : null,
          depositSha: outcome.deposit?.sha ?? null,
          depositFiles: outcome.deposit ? JSON.stringify(outcome.deposit.files) : null,
          snapshotRef: outcome.snapshotRef ?? null,
          error: outcome.depositError ? `Merged, but the brain deposit failed: ${outcome.depositError}` : null,
        },
        alsoIn: (tx) => tx.commitProvenance.createMany({ data: provenanceOf(mr.id, outcome) }),
      };
    case "conflict":
    case "tests_failed":
    case "refused":
      return {
        event: "merge_failed",
        data: { stage: null, ...failure(outcome, mr.integration) },
        audit: () => ({
          actorType: "system",
          actorId: "hub",
          ...mergeRequestAudit(mr),
          details: { kind: outcome.kind, branchKept: true },
        }),
      };
  }
}

type Failed = Exclude<MergeOutcome, { kind: "merged" } | { kind: "moved" }>;

export function failure(outcome: Failed, integration: string) {
  switch (outcome.kind) {
    case "conflict":
      return {
        conflicts: JSON.stringify(outcome.files),
        error: `Merge conflict in ${outcome.files.join(", ") || "the branch"}; ${integration} did not move. The branch is kept.`,
      };
    case "tests_failed":
      return {
        candidateSha: outcome.candidateSha,
        mergedTreeTest: JSON.stringify(outcome.test),
        error: `${outcome.test.step === "setup" ? `The setup command (${outcome.test.command?.replace(/^setup: /, "").slice(0, 200)}) failed` : "The tests failed"} on the merged tree (this branch merged onto ${integration} at ${outcome.integrationSha.slice(0, 12)}); ${integration} did not move. The branch is kept.`,
      };
    case "refused":
      return { error: `${outcome.reason} The branch is kept.` };
  }
}

function provenanceOf(mergeRequestId: string, outcome: Extract<MergeOutcome, { kind: "merged" }>) {
  const rows = [{ sha: outcome.sha, mergeRequestId, kind: "merge" }];
  for (const sha of outcome.commits ?? []) if (sha !== outcome.sha) rows.push({ sha, mergeRequestId, kind: "agent" });
  if (outcome.deposit) rows.push({ sha: outcome.deposit.sha, mergeRequestId, kind: "deposit" });
  return rows;
}
