import { TRPCError } from "@trpc/server";
import { appendAuditEvent, listLogPage, searchLogLines, type Db } from "@grove/db";
import { z } from "zod";
import { IdSchema, LogStreamSchema, taskOutcome } from "@grove/core";
import { parseResult } from "../../services/result-summary.ts";
import { rerunRun } from "../../services/run-rerun.ts";
import { listTaskRounds } from "../../services/task-rounds.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const id = IdSchema;
/**
 * Line text per log page: a line is up to 16 KiB of agent output, so 2,000 of them would be 32 MB (96 MB
 * as UTF-8) in one answer. 1 MiB keeps a page, and three in parallel, small for the web process's heap.
 */
export const LOG_PAGE_BYTES = 1024 * 1024;

/** What the run page reads of its merge requests: the newest's state, where it merged, and what taskOutcome weighs. */
const LATEST_REQUEST = {
  id: true,
  state: true,
  headSha: true,
  mergeSha: true,
  integration: true,
  decidedBy: true,
  updatedAt: true,
  error: true,
  candidateSha: true,
  snapshotRef: true,
} as const;

async function findRun(ctx: { db: Db }, runId: string) {
  const run = await ctx.db.run.findUnique({ where: { id: runId }, include: { session: true } });
  if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "That run does not exist." });
  return run;
}

const logRouter = router({
  /**
   * A page of a run's log by sequence number: the log view fetches only the rows on screen. A page may
   * stop before `limit` at LOG_PAGE_BYTES; `nextAfterSeq` says where the next one starts.
   */
  list: protectedProcedure
    .input(
      z.object({
        runId: id,
        afterSeq: z.number().int().min(0),
        limit: z.number().int().min(1).max(2000).default(500),
        stream: LogStreamSchema.optional(),
      }),
    )
    .query(({ ctx, input }) =>
      listLogPage(ctx.db, input.runId, input.afterSeq, { limit: input.limit, maxBytes: LOG_PAGE_BYTES, stream: input.stream }),
    ),

  /** Sequence numbers of the lines containing `query` (case-insensitive), from `afterSeq` on. */
  search: protectedProcedure
    .input(
      z.object({
        runId: id,
        query: z.string().min(1).max(200),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(500),
      }),
    )
    .query(async ({ ctx, input }) => {
      const seqs = await searchLogLines(ctx.db, input.runId, input.query, input.afterSeq, input.limit + 1);
      return { seqs: seqs.slice(0, input.limit), hasMore: seqs.length > input.limit };
    }),
});

export const runRouter = router({
  byId: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const run = await ctx.db.run.findUnique({
      where: { id: input.id },
      include: {
        session: { include: { runner: { select: { id: true, name: true } } } },
        mergeRequests: { orderBy: { createdAt: "desc" }, select: LATEST_REQUEST },
      },
    });
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "That run does not exist." });
    const { result, ...rest } = run;
    const latest = run.mergeRequests[0] ?? null;
    // Where the work landed, as the merge recorded it: its merge commit on the integration branch.
    const landed =
      latest?.state === "merged" && latest.mergeSha
        ? { integration: latest.integration, mergeSha: latest.mergeSha, approvedBy: latest.decidedBy, at: latest.updatedAt }
        : null;
    const outcome = taskOutcome({ run, mergeRequest: latest });
    return { ...rest, result: parseResult(result), hasResultText: result !== null, outcome, landed };
  }),

  log: logRouter,

  /** The run's changes (base..head), asked of the runner that owns the repository. */
  diff: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const run = await findRun(ctx, input.id);
    if (!run.baseSha || !run.headSha) return { stat: "", patch: "", isTruncated: false, isEmpty: true };
    const diff = await ctx.hub.ask(run.session.runnerId, "repo:diff", {
      repoPath: run.session.repoPath,
      base: run.baseSha,
      head: run.headSha,
    });
    return { ...diff, isEmpty: diff.patch.length === 0 };
  }),

  /** The task's rounds (review rounds), first to last. */
  rounds: protectedProcedure.input(z.object({ id })).query(({ ctx, input }) => listTaskRounds(ctx.db, input.id)),

  /** What a round changed since the previous round's head (previous head..this head). */
  roundDiff: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const run = await findRun(ctx, input.id);
    const previous = run.previousRunId
      ? await ctx.db.run.findUnique({ where: { id: run.previousRunId }, select: { headSha: true } })
      : null;
    const base = previous?.headSha ?? run.baseSha;
    if (!base || !run.headSha) return { stat: "", patch: "", isTruncated: false, isEmpty: true, base: null };
    const diff = await ctx.hub.ask(run.session.runnerId, "repo:diff", {
      repoPath: run.session.repoPath,
      base,
      head: run.headSha,
    });
    return { ...diff, isEmpty: diff.patch.length === 0, base };
  }),

  /** The task again after a round that ended with nothing to review (failed, no changes, needs input, interrupted, cancelled): same branch, or fresh from the integration head. */
  rerun: roleProcedure("approver")
    .input(z.object({ id, start: z.enum(["continue", "fresh"]) }))
    .mutation(({ ctx, input }) => rerunRun(ctx, ctx.user, { runId: input.id, start: input.start })),

  cancel: roleProcedure("approver")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      const run = await findRun(ctx, input.id);
      const ack = await ctx.hub.cancelRun(run.session.runnerId, run.id);
      if (!ack.ok) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Could not cancel: ${ack.error}` });
      await appendAuditEvent(ctx.db, {
        actorType: "user",
        actorId: ctx.user.email,
        action: "run.cancel-requested",
        subject: run.id,
        sessionId: run.sessionId,
        runId: run.id,
        branch: run.branch,
      });
      return { ok: true };
    }),
});
