import { DomainError } from "@grove/core";
import { appendAuditEvent } from "@grove/db";
import { createPasswordUser, endUserSessions, signInCookies } from "../auth/accounts.ts";
import { hashToken, newToken } from "../auth/secrets.ts";
import type { Role, SessionUser } from "../auth/sessions.ts";
import type { Context } from "../api/context.ts";

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** An invitation link for one email address and role; the token is shown once and stored hashed. */
export async function inviteUser(ctx: Context, admin: SessionUser, input: { email: string; role: Role }) {
  const email = input.email.trim().toLowerCase();
  if (await ctx.db.user.findUnique({ where: { email } }))
    throw new DomainError("ALREADY_EXISTS", `${email} already has an account.`);
  // A new invitation replaces any still-open one for the same address.
  await ctx.db.invitation.updateMany({ where: { email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  const token = newToken();
  const invitation = await ctx.db.invitation.create({
    data: {
      email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedById: admin.id,
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
    },
  });
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: admin.email,
    action: "user.invited",
    subject: email,
    details: { role: input.role, invitationId: invitation.id },
  });
  return { id: invitation.id, email, role: input.role, expiresAt: invitation.expiresAt, path: `/invite#token=${token}` };
}

/** The invitation behind a token, if it can still be accepted. */
export async function findOpenInvitation(ctx: Context, token: string) {
  const invitation = await ctx.db.invitation.findUnique({ where: { tokenHash: hashToken(token.trim()) } });
  if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt.getTime() < Date.now()) {
    throw new DomainError("NOT_FOUND", "This invitation link is not valid any more; ask an admin for a new one.");
  }
  return invitation;
}

export async function acceptInvitation(ctx: Context, input: { token: string; name: string; password: string }) {
  const invitation = await findOpenInvitation(ctx, input.token);
  const claimed = await ctx.db.invitation.updateMany({
    where: { id: invitation.id, acceptedAt: null },
    data: { acceptedAt: new Date() },
  });
  if (claimed.count !== 1) throw new DomainError("NOT_FOUND", "This invitation was just used.");
  const role: Role = invitation.role === "admin" || invitation.role === "approver" ? invitation.role : "viewer";
  const user = await createPasswordUser(ctx.auth, {
    email: invitation.email,
    name: input.name,
    role,
    password: input.password,
  }).catch(async (error: unknown) => {
    await ctx.db.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: null } });
    throw error;
  });
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: user.email,
    action: "user.created",
    subject: user.email,
    details: { role, invitationId: invitation.id },
  });
  for (const cookie of await signInCookies(ctx.auth, { email: user.email, password: input.password }, ctx.headers))
    ctx.setCookie(cookie);
  return { email: user.email, role };
}

async function assertAnotherAdminRemains(ctx: Context, userId: string): Promise<void> {
  const admins = await ctx.db.user.count({ where: { role: "admin", id: { not: userId } } });
  if (admins === 0) throw new DomainError("FORBIDDEN", "grove needs at least one admin; make someone else admin first.");
}

export async function changeRole(ctx: Context, admin: SessionUser, input: { userId: string; role: Role }) {
  const user = await ctx.db.user.findUnique({ where: { id: input.userId } });
  if (!user) throw new DomainError("NOT_FOUND", "That user does not exist.");
  if (user.role === input.role) return;
  if (user.role === "admin") await assertAnotherAdminRemains(ctx, user.id);
  await ctx.db.user.update({ where: { id: user.id }, data: { role: input.role } });
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: admin.email,
    action: "user.role-changed",
    subject: user.email,
    details: { from: user.role, to: input.role },
  });
  // Open pages reconnect and pick up the new role at once.
  ctx.hub.disconnectUser(user.id);
}

export async function removeUser(ctx: Context, admin: SessionUser, userId: string) {
  if (userId === admin.id) throw new DomainError("FORBIDDEN", "You cannot remove your own account.");
  const user = await ctx.db.user.findUnique({ where: { id: userId } });
  if (!user) throw new DomainError("NOT_FOUND", "That user does not exist.");
  if (user.role === "admin") await assertAnotherAdminRemains(ctx, user.id);
  await endUserSessions(ctx.auth, user.id);
  await ctx.db.user.delete({ where: { id: user.id } });
  await appendAuditEvent(ctx.db, {
    actorType: "user",
    actorId: admin.email,
    action: "user.removed",
    subject: user.email,
    details: { role: user.role },
  });
  ctx.hub.disconnectUser(user.id);
}
