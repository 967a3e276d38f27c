import {
  buildRoundPrompt,
  DomainError,
  transitionMergeRequest,
  type LineComment,
  type MergeRequestEvent,
  type RoundPromptInput,
} from "@grove/core";
import { applyMergeRequestEvent, createRoundRunIn, mergeRequestStateOf, type Db, type RoundReason } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit, refusalError } from "./merge-audit.ts";
import { branchStatusOf, readJsonArray } from "./merge-checks.ts";
import {
  assertRunnerOnline,
  dispatchRound,
  originalPromptOf,
  resumeSessionOf,
  roundRunInclude,
  type RoundRun,
} from "./round-dispatch.ts";

type Deps = { db: Db; hub: Hub };
type Comment = { body: string; file?: string; line?: number };

async function requestWithRun(db: Db, id: string) {
  const mr = await db.mergeRequest.findUnique({ where: { id }, include: { run: { include: roundRunInclude } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  return mr;
}
type RequestWithRun = Awaited<ReturnType<typeof requestWithRun>>;

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
  const mr = await requestWithRun(deps.db, input.mergeRequestId);
  const from = mergeRequestStateOf(mr);
  const allowed = transitionMergeRequest(from, "request_changes");
  if (!allowed.ok) throw refusalError(allowed, null);
  if (mr.headSha !== input.headSha)
    throw new DomainError(
      "SHA_MISMATCH",
      "The branch moved since this page was loaded; review the new head before requesting changes.",
    );
  const comments: Comment[] = [...(input.comment ? [{ body: input.comment }] : []), ...input.lineComments];
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

/** What every round's prompt says of the task: its number, the task, its branch and the first round's prompt. */
async function promptBase(db: Db, run: RoundRun) {
  return { round: run.round + 1, taskId: run.taskId, branch: run.branch, originalPrompt: await originalPromptOf(db, run) };
}

async function startRoundOnRequest(
  deps: Deps,
  user: SessionUser,
  mr: RequestWithRun,
  step: {
    event: Extract<MergeRequestEvent, "request_changes" | "send_back">;
    reason: RoundReason;
    comments: Comment[];
    bringIntegration: boolean;
    prompt: string;
    /** The reviewer's general comment, kept on the request as an approval's is. */
    comment?: string;
    details: Record<string, unknown>;
  },
): Promise<{ runId: string; round: number }> {
  const { db, hub } = deps;
  const previous: RoundRun = mr.run;
  assertRunnerOnline(hub, previous);
  const round = previous.round + 1;
  const { prompt } = step;
  const resumeSessionId = resumeSessionOf(previous, "continue");
  const created: { value?: { runId: string; round: number } } = {};
  const applied = await applyMergeRequestEvent(db, {
    id: mr.id,
    from: mergeRequestStateOf(mr),
    event: step.event,
    guard: { headSha: mr.headSha },
    data: {
      decidedBy: user.id,
      decidedAt: new Date(),
      ...(step.comment !== undefined ? { comment: step.comment || null } : {}),
    },
    audit: () => ({
      actorType: "user",
      actorId: user.email,
      ...mergeRequestAudit(mr),
      details: { ...step.details, taskId: previous.taskId, round: previous.round, nextRound: round },
    }),
    andThen: async (tx) => {
      const next = await createRoundRunIn(tx, {
        previous,
        prompt,
        reason: step.reason,
        start: "continue",
        bringIntegration: step.bringIntegration,
        resumeSessionId,
        actor: user.email,
        comments: step.comments,
        mergeRequestId: mr.id,
      });
      created.value = { runId: next.runId, round: next.round };
      return next.audit;
    },
  });
  if (applied.kind === "refused") throw refusalError(applied, null);
  if (applied.kind === "lost" || !created.value)
    throw new DomainError("INVALID_INPUT", "Someone else decided this merge request a moment ago.");
  hub.broadcastChanged({ scope: "merges", id: mr.id });
  const { runId } = created.value;
  await dispatchRound(deps, {
    previous,
    runId,
    round,
    start: "continue",
    bringIntegration: step.bringIntegration,
    resumeSessionId,
  });
  return { runId, round };
}
