import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test run's PostgreSQL: its admin URL and the migrated template every test database is copied from. */
export type PostgresTestServer = { adminUrl: string; template: string };

export const POSTGRES_TEST_ENV = "GROVE_TEST_POSTGRES_URL";
export const POSTGRES_TEMPLATE = "grove_template";

/** The server test-support/postgres-global-setup.ts started for this run, when this test runs on PostgreSQL. */
export function postgresTestServer(): PostgresTestServer | null {
  // Set per vitest project: the server's URL reaches every project's workers, the choice only this one's.
  if (process.env.GROVE_TEST_DATABASE !== "postgresql") return null;
  const adminUrl = process.env[POSTGRES_TEST_ENV];
  // Its tests must never quietly run on SQLite instead.
  if (!adminUrl)
    throw new Error(`GROVE_TEST_DATABASE=postgresql but ${POSTGRES_TEST_ENV} is not set (test-support/postgres-global-setup.ts)`);
  return { adminUrl, template: POSTGRES_TEMPLATE };
}

/** A fresh database copied from the migrated template (much faster than migrating each one). */
export async function createPostgresTestDatabase(
  server: PostgresTestServer,
  opts: { isEmpty?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `grove_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(server.adminUrl, `CREATE DATABASE ${name} TEMPLATE ${opts.isEmpty ? "template0" : server.template}`);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a client the test forgot to close must not keep its database.
    drop: () => adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
