import { startPostgres } from "@grove/test-services";
import { migrateDatabase } from "../migrate.ts";
import { POSTGRES_TEMPLATE, POSTGRES_TEST_ENV } from "./postgres-test-database.ts";

/**
 * The postgresql project's one server for the whole run: started here, its template database migrated once,
 * and stopped when the run ends (the orphan guard of @grove/test-services stops it if the run is killed).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startPostgres();
  await migrateDatabase(await server.createDatabase({ name: POSTGRES_TEMPLATE }));
  process.env[POSTGRES_TEST_ENV] = server.url;
  return () => server.stop();
}
