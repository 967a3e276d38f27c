import { IdSchema, refineFeedbackBytes, ReviewFeedbackSchema, ShaSchema } from "@grove/core";
import { z } from "zod";
import { retryMerge } from "../../services/merge-retry.ts";
import { requestChanges, sendBack } from "../../services/review-rounds.ts";
import { roleProcedure } from "../trpc.ts";

const mergeRequestId = IdSchema;

/** Review rounds' decisions on a merge request, shared by the `merge` and `approval` routers (approvers only). */
export const requestChangesProcedure = roleProcedure("approver")
  .input(ReviewFeedbackSchema.extend({ mergeRequestId, headSha: ShaSchema }).superRefine(refineFeedbackBytes))
  .mutation(({ ctx, input }) => requestChanges(ctx, ctx.user, input));

/** A failed merge (conflict, red merged tree) back to its agent as a new round that brings in the integration branch. */
export const sendBackProcedure = roleProcedure("approver")
  .input(z.object({ mergeRequestId }))
  .mutation(({ ctx, input }) => sendBack(ctx, ctx.user, input));

/** A failed merge queued again, pinned to the head that was approved. */
export const retryProcedure = roleProcedure("approver")
  .input(z.object({ mergeRequestId }))
  .mutation(async ({ ctx, input }) => {
    await retryMerge(ctx, ctx.user, input);
    return { ok: true };
  });
