import { appendAuditEvent } from "@grove/db";
import { DomainError } from "@grove/core";
import { isAPIError } from "better-auth/api";
import type { Context } from "../api/context.ts";
import type { SessionUser } from "./sessions.ts";

type AccountContext = Pick<Context, "db" | "auth" | "headers" | "setCookie">;

/**
 * The signed-in user's display name, changed through better-auth (the session the request carries, not
 * an id the client names), so nobody renames anyone else.
 */
export async function renameAccount(ctx: AccountContext, user: SessionUser, name: string): Promise<{ name: string }> {
  await translateAuthErrors(() => ctx.auth.api.updateUser({ body: { name }, headers: ctx.headers }));
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: user.email,
    action: "user.renamed",
    subject: user.email,
    details: { from: user.name, to: name },
  });
  return { name };
}

/**
 * A new password, only with the current one (better-auth checks it, with the hashing it signs in with).
 * Every other session of the account ends; this browser gets a fresh session cookie and stays signed in.
 */
export async function changeAccountPassword(
  ctx: AccountContext,
  user: SessionUser,
  input: { currentPassword: string; newPassword: string },
): Promise<{ ok: true }> {
  const result = await translateAuthErrors(() =>
    ctx.auth.api.changePassword({ body: { ...input, revokeOtherSessions: true }, headers: ctx.headers, returnHeaders: true }),
  );
  for (const cookie of result.headers.getSetCookie()) ctx.setCookie(cookie);
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: user.email,
    action: "user.password-changed",
    subject: user.email,
    details: { otherSessionsEnded: true },
  });
  return { ok: true };
}

const REFUSALS: Record<string, string> = {
  INVALID_PASSWORD: "The current password is wrong; nothing was changed.",
  PASSWORD_TOO_SHORT: "The new password is too short; nothing was changed.",
  PASSWORD_TOO_LONG: "The password is too long; nothing was changed.",
  CREDENTIAL_ACCOUNT_NOT_FOUND: "This account has no password to change.",
};

/** better-auth's refusals as grove's own errors: a clear message, and UNAUTHORIZED for a missing session. */
async function translateAuthErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isAPIError(error)) throw error;
    if (error.statusCode === 401) throw new DomainError("UNAUTHORIZED", "Sign in again first.", { cause: error });
    const code = typeof error.body?.code === "string" ? error.body.code : "";
    throw new DomainError("INVALID_INPUT", REFUSALS[code] ?? error.message, { cause: error });
  }
}
