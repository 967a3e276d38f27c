import type { Db } from "@grove/db";
import { hashToken, newToken } from "./secrets.ts";

export const SESSION_COOKIE = "grove_session";
const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export type Role = "viewer" | "approver" | "admin";
export type SessionUser = { id: string; email: string; name: string; role: Role };

export async function createAuthSession(db: Db, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.authSession.create({ data: { tokenHash: hashToken(token), userId, expiresAt } });
  return { token, expiresAt };
}

export async function userForSessionToken(db: Db, token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const session = await db.authSession.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() < Date.now()) return null;
  const { id, email, name, role } = session.user;
  return { id, email, name, role: toRole(role) };
}

export async function deleteAuthSession(db: Db, token: string): Promise<void> {
  await db.authSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}

export function toRole(value: string): Role {
  return value === "admin" || value === "approver" ? value : "viewer";
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${expiresAt.toUTCString()}`];
  if (secure) attrs.push("Secure");
  return attrs.join("; ");
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
