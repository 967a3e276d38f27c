import { TRPCError } from "@trpc/server";
import {
  describeNamePartRefusal,
  LIVE_RUN_STATES,
  namePartInput,
  PromptSchema,
  SessionBudgetSchema,
  taskOutcome,
} from "@grove/core";
import { readUsageOverview } from "@grove/db";
import { z } from "zod";
import { startSession } from "../../services/sessions.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

// A name too long is refused here; startSession checks the rest of git's rules. An empty task id means "generate one".
const TaskInput = z.object({
  agent: namePartInput("agent").min(1, { error: (issue) => describeNamePartRefusal("agent", issue.input) ?? undefined }),
  taskId: namePartInput("task id").optional(),
  profile: namePartInput("agent").optional(),
  prompt: PromptSchema,
});

const runSummary = {
  id: true,
  agent: true,
  taskId: true,
  profile: true,
  state: true,
  branch: true,
  exitCode: true,
  testStatus: true,
  testMs: true,
  startedAt: true,
  endedAt: true,
  createdAt: true,
  lastSeq: true,
  tokensIn: true,
  tokensOut: true,
  costUsd: true,
  round: true,
  waiting: true,
} as const;

/** A run's newest merge request, what its task's outcome is read from. */
const latestRequest = {
  orderBy: { createdAt: "desc" },
  take: 1,
  select: { id: true, state: true, error: true, candidateSha: true, mergeSha: true, snapshotRef: true },
} as const;

function withOutcome<R extends { state: string; testStatus: string | null; mergeRequests: { state: string }[] }>(run: R) {
  return { ...run, outcome: taskOutcome({ run, mergeRequest: run.mergeRequests[0] ?? null }) };
}

export const sessionRouter = router({
  list: protectedProcedure
    .input(z.object({ live: z.boolean().optional(), limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(async ({ ctx, input }) => {
      const sessions = await ctx.db.agentSession.findMany({
        where: input?.live ? { runs: { some: { state: { in: [...LIVE_RUN_STATES] } } } } : undefined,
        orderBy: { createdAt: "desc" },
        take: input?.limit ?? 50,
        include: {
          runs: { select: { ...runSummary, mergeRequests: latestRequest }, orderBy: { createdAt: "asc" } },
          runner: { select: { id: true, name: true } },
        },
      });
      return sessions.map((s) => ({ ...s, runs: s.runs.map(withOutcome) }));
    }),

  byId: protectedProcedure.input(z.object({ id: z.string().min(1).max(200) })).query(async ({ ctx, input }) => {
    const session = await ctx.db.agentSession.findUnique({
      where: { id: input.id },
      include: {
        runner: { select: { id: true, name: true } },
        runs: {
          orderBy: { createdAt: "asc" },
          select: {
            ...runSummary,
            prompt: true,
            headSha: true,
            error: true,
            mergeRequests: latestRequest,
          },
        },
      },
    });
    if (!session) throw new TRPCError({ code: "NOT_FOUND", message: `No session ${input.id}.` });
    const creator = await ctx.db.user.findUnique({ where: { id: session.createdBy }, select: { email: true } });
    return { ...session, runs: session.runs.map(withOutcome), createdByEmail: creator?.email ?? session.createdBy };
  }),

  start: roleProcedure("approver")
    .input(
      z.object({
        runnerId: z.string().max(200).optional(),
        repoPath: z.string().max(4096).optional(),
        tasks: z.array(TaskInput).min(1, "add at least one task").max(20, "a session holds at most 20 tasks"),
        budget: SessionBudgetSchema.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const session = await startSession(ctx, ctx.user, input);
      return { id: session.id, runIds: session.runs.map((r) => r.id) };
    }),

  /** Tokens and cost of the runs of the last `days` days (UTC), per day, per agent and per session. */
  usage: protectedProcedure
    .input(z.object({ days: z.number().int().min(1).max(90).default(7) }).optional())
    .query(({ ctx, input }) => readUsageOverview(ctx.db, { days: input?.days ?? 7 })),
});
