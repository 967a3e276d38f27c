import os from "node:os";
import type { Db } from "@grove/db";
import { appendAuditEvent } from "@grove/db";
import { hashPassword, hashToken, newToken } from "./secrets.ts";

/** On a database with no users, creates the first admin; returns the password only when it was generated. */
export async function ensureFirstAdmin(
  db: Db,
  opts: { email: string | null; password: string | null },
): Promise<{ email: string; password: string | null } | null> {
  if ((await db.user.count()) > 0) return null;
  const email = (opts.email ?? "admin@grove.local").toLowerCase();
  const generated = opts.password ? null : newToken().slice(0, 20);
  const password = opts.password ?? generated ?? "";
  const user = await db.user.create({
    data: { email, name: "Admin", role: "admin", passwordHash: await hashPassword(password) },
  });
  await appendAuditEvent(db, { actorType: "system", actorId: "hub", action: "user.created", subject: user.email, details: { role: "admin", firstRun: true } });
  return { email, password: generated };
}

/** Registers the local runner's token (from GROVE_RUNNER_TOKEN) so `pnpm start` needs no manual step. */
export async function ensureLocalRunner(db: Db, token: string): Promise<string> {
  const tokenHash = hashToken(token);
  const existing = await db.runner.findUnique({ where: { tokenHash } });
  if (existing) return existing.id;
  const runner = await db.runner.create({ data: { name: `local (${os.hostname()})`, tokenHash } });
  await appendAuditEvent(db, { actorType: "system", actorId: "hub", action: "runner.registered", subject: runner.name, details: { runnerId: runner.id } });
  return runner.id;
}
