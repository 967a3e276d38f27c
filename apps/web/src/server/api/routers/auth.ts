import { publicProcedure, router } from "../trpc.ts";

/** Signing in and out is better-auth's (at /api/auth); the dashboard asks here who it is talking to. */
export const authRouter = router({
  me: publicProcedure.query(({ ctx }) => ctx.user),
});
