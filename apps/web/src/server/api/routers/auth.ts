import { TRPCError } from "@trpc/server";
import { appendAuditEvent } from "@grove/db";
import { z } from "zod";
import { verifyPassword } from "../../auth/secrets.ts";
import { clearedSessionCookie, createAuthSession, deleteAuthSession, sessionCookie } from "../../auth/sessions.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.ts";

export const authRouter = router({
  me: publicProcedure.query(({ ctx }) => ctx.user),

  login: publicProcedure
    .input(z.object({ email: z.string().trim().toLowerCase().max(200), password: z.string().max(500) }))
    .mutation(async ({ ctx, input }) => {
      const keys = [`email:${input.email}`, `ip:${ctx.clientAddress}`];
      if (!ctx.limiter.isAllowed(keys)) {
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many sign-in attempts; wait a few minutes." });
      }
      const user = await ctx.db.user.findUnique({ where: { email: input.email } });
      if (!user || !(await verifyPassword(input.password, user.passwordHash))) {
        ctx.limiter.recordFailure(keys);
        throw new TRPCError({ code: "UNAUTHORIZED", message: "Wrong email or password." });
      }
      ctx.limiter.reset(keys);
      const session = await createAuthSession(ctx.db, user.id);
      ctx.setCookie(sessionCookie(session.token, session.expiresAt, ctx.secureCookies));
      await appendAuditEvent(ctx.db, { actorType: "user", actorId: user.email, action: "user.signed-in", subject: user.email });
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    }),

  logout: protectedProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await deleteAuthSession(ctx.db, ctx.sessionToken);
    ctx.setCookie(clearedSessionCookie());
    return { ok: true };
  }),
});
