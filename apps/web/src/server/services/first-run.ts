import { rm } from "node:fs/promises";
import { DomainError } from "@grove/core";
import { appendAuditEvent } from "@grove/db";
import { createPasswordUser, signInCookies } from "../auth/accounts.ts";
import { SETUP_TOKEN_SETTING } from "../auth/bootstrap.ts";
import { hashToken } from "../auth/secrets.ts";
import type { Context } from "../api/context.ts";

export type SetupInput = { token: string; email: string; name: string; password: string };

/** Creates the first admin with the one-time setup token, signs them in, and retires the token. */
export async function completeFirstRunSetup(ctx: Context, input: SetupInput): Promise<{ email: string }> {
  if ((await ctx.db.user.count()) > 0) throw new DomainError("FORBIDDEN", "grove is already set up; sign in instead.");
  // Deleting the row is the claim: of two people racing with the token, only one creates the admin.
  const claimed = await ctx.db.setting.deleteMany({ where: { key: SETUP_TOKEN_SETTING, value: hashToken(input.token.trim()) } });
  if (claimed.count !== 1)
    throw new DomainError("FORBIDDEN", "That setup token is wrong or was already used; restart grove for a new one.");
  const user = await createPasswordUser(ctx.auth, {
    email: input.email,
    name: input.name,
    role: "admin",
    password: input.password,
  });
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: user.email,
    action: "user.created",
    subject: user.email,
    details: { role: "admin", firstRun: true },
  });
  if (ctx.setupTokenFile) await rm(ctx.setupTokenFile, { force: true });
  for (const cookie of await signInCookies(ctx.auth, { email: user.email, password: input.password }, ctx.headers))
    ctx.setCookie(cookie);
  return { email: user.email };
}
