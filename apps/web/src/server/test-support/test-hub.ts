import { makeTempDb } from "@grove/db/test-support";
import { signInOverHttp } from "@grove/testing";
import { createContextInner } from "../api/context.ts";
import { createCaller } from "../api/root.ts";
import { createPasswordUser } from "../auth/accounts.ts";
import { ensureFirstAdmin } from "../auth/bootstrap.ts";
import type { Role, SessionUser } from "../auth/sessions.ts";
import { startGroveServer, type GroveServerOptions } from "../grove-server.ts";

export const ADMIN = { email: "admin@test.local", password: "admin-password-1" };
export type TestHub = Awaited<ReturnType<typeof startTestHub>>;

/** The real grove server (tRPC, better-auth, socket.io hub) on port 0 over a real SQLite file, with one admin. */
export async function startTestHub(opts: Partial<GroveServerOptions> & { withAdmin?: boolean } = {}) {
  const temp = await makeTempDb();
  const server = await startGroveServer({ db: temp.db, port: 0, host: "127.0.0.1", ...opts });
  if (opts.withAdmin !== false) await ensureFirstAdmin(temp.db, server.deps.auth, ADMIN);
  const row = await temp.db.user.findFirst({ where: { email: ADMIN.email } });
  const admin: SessionUser = { id: row?.id ?? "", email: ADMIN.email, name: "Admin", role: "admin" };
  const callerAs = (user: SessionUser | null, extra: { headers?: Headers; setCookie?: (c: string) => void } = {}) =>
    createCaller(createContextInner({ ...server.deps, user, ...extra }));

  return {
    db: temp.db,
    /** The database's URL, for a second client of it. */
    url: temp.url,
    server,
    admin,
    caller: callerAs(admin),
    callerAs,
    /** A user with the given role and password, for authorisation tests. */
    async addUser(
      role: Role,
      email = `${role}-${Math.random().toString(36).slice(2, 8)}@test.local`,
      password = "user-password-1",
    ): Promise<SessionUser> {
      return createPasswordUser(server.deps.auth, { email, name: role, role, password });
    },
    /** Signs in over HTTP as a browser would and returns the session cookie header. */
    signIn(email = ADMIN.email, password = ADMIN.password): Promise<string> {
      return signInOverHttp(server.url, { email, password });
    },
    async close() {
      await server.close();
      await temp.cleanup();
    },
  };
}
