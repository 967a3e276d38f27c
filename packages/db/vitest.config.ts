import { defineConfig } from "vitest/config";

// The SQLite-only tests: what they check (PRAGMAs, the database file) does not exist on PostgreSQL.
const SQLITE_ONLY = ["src/client.test.ts"];
// Several processes sharing one database: a team's deployment, which is PostgreSQL's (SQLite is one process's).
const POSTGRESQL_ONLY = [
  "src/audit-across-processes.test.ts",
  "src/postgres-migrate.test.ts",
  // A pool that waits for every connection it lent out: PostgreSQL's driver; SQLite's client has none.
  "src/disconnect-budget.test.ts",
];

// Every test runs twice: on SQLite files, and on databases of a PostgreSQL server started for the run.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "sqlite", include: ["src/**/*.test.ts"], exclude: POSTGRESQL_ONLY } },
      {
        extends: true,
        test: {
          name: "postgresql",
          env: { GROVE_TEST_DATABASE: "postgresql" },
          include: ["src/**/*.test.ts"],
          exclude: SQLITE_ONLY,
          globalSetup: ["./src/test-support/postgres-global-setup.ts"],
        },
      },
    ],
  },
});
