import { IdSchema, ShaSchema } from "@grove/core";
import { z } from "zod";
import { abandonMergeRequest } from "../../services/merge-abandon.ts";
import { approveMergeRequest, rejectMergeRequest } from "../../services/merges.ts";
import { withdrawApproval } from "../../services/merge-withdraw.ts";
import { roleProcedure } from "../trpc.ts";

const id = IdSchema;
const sha = ShaSchema;

/** The decisions on a merge request, shared by the `merge` and `approval` routers. */
export const approveProcedure = roleProcedure("approver")
  .input(z.object({ id, sha, comment: z.string().trim().max(5000).optional() }))
  .mutation(async ({ ctx, input }) => {
    await approveMergeRequest(ctx, ctx.user, { ...input, comment: input.comment || undefined });
    return { ok: true };
  });

export const rejectProcedure = roleProcedure("approver")
  .input(z.object({ id, comment: z.string().trim().min(1, "say why").max(5000) }))
  .mutation(async ({ ctx, input }) => {
    await rejectMergeRequest(ctx, ctx.user, input);
    return { ok: true };
  });

/** A failed merge's way out: keep its work under refs/grove/archive/, clean up its worktree and branch. */
export const abandonProcedure = roleProcedure("approver")
  .input(z.object({ id }))
  .mutation(({ ctx, input }) => abandonMergeRequest(ctx, ctx.user, input));

/** Undo an approval while its merge still waits in the runner's queue. */
export const undoApprovalProcedure = roleProcedure("approver")
  .input(z.object({ id }))
  .mutation(async ({ ctx, input }) => {
    await withdrawApproval(ctx, ctx.user, input);
    return { ok: true };
  });
