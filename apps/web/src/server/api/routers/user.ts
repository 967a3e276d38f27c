import { IdSchema } from "@grove/core";
import { z } from "zod";
import { ROLES } from "../../auth/sessions.ts";
import { acceptInvitation, changeRole, findOpenInvitation, inviteUser, removeUser } from "../../services/users.ts";
import { publicProcedure, roleProcedure, router } from "../trpc.ts";

const id = IdSchema;
const token = z.string().min(20).max(200);

export const userRouter = router({
  list: roleProcedure("admin").query(async ({ ctx }) => {
    const [users, invitations] = await Promise.all([
      ctx.db.user.findMany({
        orderBy: { createdAt: "asc" },
        select: { id: true, email: true, name: true, role: true, createdAt: true },
      }),
      ctx.db.invitation.findMany({
        where: { acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
        orderBy: { createdAt: "desc" },
        select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
      }),
    ]);
    return { users, invitations };
  }),

  invite: roleProcedure("admin")
    .input(z.object({ email: z.email().max(200), role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => inviteUser(ctx, ctx.user, input)),

  revokeInvite: roleProcedure("admin")
    .input(z.object({ id }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.invitation.updateMany({ where: { id: input.id, acceptedAt: null }, data: { revokedAt: new Date() } });
      return { ok: true };
    }),

  setRole: roleProcedure("admin")
    .input(z.object({ userId: id, role: z.enum(ROLES) }))
    .mutation(async ({ ctx, input }) => {
      await changeRole(ctx, ctx.user, input);
      return { ok: true };
    }),

  remove: roleProcedure("admin")
    .input(z.object({ userId: id }))
    .mutation(async ({ ctx, input }) => {
      await removeUser(ctx, ctx.user, input.userId);
      return { ok: true };
    }),

  /** For the invitation page, before an account exists: the token is the credential. */
  invitation: publicProcedure.input(z.object({ token })).query(async ({ ctx, input }) => {
    const invitation = await findOpenInvitation(ctx, input.token);
    return { email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt };
  }),

  acceptInvite: publicProcedure
    .input(
      z.object({
        token,
        name: z.string().trim().min(1).max(100),
        password: z.string().min(10, "use at least 10 characters").max(256),
      }),
    )
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input)),
});
