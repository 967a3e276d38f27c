import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { databaseProvider, type Db } from "@grove/db";
import { verifyLegacyPassword } from "./secrets.ts";

export const AUTH_BASE_PATH = "/api/auth";
/** Set by grove's HTTP server from the socket's address, replacing anything a client sent. */
export const CLIENT_IP_HEADER = "x-grove-client-ip";
const SIGN_IN_WINDOW_S = 5 * 60;

export type AuthOptions = {
  db: Db;
  secret: string;
  secureCookies: boolean;
  /** GROVE_PUBLIC_URL, else the origin grove listens on (listeningOrigin); null only before a port is chosen. */
  baseUrl: string | null;
  /** Sign-in attempts per client address per five minutes. */
  signInLimit: number;
};

/**
 * better-auth over grove's Prisma client: email + password only, no self sign-up (accounts come from
 * the first-run setup and invitations), sessions in the database, rate limits stored there too so
 * they survive restarts and hold across hub processes.
 */
export function createGroveAuth(opts: AuthOptions) {
  return betterAuth({
    appName: "grove",
    secret: opts.secret,
    basePath: AUTH_BASE_PATH,
    // Without one better-auth warns at every start. It only names grove's own origin: a browser still reaches grove
    // under other names (a LAN address, a tunnel), trusted by `sameHost`. Not a dynamic base URL with
    // `allowedHosts: ["*"]`: that would also trust every Origin header and open the door to CSRF.
    ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}),
    database: prismaAdapter(opts.db, { provider: databaseProvider(opts.db) }),
    session: { modelName: "authSession", expiresIn: 14 * 24 * 3600, updateAge: 24 * 3600 },
    user: {
      additionalFields: { role: { type: "string", required: false, defaultValue: "viewer", input: false } },
    },
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 10,
      maxPasswordLength: 256,
      password: {
        hash: hashPassword,
        // Accounts from before better-auth keep working: their scrypt hashes are checked as they were made.
        verify: ({ hash, password }) =>
          hash.startsWith("scrypt$") ? verifyLegacyPassword(password, hash) : verifyPassword({ hash, password }),
      },
    },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: SIGN_IN_WINDOW_S, max: opts.signInLimit } },
    },
    trustedOrigins: (request) => sameHost(request),
    telemetry: { enabled: false },
    advanced: {
      cookiePrefix: "grove",
      useSecureCookies: opts.secureCookies,
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // Explicit, so tests (where better-auth would relax them) check what production runs.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
  });
}

export type GroveAuth = ReturnType<typeof createGroveAuth>;

const ANY_OR_LOOPBACK = new Set(["0.0.0.0", "::", "127.0.0.1", "::1", "localhost"]);

/** The URL grove answers at on `host`:`port`, as `pnpm start` prints it; null for port 0 (chosen at listen). */
export function listeningOrigin(host: string | undefined, port: number): string | null {
  if (port === 0) return null;
  const name = !host || ANY_OR_LOOPBACK.has(host) ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * The host the request itself was addressed to (over http or, behind a TLS proxy, https): browsers
 * reach grove under many names (localhost, a LAN address for the phone, a tunnel), and a cross-site
 * page still fails the check because its Origin names another host.
 */
function sameHost(request: Request | undefined): string[] {
  const host = request?.headers.get("host");
  return host ? [`http://${host}`, `https://${host}`] : [];
}
