import type { Db } from "@grove/db";
import type { GroveAuth } from "../auth/auth-instance.ts";
import { userFromHeaders } from "../auth/sessions.ts";
import type { PageLookups } from "../../lib/page-lookups.ts";

// No run or session id is longer (tRPC's byId takes at most this).
const MAX_ID = 200;

/** Whether a page's run or session exists, asked of the database for a signed-in caller only; who that caller is. */
export function createPageLookups(deps: { db: Db; auth: GroveAuth }): PageLookups {
  return {
    signedInUser: (headers) => userFromHeaders(deps.auth, headers),
    async isMissing(subject, id, headers) {
      // Signed out, the page says nothing of what exists: the shell sends the browser to sign in.
      if (!(await userFromHeaders(deps.auth, headers))) return false;
      if (id.length > MAX_ID) return true;
      const where = { where: { id }, select: { id: true } } as const;
      const row = subject === "run" ? await deps.db.run.findUnique(where) : await deps.db.agentSession.findUnique(where);
      return row === null;
    },
  };
}
