import { rm } from "node:fs/promises";
import { DomainError } from "@grove/core";
import { appendAuditEvent, type Db } from "@grove/db";
import { createPasswordUser, signInCookies } from "../auth/accounts.ts";
import { SETUP_TOKEN_SETTING } from "../auth/bootstrap.ts";
import { hashToken } from "../auth/secrets.ts";
import type { Context } from "../api/context.ts";

export type SetupInput = { token: string; email: string; name: string; password: string };

/** Creates the first admin with the one-time setup token, signs them in, and retires the token. */
export async function completeFirstRunSetup(ctx: Context, input: SetupInput): Promise<{ email: string }> {
  if ((await ctx.db.user.count()) > 0) throw new DomainError("FORBIDDEN", "grove is already set up; sign in instead.");
  // Deleting every instance's token, in one statement and only if this one is among them, is the claim: of two
  // people racing with the same or different tokens, only one creates the admin.
  if (!(await claimSetupTokens(ctx.db, hashToken(input.token.trim()))))
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

/** Deletes all setup tokens when `tokenHash` is one of them (true), else nothing (false). One statement on both engines. */
async function claimSetupTokens(db: Db, tokenHash: string): Promise<boolean> {
  const prefix = `${SETUP_TOKEN_SETTING}%`;
  const deleted = await db.$executeRaw`DELETE FROM "Setting" WHERE "key" LIKE ${prefix}
    AND EXISTS (SELECT 1 FROM "Setting" AS "mine" WHERE "mine"."key" LIKE ${prefix} AND "mine"."value" = ${tokenHash})`;
  return deleted > 0;
}
