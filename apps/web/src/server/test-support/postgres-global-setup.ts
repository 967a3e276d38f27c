// The postgresql project's server (vitest.config.ts): the same one-per-run PostgreSQL as packages/db's tests.
export { default } from "@grove/db/test-support/postgres-global-setup";
