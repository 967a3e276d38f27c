import { z } from "zod";
import { startSession } from "../../services/sessions.ts";
import { protectedProcedure, roleProcedure, router } from "../trpc.ts";

const TaskInput = z.object({
  agent: z.string().trim().min(1).max(64),
  taskId: z.string().trim().max(64).optional(),
  profile: z.string().trim().max(64).optional(),
  prompt: z.string().max(100_000),
});

export const sessionRouter = router({
  list: protectedProcedure.query(({ ctx }) =>
    ctx.db.agentSession.findMany({
      orderBy: { createdAt: "desc" },
      take: 50,
      include: { runs: { select: { id: true, agent: true, taskId: true, state: true, branch: true }, orderBy: { createdAt: "asc" } } },
    }),
  ),

  byId: protectedProcedure.input(z.object({ id: z.string().min(1).max(200) })).query(({ ctx, input }) =>
    ctx.db.agentSession.findUnique({
      where: { id: input.id },
      include: { runs: { orderBy: { createdAt: "asc" }, include: { mergeRequests: { orderBy: { createdAt: "desc" } } } } },
    }),
  ),

  start: roleProcedure("approver")
    .input(z.object({ runnerId: z.string().optional(), repoPath: z.string().optional(), tasks: z.array(TaskInput).min(1).max(20) }))
    .mutation(async ({ ctx, input }) => {
      const session = await startSession(ctx, ctx.user, input);
      return { id: session.id, runIds: session.runs.map((r) => r.id) };
    }),
});
