import { defineConfig } from "vitest/config";

// Their faults exist only on PostgreSQL (a row lock another client holds, seen in pg_stat_activity).
const POSTGRESQL_ONLY = ["src/server/hub/hub-close.test.ts"];

/*
 * Every test runs on SQLite files. These, the server's paths through the database (sign-in and accounts with
 * better-auth's adapter, log storage and paging, the audit chain, the merge gate, review rounds), run again
 * on a PostgreSQL server started for the run, as a team's instances store their data.
 */
const ON_POSTGRESQL = [
  "src/server/auth/sign-in.test.ts",
  "src/server/api/routers/account.test.ts",
  "src/server/api/routers/user.test.ts",
  "src/server/api/routers/run-log.test.ts",
  "src/server/api/routers/repository-queries.test.ts",
  "src/server/hub/runner-log-watermark.test.ts",
  "src/server/hub/runner-audit.test.ts",
  "src/server/hub/log-fanout.test.ts",
  "src/server/merge-gate.test.ts",
  "src/server/review-rounds.test.ts",
  "src/server/hub/cross-instance.test.ts",
  "src/server/hub/presence-expiry.test.ts",
  "src/server/hub/shared-state.test.ts",
  "src/server/queue-lease.test.ts",
  ...POSTGRESQL_ONLY,
];

// Tests start the runner as `pnpm grove` does, from its bundle, and the hub process from its bundle: each built
// here once, if stale.
const BUNDLE_SETUP = ["./src/server/test-support/runner-bundle-setup.ts", "./src/server/test-support/hub-bundle-setup.ts"];

export default defineConfig({
  test: {
    // Git through a process spawner, as the runner starts it (process-spawner-setup.ts).
    setupFiles: ["../../packages/core/src/test-support/process-spawner-setup.ts"],
    /*
     * One module graph for all the files a worker runs, not one per file: importing Next's, tRPC's and Prisma's
     * modules again for each of ~100 files took 143 s of CPU in a 909 s CI run (2026-12-03); without it 16 s, and all
     * 502 tests passed. Each file still gets its own setup file run, databases, servers and process spawner.
     */
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "sqlite", include: ["src/**/*.test.ts"], exclude: POSTGRESQL_ONLY, globalSetup: BUNDLE_SETUP },
      },
      {
        extends: true,
        test: {
          name: "postgresql",
          include: ON_POSTGRESQL,
          env: { GROVE_TEST_DATABASE: "postgresql" },
          globalSetup: [...BUNDLE_SETUP, "./src/server/test-support/postgres-global-setup.ts"],
        },
      },
    ],
  },
});
