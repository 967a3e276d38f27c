import { DomainError } from "@grove/core";
import type { GroveAuth } from "./auth-instance.ts";
import { toRole, type Role, type SessionUser } from "./sessions.ts";

/** Creates a user with an email + password credential through better-auth's own adapter and hashing. */
export async function createPasswordUser(
  auth: GroveAuth,
  input: { email: string; name: string; role: Role; password: string },
): Promise<SessionUser> {
  const ctx = await auth.$context;
  const email = input.email.trim().toLowerCase();
  const { minPasswordLength, maxPasswordLength } = ctx.password.config;
  if (input.password.length < minPasswordLength || input.password.length > maxPasswordLength) {
    throw new DomainError("INVALID_INPUT", `The password needs ${minPasswordLength} to ${maxPasswordLength} characters.`);
  }
  if (await ctx.internalAdapter.findUserByEmail(email))
    throw new DomainError("ALREADY_EXISTS", `${email} already has an account.`);
  const user = await ctx.internalAdapter.createUser(
    { email, name: input.name.trim() || email, role: input.role, emailVerified: true },
    { method: "admin" },
  );
  await ctx.internalAdapter.linkAccount({
    userId: user.id,
    providerId: "credential",
    accountId: user.id,
    password: await ctx.password.hash(input.password),
  });
  return { id: user.id, email: user.email, name: user.name, role: toRole(input.role) };
}

/** Signs the user in as the sign-in form would and returns the Set-Cookie headers to pass on. */
export async function signInCookies(
  auth: GroveAuth,
  input: { email: string; password: string },
  headers: Headers,
): Promise<string[]> {
  const result = await auth.api.signInEmail({
    body: { email: input.email, password: input.password },
    headers,
    returnHeaders: true,
  });
  return result.headers.getSetCookie();
}

/** Ends every session of a user (removed, or demoted by an admin who wants it to take effect now). */
export async function endUserSessions(auth: GroveAuth, userId: string): Promise<void> {
  const ctx = await auth.$context;
  await ctx.internalAdapter.deleteUserSessions(userId);
}
