import { z } from "zod";
import { approveMergeRequest, rejectMergeRequest } from "../../services/merges.ts";
import { listBranchRadar } from "../../services/branch-radar.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const sha = z.string().regex(/^[0-9a-f]{40,64}$/, "must be a full commit SHA");
const id = z.string().min(1).max(200);
const runSelect = { id: true, agent: true, taskId: true, sessionId: true, diffStat: true, testStatus: true, testExitCode: true, testMs: true, result: true } as const;

export const mergeRouter = router({
  /** Newest first, without the diffs (byId has them). */
  list: protectedProcedure
    .input(z.object({ states: z.array(z.string()).optional(), sessionId: z.string().max(200).optional() }).optional())
    .query(({ ctx, input }) =>
      ctx.db.mergeRequest.findMany({
        where: { state: input?.states ? { in: input.states } : undefined, run: input?.sessionId ? { sessionId: input.sessionId } : undefined },
        orderBy: { createdAt: "desc" },
        take: 100,
        omit: { diff: true },
        include: { run: { select: runSelect } },
      }),
    ),

  byId: protectedProcedure.input(z.object({ id })).query(({ ctx, input }) =>
    ctx.db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { select: runSelect }, provenance: true } }),
  ),

  /** The overlap radar: every agent branch the runners see, live while agents work. */
  radar: protectedProcedure
    .input(z.object({ repoPath: z.string().max(4096).optional(), branch: z.string().max(300).optional() }).optional())
    .query(({ ctx, input }) => listBranchRadar(ctx.db, input ?? {})),

  approve: roleProcedure("approver")
    .input(z.object({ id, sha, comment: z.string().trim().max(5000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await approveMergeRequest(ctx, ctx.user, { ...input, comment: input.comment || undefined });
      return { ok: true };
    }),

  reject: roleProcedure("approver")
    .input(z.object({ id, comment: z.string().trim().min(1, "say why").max(5000) }))
    .mutation(async ({ ctx, input }) => {
      await rejectMergeRequest(ctx, ctx.user, input);
      return { ok: true };
    }),
});
