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
  await assertPasswordTriesLeft(ctx, user);
  const result = await translateAuthErrors(() =>
    ctx.auth.api.changePassword({ body: { ...input, revokeOtherSessions: true }, headers: ctx.headers, returnHeaders: true }),
  ).catch(async (error: unknown) => {
    if (error instanceof DomainError && error.message === REFUSALS.INVALID_PASSWORD)
      await appendAuditEvent(ctx.db, {
        actorType: "user",
        actorId: user.email,
        action: PASSWORD_REFUSED,
        subject: user.email,
        details: {},
      });
    throw error;
  });
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

const PASSWORD_REFUSED = "user.password-change-refused";
/** Wrong current passwords a signed-in user may try per window (better-auth's sign-in limit skips server calls). */
export const PASSWORD_TRIES = 5;
const PASSWORD_WINDOW_MS = 15 * 60_000;

/**
 * A stolen session must not become an unlimited password oracle: after PASSWORD_TRIES wrong current passwords
 * in the window, changes are refused until it passes. Counted from the audit trail, so every dashboard
 * process sharing the database sees the same count and a restart forgets nothing.
 */
async function assertPasswordTriesLeft(ctx: AccountContext, user: SessionUser): Promise<void> {
  const since = BigInt(Date.now() - PASSWORD_WINDOW_MS);
  const refused = await ctx.db.auditEvent.count({ where: { action: PASSWORD_REFUSED, actorId: user.email, ts: { gte: since } } });
  if (refused >= PASSWORD_TRIES)
    throw new DomainError(
      "FORBIDDEN",
      `${PASSWORD_TRIES} wrong current passwords in the last 15 minutes; try again later. Nothing was changed.`,
    );
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
