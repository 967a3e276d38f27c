import type { MergeOutcome } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import type { Hub } from "../hub/create-hub.ts";
import { voidMergeRequest } from "./merge-checks.ts";
import { mergeRequestAudit } from "./merge-audit.ts";

type Deps = { db: Db; hub: Hub };
const TERMINAL = ["merged", "failed", "void", "rejected"];

/** The runner's word on an approved merge: the request's final state, why, and the commits it brought in. */
export async function recordMergeResult(deps: Deps, runnerId: string, mergeRequestId: string, outcome: MergeOutcome): Promise<void> {
  const { db, hub } = deps;
  const mr = await db.mergeRequest.findUnique({ where: { id: mergeRequestId }, include: { run: { include: { session: true } } } });
  if (!mr || mr.run.session.runnerId !== runnerId) throw new Error(`merge request ${mergeRequestId} is not this runner's`);
  if (TERMINAL.includes(mr.state)) return;

  if (outcome.kind === "moved") {
    await voidMergeRequest(deps, mr, outcome.headSha);
    hub.broadcastChanged({ scope: "sessions", id: mr.run.sessionId });
    return;
  }
  if (outcome.kind === "merged") {
    await db.$transaction([
      db.mergeRequest.update({
        where: { id: mr.id },
        data: {
          state: "merged",
          stage: null,
          mergeSha: outcome.sha,
          mergedTreeTest: outcome.mergedTreeTest ? JSON.stringify(outcome.mergedTreeTest) : null,
          depositSha: outcome.deposit?.sha ?? null,
          depositFiles: outcome.deposit ? JSON.stringify(outcome.deposit.files) : null,
          snapshotRef: outcome.snapshotRef ?? null,
          error: outcome.depositError ? `Merged, but the brain deposit failed: ${outcome.depositError}` : null,
        },
      }),
      db.commitProvenance.createMany({ data: provenanceOf(mr.id, outcome) }),
    ]);
  } else {
    await db.mergeRequest.update({ where: { id: mr.id }, data: { state: "failed", stage: null, ...failure(outcome, mr.integration) } });
    await appendAuditEvent(db, {
      actorType: "system",
      actorId: "hub",
      action: "merge.failed",
      ...mergeRequestAudit(mr),
      details: { kind: outcome.kind, branchKept: true },
    });
  }
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  hub.broadcastChanged({ scope: "sessions", id: mr.run.sessionId });
}

type Failed = Exclude<MergeOutcome, { kind: "merged" } | { kind: "moved" }>;

function failure(outcome: Failed, integration: string) {
  switch (outcome.kind) {
    case "conflict":
      return { conflicts: JSON.stringify(outcome.files), error: `Merge conflict in ${outcome.files.join(", ") || "the branch"}; ${integration} did not move. The branch is kept.` };
    case "tests_failed":
      return {
        candidateSha: outcome.candidateSha,
        mergedTreeTest: JSON.stringify(outcome.test),
        error: `The tests failed on the merged tree (this branch merged onto ${integration} at ${outcome.integrationSha.slice(0, 12)}); ${integration} did not move. The branch is kept.`,
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
