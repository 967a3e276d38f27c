import {
  buildRoundPrompt,
  DomainError,
  hasFeedback,
  transitionMergeRequest,
  type LineComment,
  type RoundPromptInput,
} from "@grove/core";
import { mergeRequestStateOf, type Db } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { checkLineCommentsOnDiff } from "./line-comments-on-diff.ts";
import { refusalError } from "./merge-audit.ts";
import { branchStatusOf, readJsonArray } from "./merge-checks.ts";
import { promptBase, requestWithRun, startRoundOnRequest, type RequestWithRun, type RoundComment } from "./round-on-request.ts";

type Deps = { db: Db; hub: Hub };

/**
 * An approver's "request changes" on the head they saw: the request is decided changes_requested and the
 * task's next round starts on the same branch, its prompt built from the comments (the only way they reach
 * the agent). A request whose head moved since is refused, as approvals are.
 */
export async function requestChanges(
  deps: Deps,
  user: SessionUser,
  input: { mergeRequestId: string; headSha: string; comment: string; lineComments: LineComment[] },
): Promise<{ runId: string; round: number }> {
  if (!hasFeedback(input))
    throw new DomainError("INVALID_INPUT", "Say what to change: a comment, or a comment on a line of the diff.");
  const mr = await requestWithRun(deps.db, input.mergeRequestId);
  const from = mergeRequestStateOf(mr);
  const allowed = transitionMergeRequest(from, "request_changes");
  if (!allowed.ok) throw refusalError(allowed, null);
  if (mr.headSha !== input.headSha)
    throw new DomainError(
      "SHA_MISMATCH",
      "The branch moved since this page was loaded; review the new head before requesting changes.",
    );
  checkLineCommentsOnDiff(mr.diff, input.lineComments);
  const comments: RoundComment[] = [...(input.comment ? [{ body: input.comment }] : []), ...input.lineComments];
  return startRoundOnRequest(deps, user, mr, {
    event: "request_changes",
    reason: "changes-requested",
    comments,
    bringIntegration: false,
    prompt: buildRoundPrompt({
      ...(await promptBase(deps.db, mr.run)),
      kind: "changes-requested",
      headSha: mr.headSha,
      comments,
    }),
    comment: input.comment,
    details: { comment: input.comment, lineComments: input.lineComments.length },
  });
}

/**
 * A failed merge sent back to its agent as a new round that first brings the integration branch into the
 * agent's branch: a conflict with the conflicting files and the integration head, a red merged tree with the
 * failing tests' tail.
 */
export async function sendBack(
  deps: Deps,
  user: SessionUser,
  input: { mergeRequestId: string },
): Promise<{ runId: string; round: number }> {
  const mr = await requestWithRun(deps.db, input.mergeRequestId);
  const allowed = transitionMergeRequest(mergeRequestStateOf(mr), "send_back");
  if (!allowed.ok) throw refusalError(allowed, null);
  // Abandoned: its worktree and branch are gone, its work is kept under refs/grove/ (grove archive restore).
  if (mr.snapshotRef)
    throw new DomainError("INVALID_INPUT", `This merge request was abandoned; its work is kept as ${mr.snapshotRef}.`);
  const status = await branchStatusOf(deps.db, {
    runnerId: mr.run.session.runnerId,
    repoPath: mr.run.session.repoPath,
    branch: mr.branch,
  });
  const failure = failureOf(mr, status?.integrationSha ?? null);
  return startRoundOnRequest(deps, user, mr, {
    event: "send_back",
    reason: "sent-back",
    comments: [],
    bringIntegration: true,
    prompt: buildRoundPrompt({ ...(await promptBase(deps.db, mr.run)), ...failure }),
    details: { failure: failure.kind },
  });
}

type TestsFailedPrompt = Extract<RoundPromptInput, { kind: "tests-failed" }>;
type PromptParts = "round" | "taskId" | "branch" | "originalPrompt";

function failureOf(
  mr: RequestWithRun,
  integrationSha: string | null,
):
  | { kind: "conflict"; integration: string; integrationSha: string | null; files: string[] }
  | Omit<TestsFailedPrompt, PromptParts> {
  if (mr.candidateSha && mr.mergedTreeTest) {
    const test = JSON.parse(mr.mergedTreeTest) as { command?: string; outputTail?: string };
    return {
      kind: "tests-failed",
      integration: mr.integration,
      integrationSha,
      command: test.command ?? "the tests",
      outputTail: test.outputTail ?? "",
    };
  }
  if (mr.error?.startsWith("Merge conflict"))
    return { kind: "conflict", integration: mr.integration, integrationSha, files: readJsonArray(mr.conflicts) };
  throw new DomainError(
    "INVALID_INPUT",
    `This merge failed for a reason its agent cannot fix (${mr.error ?? "unknown"}); retry it instead.`,
  );
}
