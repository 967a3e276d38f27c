import type { SessionUser } from "../server/auth/sessions.ts";

// Next's server components are a bundle of their own in the web process: they find what the server (server.ts)
// lends them under this key. No server values here: the pages may import it.
const KEY = Symbol.for("grove.page-lookups");

export type PageSubject = "run" | "session";

export type PageLookups = {
  /** True when the signed-in caller asks for a run or session that does not exist; a signed-out one is told nothing. */
  isMissing(subject: PageSubject, id: string, headers: Headers): Promise<boolean>;
  /** Who the request's session cookie signs in (auth.me's answer), so the first HTML already has the shell. */
  signedInUser(headers: Headers): Promise<SessionUser | null>;
};

type Holder = { [KEY]?: PageLookups };

export function providePageLookups(lookups: PageLookups): void {
  (globalThis as Holder)[KEY] = lookups;
}

/** What the server lent; null where no grove server runs beside Next (`next dev` alone). */
export function pageLookups(): PageLookups | null {
  return (globalThis as Holder)[KEY] ?? null;
}
