import type { IncomingHttpHeaders } from "node:http";
import { fromNodeHeaders } from "better-auth/node";
import type { GroveAuth } from "./auth-instance.ts";

export const ROLES = ["viewer", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type SessionUser = { id: string; email: string; name: string; role: Role };

export function toRole(value: unknown): Role {
  return value === "admin" || value === "approver" ? value : "viewer";
}

/** The signed-in user behind a request's session cookie, or null; the role is read fresh from the database. */
export async function userFromHeaders(auth: GroveAuth, headers: Headers | IncomingHttpHeaders): Promise<SessionUser | null> {
  const session = await auth.api.getSession({ headers: headers instanceof Headers ? headers : fromNodeHeaders(headers) });
  if (!session) return null;
  const { id, email, name, role } = session.user;
  return { id, email, name, role: toRole(role) };
}
