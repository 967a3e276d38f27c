import os from "node:os";
import { appendAuditEvent, deleteSetting, eraseSetting, readSetting, writeSetting, type Db } from "@grove/db";
import { createPasswordUser } from "./accounts.ts";
import type { GroveAuth } from "./auth-instance.ts";
import { createSecretFile, readSecretFile } from "./secret-file.ts";
import { hashToken, newToken } from "./secrets.ts";

export const SETUP_TOKEN_SETTING = "setup.tokenHash";
/** Where an older grove kept the cookie-signing secret; moved to a file at start. */
export const LEGACY_AUTH_SECRET_SETTING = "auth.secret";
const newSecret = () => `${newToken()}${newToken()}`;

/**
 * The secret better-auth signs session cookies with, kept out of the database: a copy of the database
 * holds every live session token, and without the secret none of them makes a cookie the hub accepts.
 * From the environment, else from `file` (owner-only, in the data dir), created on first start; a secret
 * an older grove kept in the database is moved there, so that existing sign-ins keep working. Without
 * either (tests), a fresh secret for this process.
 */
export async function resolveAuthSecret(db: Db, source: { fromEnv: string | null; file: string | null }): Promise<string> {
  if (source.fromEnv) {
    await eraseSetting(db, LEGACY_AUTH_SECRET_SETTING);
    return source.fromEnv;
  }
  if (!source.file) return newSecret();
  const secret =
    (await readSecretFile(source.file)) ??
    (await createSecretFile(source.file, (await readSetting(db, LEGACY_AUTH_SECRET_SETTING)) ?? newSecret()));
  await eraseSetting(db, LEGACY_AUTH_SECRET_SETTING);
  return secret;
}

/** With GROVE_ADMIN_EMAIL and GROVE_ADMIN_PASSWORD set, an empty database gets that admin (headless installs, CI). */
export async function ensureFirstAdmin(
  db: Db,
  auth: GroveAuth,
  opts: { email: string | null; password: string | null },
): Promise<string | null> {
  if (!opts.email || !opts.password || (await db.user.count()) > 0) return null;
  const user = await createPasswordUser(auth, { email: opts.email, name: "Admin", role: "admin", password: opts.password });
  await appendAuditEvent(db, {
    actorType: "system",
    actorId: "hub",
    action: "user.created",
    subject: user.email,
    details: { role: "admin", firstRun: true, from: "environment" },
  });
  return user.email;
}

/**
 * While no account exists, a fresh one-time setup token (only its hash is stored) lets whoever holds it create the
 * first admin; null once someone has. One per dashboard process: several instances of a team's deployment share the
 * database, and each prints a link that works until any of them is used. `previous`, the token this instance issued
 * before a restart (its data dir's file), is retired: a restart makes a new one, as it always did.
 */
export async function issueSetupToken(db: Db, previous: string | null = null): Promise<string | null> {
  if ((await db.user.count()) > 0) {
    await db.setting.deleteMany({ where: { key: { startsWith: SETUP_TOKEN_SETTING } } });
    return null;
  }
  if (previous) await deleteSetting(db, setupTokenKey(hashToken(previous.trim())));
  const token = newToken();
  const tokenHash = hashToken(token);
  await writeSetting(db, setupTokenKey(tokenHash), tokenHash);
  return token;
}

/** The setting that holds one setup token's hash (`setup.tokenHash.<hash>`; an older grove kept one, under the bare prefix). */
export const setupTokenKey = (tokenHash: string) => `${SETUP_TOKEN_SETTING}.${tokenHash}`;

/** Registers the local runner's token (from GROVE_RUNNER_TOKEN) so `pnpm start` needs no manual step. */
export async function ensureLocalRunner(db: Db, token: string): Promise<string> {
  const tokenHash = hashToken(token);
  const existing = await db.runner.findUnique({ where: { tokenHash } });
  if (existing) return existing.id;
  const runner = await db.runner.create({ data: { name: `local (${os.hostname()})`, tokenHash } });
  await appendAuditEvent(db, {
    actorType: "system",
    actorId: "hub",
    action: "runner.registered",
    subject: runner.name,
    details: { runnerId: runner.id },
  });
  return runner.id;
}
