import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { approvalById, listApprovals } from "../../services/approvals.ts";
import { approveMergeRequest, rejectMergeRequest } from "../../services/merges.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const id = z.string().min(1).max(200);
const sha = z.string().regex(/^[0-9a-f]{40,64}$/, "must be a full commit SHA");

/** The approvals inbox: merge requests with everything an approver weighs, and the two decisions. */
export const approvalRouter = router({
  list: protectedProcedure
    .input(z.object({ filter: z.enum(["waiting", "queue", "decided", "all"]).default("waiting") }).optional())
    .query(({ ctx, input }) => listApprovals(ctx.db, input?.filter ?? "waiting")),

  byId: protectedProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const approval = await approvalById(ctx.db, input.id);
    if (!approval) throw new TRPCError({ code: "NOT_FOUND", message: "That merge request does not exist." });
    return approval;
  }),

  /** For the in-app badge. */
  count: protectedProcedure.query(({ ctx }) => ctx.db.mergeRequest.count({ where: { state: "open" } })),

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
