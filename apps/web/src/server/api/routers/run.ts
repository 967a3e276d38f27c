import { TRPCError } from "@trpc/server";
import { appendAuditEvent } from "@grove/db";
import { z } from "zod";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

export const runRouter = router({
  byId: protectedProcedure.input(z.object({ id: z.string().min(1).max(200) })).query(async ({ ctx, input }) => {
    const run = await ctx.db.run.findUnique({
      where: { id: input.id },
      include: { session: true, mergeRequests: { orderBy: { createdAt: "desc" } } },
    });
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "That run does not exist." });
    return run;
  }),

  cancel: roleProcedure("approver")
    .input(z.object({ id: z.string().min(1).max(200) }))
    .mutation(async ({ ctx, input }) => {
      const run = await ctx.db.run.findUnique({ where: { id: input.id }, include: { session: true } });
      if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "That run does not exist." });
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
