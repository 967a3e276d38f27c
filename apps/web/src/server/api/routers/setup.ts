import { z } from "zod";
import { completeFirstRunSetup } from "../../services/first-run.ts";
import { publicProcedure, router } from "../trpc.ts";

/** The only procedures a visitor without a session may call: both are gated by the one-time setup token. */
export const setupRouter = router({
  status: publicProcedure.query(async ({ ctx }) => ({ needsSetup: (await ctx.db.user.count()) === 0 })),

  createAdmin: publicProcedure
    .input(
      z.object({
        token: z.string().min(20).max(200),
        email: z.email().max(200),
        name: z.string().trim().min(1).max(100),
        password: z.string().min(10, "use at least 10 characters").max(256),
      }),
    )
    .mutation(({ ctx, input }) => completeFirstRunSetup(ctx, input)),
});
