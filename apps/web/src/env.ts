import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies } from "./server/client-address.ts";

/** The only reader of process.env in the web app. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  GROVE_DATA_DIR: z.string().default(".grove-data"),
  // SQLite in a file, or PostgreSQL: grove has no other engine, and any other URL would fail later, less clearly.
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/i, "must be a file: URL (SQLite) or a postgresql:// URL (PostgreSQL)")
    .optional(),
  NODE_ENV: z.string().optional(),
  GROVE_DEV: z.enum(["0", "1"]).optional(),
  GROVE_RUNNER_TOKEN: z.string().min(20).optional(),
  GROVE_ADMIN_EMAIL: z.email().optional(),
  GROVE_ADMIN_PASSWORD: z.string().min(8).optional(),
  GROVE_SECURE_COOKIES: z.enum(["0", "1"]).optional(),
  GROVE_PUBLIC_URL: z.url().optional(),
  GROVE_AUTH_SECRET: z.string().min(32).optional(),
  GROVE_SIGNIN_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
  GROVE_WEBHOOK_URL: z.url().optional(),
  GROVE_TRUSTED_PROXIES: z
    .string()
    .max(4096)
    .transform((text) =>
      text
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ""),
    )
    .check((ctx) => {
      try {
        parseTrustedProxies(ctx.value);
      } catch (error) {
        ctx.issues.push({ code: "custom", message: (error as Error).message, input: ctx.value });
      }
    })
    .optional(),
  // The push key pair every instance of one team signs with (web-push's generateVAPIDKeys): both or neither.
  GROVE_VAPID_PUBLIC_KEY: z.string().min(20).max(200).optional(),
  GROVE_VAPID_PRIVATE_KEY: z.string().min(20).max(200).optional(),
  GROVE_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:)/, "must start with mailto: or https:")
    .optional(),
  GROVE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  GROVE_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8 to 64 letters, digits, '_' or '-'")
    .optional(),
});

export type WebEnv = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  dev: boolean;
  runnerToken: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  secureCookies: boolean;
  publicUrl: string | null;
  authSecret: string | null;
  /** Failed and successful sign-in attempts allowed per client address per 5 minutes. */
  signInLimit: number;
  webhookUrl: string | null;
  /** Reverse proxies whose X-Forwarded-For names the client (addresses or networks); none unless set. */
  trustedProxies: string[];
  vapidSubject: string;
  /** The push key pair from the environment (several instances share it); null: generated into the data dir. */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** Set by `pnpm start` and echoed by /api/health, so that it knows the answer is its own web process's, not another program's on the port. */
  instanceId: string | null;
  /** The bus between dashboard instances (Redis); null when this process is the only one. */
  redisUrl: string | null;
};

export function readWebEnv(source: NodeJS.ProcessEnv = process.env): WebEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid environment:\n${z.prettifyError(parsed.error)}`);
  }
  const env = parsed.data;
  if ((env.GROVE_VAPID_PUBLIC_KEY === undefined) !== (env.GROVE_VAPID_PRIVATE_KEY === undefined))
    throw new Error("Invalid environment:\nGROVE_VAPID_PUBLIC_KEY and GROVE_VAPID_PRIVATE_KEY are a pair: set both or neither");
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: path.resolve(env.GROVE_DATA_DIR),
    databaseUrl: env.DATABASE_URL ?? null,
    dev: env.GROVE_DEV === "1",
    runnerToken: env.GROVE_RUNNER_TOKEN ?? null,
    adminEmail: env.GROVE_ADMIN_EMAIL ?? null,
    adminPassword: env.GROVE_ADMIN_PASSWORD ?? null,
    secureCookies: env.GROVE_SECURE_COOKIES === "1" || (env.GROVE_PUBLIC_URL?.startsWith("https://") ?? false),
    publicUrl: env.GROVE_PUBLIC_URL ?? null,
    authSecret: env.GROVE_AUTH_SECRET ?? null,
    signInLimit: env.GROVE_SIGNIN_LIMIT,
    webhookUrl: env.GROVE_WEBHOOK_URL ?? null,
    trustedProxies: env.GROVE_TRUSTED_PROXIES ?? [],
    vapidSubject: env.GROVE_VAPID_SUBJECT ?? "mailto:grove@localhost",
    vapidKeys:
      env.GROVE_VAPID_PUBLIC_KEY && env.GROVE_VAPID_PRIVATE_KEY
        ? { publicKey: env.GROVE_VAPID_PUBLIC_KEY, privateKey: env.GROVE_VAPID_PRIVATE_KEY }
        : null,
    instanceId: env.GROVE_INSTANCE_ID ?? null,
    redisUrl: env.GROVE_REDIS_URL ?? null,
  };
}
