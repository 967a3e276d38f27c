import { listAuditEvents, verifyAuditChain } from "@grove/db";
import { z } from "zod";
import { protectedProcedure, router } from "../trpc.ts";

export const auditRouter = router({
  list: protectedProcedure
    .input(
      z
        .object({
          sessionId: z.string().max(200).optional(),
          runId: z.string().max(200).optional(),
          branch: z.string().max(300).optional(),
          actorId: z.string().max(200).optional(),
          action: z.string().max(100).optional(),
          limit: z.number().int().min(1).max(1000).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => listAuditEvents(ctx.db, input ?? {})),

  verify: protectedProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
});
