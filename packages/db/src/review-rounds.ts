import { DomainError } from "@grove/core";
import type { AuditInput, Tx } from "./audit.ts";
import { withAuditedTransaction } from "./audit.ts";
import type { Db } from "./client.ts";
import { FIRST_RUN_STATE } from "./runs.ts";

/**
 * Review rounds: a task's later round is a new run of the same agent on the same branch, numbered after the
 * task's latest round and linked to the run it follows. Creating it, the reviewers' comments that asked for it
 * and their audit events commit together.
 */

export type RoundReason = "changes-requested" | "sent-back" | "rerun";

/** The round a new one follows (it must be the task's latest). */
export type PreviousRound = {
  id: string;
  sessionId: string;
  agent: string;
  taskId: string;
  profile: string;
  branch: string;
  round: number;
  headSha: string | null;
};

export type NewRound = {
  previous: PreviousRound;
  prompt: string;
  reason: RoundReason;
  start: "continue" | "fresh";
  bringIntegration: boolean;
  /** The agent conversation the round resumes (the previous round's), audited with the round. */
  resumeSessionId?: string;
  /** The person who asked for it (their email). */
  actor: string;
  /** What the reviewer wrote on the previous round's head; they are stored with that run. */
  comments?: readonly { body: string; file?: string | null; line?: number | null }[];
  mergeRequestId?: string;
};

/** The most rounds one task may have (RoundSpecSchema's bound). */
export const MAX_ROUNDS = 100;

/** Creates the next round's run (queued) and the comments, inside the caller's transaction; returns its audit events. */
export async function createRoundRunIn(tx: Tx, input: NewRound): Promise<{ runId: string; round: number; audit: AuditInput[] }> {
  const { previous } = input;
  const later = await tx.run.findFirst({
    where: { sessionId: previous.sessionId, agent: previous.agent, taskId: previous.taskId, round: { gt: previous.round } },
    orderBy: { round: "desc" },
    select: { id: true, round: true },
  });
  if (later)
    throw new DomainError("ALREADY_EXISTS", `This task already has round ${later.round} (run ${later.id}); act on that round.`);
  const round = previous.round + 1;
  if (round > MAX_ROUNDS) throw new DomainError("INVALID_INPUT", `A task has at most ${MAX_ROUNDS} rounds.`);
  const data = {
    state: FIRST_RUN_STATE,
    sessionId: previous.sessionId,
    agent: previous.agent,
    taskId: previous.taskId,
    profile: previous.profile,
    branch: previous.branch,
    prompt: input.prompt,
    round,
    previousRunId: previous.id,
    roundReason: input.reason,
  };
  const run = await tx.run.create({ data, select: { id: true } });
  const where = { sessionId: previous.sessionId, branch: previous.branch };
  const audit: AuditInput[] = [];
  for (const comment of input.comments ?? []) {
    await tx.reviewComment.create({
      data: {
        runId: previous.id,
        forRunId: run.id,
        mergeRequestId: input.mergeRequestId ?? null,
        author: input.actor,
        body: comment.body,
        file: comment.file ?? null,
        line: comment.line ?? null,
        headSha: previous.headSha ?? "",
      },
    });
    audit.push({
      actorType: "user",
      actorId: input.actor,
      action: "review.commented",
      subject: input.mergeRequestId ?? previous.id,
      runId: previous.id,
      sha: previous.headSha,
      ...where,
      details: {
        taskId: previous.taskId,
        round: previous.round,
        file: comment.file ?? null,
        line: comment.line ?? null,
        body: comment.body,
        forRunId: run.id,
      },
    });
  }
  audit.push({
    actorType: "user",
    actorId: input.actor,
    action: "round.started",
    subject: run.id,
    runId: run.id,
    sha: previous.headSha,
    ...where,
    details: {
      taskId: previous.taskId,
      agent: previous.agent,
      round,
      previousRunId: previous.id,
      previousRound: previous.round,
      reason: input.reason,
      start: input.start,
      bringIntegration: input.bringIntegration,
      resumeSessionId: input.resumeSessionId ?? null,
      comments: input.comments?.length ?? 0,
      mergeRequestId: input.mergeRequestId ?? null,
    },
  });
  return { runId: run.id, round, audit };
}

/** A round no merge request asked for (a re-run of a failed or cancelled round). */
export async function createRoundRun(db: Db, input: NewRound): Promise<{ runId: string; round: number }> {
  const { value } = await withAuditedTransaction(db, async (tx) => {
    const created = await createRoundRunIn(tx, input);
    return { value: { runId: created.runId, round: created.round }, audit: created.audit };
  });
  return value;
}
