import { z } from "zod";
import { approveMergeRequest, rejectMergeRequest } from "../../services/merges.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const sha = z.string().regex(/^[0-9a-f]{40,64}$/, "must be a full commit SHA");

export const mergeRouter = router({
  list: protectedProcedure
    .input(z.object({ states: z.array(z.string()).optional() }).optional())
    .query(({ ctx, input }) =>
      ctx.db.mergeRequest.findMany({
        where: input?.states ? { state: { in: input.states } } : undefined,
        orderBy: { createdAt: "desc" },
        take: 100,
        include: { run: { select: { id: true, agent: true, taskId: true, sessionId: true, diffStat: true, testStatus: true, result: true } } },
      }),
    ),

  approve: roleProcedure("approver")
    .input(z.object({ id: z.string().min(1).max(200), sha, comment: z.string().max(5000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await approveMergeRequest(ctx, ctx.user, input);
      return { ok: true };
    }),

  reject: roleProcedure("approver")
    .input(z.object({ id: z.string().min(1).max(200), comment: z.string().trim().min(1, "say why").max(5000) }))
    .mutation(async ({ ctx, input }) => {
      await rejectMergeRequest(ctx, ctx.user, input);
      return { ok: true };
    }),
});
