import { z } from "zod";
import { changeAccountPassword, renameAccount } from "../../auth/account-changes.ts";
import { protectedProcedure, router } from "../trpc.ts";

const displayName = z
  .string()
  .trim()
  .min(1, "a name cannot be empty")
  .max(100, "use at most 100 characters")
  .regex(/^[^\p{Cc}]*$/u, "a name cannot hold control characters");

/** The signed-in user's own account: any role may change its name and password. */
export const accountRouter = router({
  rename: protectedProcedure
    .input(z.object({ name: displayName }))
    .mutation(({ ctx, input }) => renameAccount(ctx, ctx.user, input.name)),

  changePassword: protectedProcedure
    .input(
      z.object({
        currentPassword: z.string().min(1, "enter the current password").max(256),
        newPassword: z.string().min(10, "use at least 10 characters").max(256),
      }),
    )
    .mutation(({ ctx, input }) => changeAccountPassword(ctx, ctx.user, input)),
});
