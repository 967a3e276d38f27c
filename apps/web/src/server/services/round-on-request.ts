import { DomainError, type MergeRequestEvent } from "@grove/core";
import { applyMergeRequestEvent, createRoundRunIn, mergeRequestStateOf, type Db, type RoundReason } from "@grove/db";
import type { SessionUser } from "../auth/sessions.ts";
import type { Hub } from "../hub/create-hub.ts";
import { mergeRequestAudit, refusalError } from "./merge-audit.ts";
import {
  assertRunnerOnline,
  dispatchRound,
  originalPromptOf,
  resumeSessionOf,
  roundRunInclude,
  type RoundRun,
} from "./round-dispatch.ts";

type Deps = { db: Db; hub: Hub };
export type RoundComment = { body: string; file?: string; line?: number };

export async function requestWithRun(db: Db, id: string) {
  const mr = await db.mergeRequest.findUnique({ where: { id }, include: { run: { include: roundRunInclude } } });
  if (!mr) throw new DomainError("NOT_FOUND", "That merge request does not exist.");
  return mr;
}
export type RequestWithRun = Awaited<ReturnType<typeof requestWithRun>>;

/** What every round's prompt says of the task: its number, the task, its branch and the first round's prompt. */
export async function promptBase(db: Db, run: RoundRun) {
  return { round: run.round + 1, taskId: run.taskId, branch: run.branch, originalPrompt: await originalPromptOf(db, run) };
}

/**
 * The step on the request (pinned to its head) and the task's next round, in one transaction with their audit
 * events; then the round goes to the runner.
 */
export async function startRoundOnRequest(
  deps: Deps,
  user: SessionUser,
  mr: RequestWithRun,
  step: {
    event: Extract<MergeRequestEvent, "request_changes" | "send_back">;
    reason: RoundReason;
    comments: RoundComment[];
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
