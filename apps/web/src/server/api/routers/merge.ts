import { IdSchema } from "@grove/core";
import { z } from "zod";
import { abandonProcedure, approveProcedure, rejectProcedure, undoApprovalProcedure } from "./merge-decisions.ts";
import { requestChangesProcedure, retryProcedure, sendBackProcedure } from "./review-decisions.ts";
import { listBranchRadar } from "../../services/branch-radar.ts";
import { protectedProcedure, router } from "../trpc.ts";

const id = IdSchema;
const runSelect = {
  id: true,
  agent: true,
  taskId: true,
  sessionId: true,
  diffStat: true,
  testStatus: true,
  testExitCode: true,
  testMs: true,
  result: true,
} as const;

export const mergeRouter = router({
  /** Newest first, without the diffs (byId has them). */
  list: protectedProcedure
    .input(
      z.object({ states: z.array(z.string().max(50)).max(20).optional(), sessionId: z.string().max(200).optional() }).optional(),
    )
    .query(({ ctx, input }) =>
      ctx.db.mergeRequest.findMany({
        where: {
          state: input?.states ? { in: input.states } : undefined,
          run: input?.sessionId ? { sessionId: input.sessionId } : undefined,
        },
        orderBy: { createdAt: "desc" },
        take: 100,
        omit: { diff: true },
        include: { run: { select: runSelect } },
      }),
    ),

  byId: protectedProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) =>
      ctx.db.mergeRequest.findUnique({ where: { id: input.id }, include: { run: { select: runSelect }, provenance: true } }),
    ),

  /** The overlap radar: every agent branch the runners see, live while agents work. */
  radar: protectedProcedure
    .input(z.object({ repoPath: z.string().max(4096).optional(), branch: z.string().max(300).optional() }).optional())
    .query(({ ctx, input }) => listBranchRadar(ctx.db, input ?? {})),

  approve: approveProcedure,
  reject: rejectProcedure,
  requestChanges: requestChangesProcedure,
  sendBack: sendBackProcedure,
  retry: retryProcedure,
  abandon: abandonProcedure,
  undoApproval: undoApprovalProcedure,
});
