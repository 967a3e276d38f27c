import { TRPCError } from "@trpc/server";
import { IdSchema } from "@grove/core";
import { APPROVABLE_MERGE_REQUEST_STATES } from "@grove/core";
import { z } from "zod";
import { approvalById, listApprovals } from "../../services/approvals.ts";
import { abandonProcedure, approveProcedure, rejectProcedure, undoApprovalProcedure } from "./merge-decisions.ts";
import { requestChangesProcedure, retryProcedure, sendBackProcedure } from "./review-decisions.ts";
import { protectedProcedure, router } from "../trpc.ts";

const id = IdSchema;

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
  count: protectedProcedure.query(({ ctx }) =>
    ctx.db.mergeRequest.count({ where: { state: { in: [...APPROVABLE_MERGE_REQUEST_STATES] } } }),
  ),

  approve: approveProcedure,
  reject: rejectProcedure,
  requestChanges: requestChangesProcedure,
  sendBack: sendBackProcedure,
  retry: retryProcedure,
  abandon: abandonProcedure,
  undoApproval: undoApprovalProcedure,
});
