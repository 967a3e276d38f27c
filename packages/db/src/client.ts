import path from "node:path";
import { PrismaClient } from "./generated/prisma/client.ts";
import { PrismaClient as PostgresPrismaClient } from "./generated/prisma-postgresql/client.ts";
import { databaseProviderOf, type DatabaseProvider } from "./database-provider.ts";
import { ConnectionKeepingPg } from "./postgres-adapter.ts";
import { preparePrivateDatabase } from "./private-database.ts";
import { ConnectionKeepingLibSQL, type SqlDriverAdapter } from "./sqlite-adapter.ts";

export type Db = PrismaClient;
export type { Prisma } from "./generated/prisma/client.ts";
export type { DatabaseProvider } from "./database-provider.ts";

type SqlArg = string | number | bigint | null;
type AdapterFactory = {
  adapter: Pick<SqlDriverAdapter, "queryRaw" | "executeRaw"> | undefined;
  endCheckedOut?: () => Promise<number>;
};

/** How long a disconnect waits for the connections still in use before it ends them. */
export const DISCONNECT_BUDGET_MS = 5_000;

const factories = new WeakMap<Db, AdapterFactory>();
const providers = new WeakMap<Db, DatabaseProvider>();

export function databaseUrlFor(dataDir: string): string {
  return `file:${path.join(path.resolve(dataDir), "grove.db")}`;
}

/**
 * Opens the database at `url`: PostgreSQL for `postgresql://…`, else a SQLite file, which gets WAL and a
 * busy timeout so the hub's writers never see SQLITE_BUSY. Both generated clients have the same models
 * (prisma/postgresql/schema.prisma is generated from prisma/schema.prisma), so callers see one `Db`.
 */
export async function createDb(url: string): Promise<Db> {
  const provider = databaseProviderOf(url);
  if (provider === "postgresql") {
    const factory = new ConnectionKeepingPg({ connectionString: url });
    return remember(asDb(new PostgresPrismaClient({ adapter: factory })), factory, provider);
  }
  await preparePrivateDatabase(url);
  const factory = new ConnectionKeepingLibSQL({ url });
  const db = remember(new PrismaClient({ adapter: factory }), factory, provider);
  // WAL is a property of the database file, kept across connections.
  if (url.startsWith("file:")) await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return db;
}

/**
 * The PostgreSQL client has the same models and queries, generated for the other engine; TypeScript sees two
 * unrelated classes (their transaction options differ: PostgreSQL offers more isolation levels than SQLite's
 * one, which is all grove asks for). packages/db/src/schema-history.test.ts keeps the models the same.
 */
function asDb<Client extends object>(client: Client): Db {
  return client as object as Db;
}

function remember(db: Db, factory: AdapterFactory, provider: DatabaseProvider): Db {
  factories.set(db, factory);
  providers.set(db, provider);
  return db;
}

/** Which engine `db` talks to, for the few statements whose SQL differs between them. */
export function databaseProvider(db: Db): DatabaseProvider {
  return providers.get(db) ?? "sqlite";
}

/** One statement as each engine spells it; a plain string is the same for both (its `?1` become `$1`). */
export type DialectSql = string | { sqlite: string; postgresql: string };

function sqlFor(db: Db, sql: DialectSql): string {
  const provider = databaseProvider(db);
  if (typeof sql !== "string") return sql[provider];
  return provider === "postgresql" ? sql.replace(/\?(\d+)/g, "$$$1") : sql;
}

/**
 * Runs one statement on Prisma's own connection through its driver adapter: the same connection and
 * the same lock as every Prisma query (it waits for an open interactive transaction), without
 * Prisma's per-query compilation, whose cost grows with the size of the parameters. For the log hot
 * path, where one parameter carries a whole batch.
 */
export async function queryDirect<Row extends Record<string, unknown>>(db: Db, sql: DialectSql, args: SqlArg[]): Promise<Row[]> {
  const result = await (await adapterOf(db)).queryRaw(sqlQuery(sqlFor(db, sql), args));
  return result.rows.map((values) => Object.fromEntries(result.columnNames.map((name, i) => [name, values[i]])) as Row);
}

/** `queryDirect` for a statement without rows: resolves to the number of rows it changed. */
export async function executeDirect(db: Db, sql: DialectSql, args: SqlArg[]): Promise<number> {
  return (await adapterOf(db)).executeRaw(sqlQuery(sqlFor(db, sql), args));
}

async function adapterOf(db: Db) {
  if (!factories.get(db)?.adapter) await db.$connect();
  const adapter = factories.get(db)?.adapter;
  if (!adapter) throw new Error("The database adapter is not connected.");
  return adapter;
}

function sqlQuery(sql: string, args: SqlArg[]) {
  return { sql, args, argTypes: args.map((arg) => ({ scalarType: argType(arg), arity: "scalar" as const })) };
}

function argType(arg: SqlArg) {
  if (typeof arg === "string") return "string" as const;
  if (typeof arg === "bigint") return "bigint" as const;
  if (typeof arg === "number") return Number.isInteger(arg) ? ("int" as const) : ("float" as const);
  return "unknown" as const;
}

/**
 * Closes the Prisma client. Statements still running get `budgetMs` to finish; then the connections they
 * hold are ended (what they had not committed is rolled back by the server), so a close always finishes,
 * even when a connection was never handed back (see postgres-adapter.ts). Resolves to how many it ended.
 */
export async function disconnectDb(db: Db, budgetMs = DISCONNECT_BUDGET_MS): Promise<number> {
  const closing = db.$disconnect();
  let timer: NodeJS.Timeout | undefined;
  const isLate = await Promise.race([
    closing.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), budgetMs))),
  ]).finally(() => clearTimeout(timer));
  const ended = isLate ? ((await factories.get(db)?.endCheckedOut?.()) ?? 0) : 0;
  await closing;
  return ended;
}
