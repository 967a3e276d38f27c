import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaClient } from "./generated/prisma/client.ts";
import { preparePrivateDatabase } from "./private-database.ts";

export type Db = PrismaClient;
export type { Prisma } from "./generated/prisma/client.ts";

type SqlDriverAdapter = Awaited<ReturnType<PrismaLibSQL["connect"]>>;
type SqlArg = string | number | bigint | null;

// Per connection: WAL never fsyncs on commit, only at checkpoints; waits out a lock for up to 5 s.
const CONNECTION_PRAGMAS = ["PRAGMA busy_timeout = 5000", "PRAGMA synchronous = NORMAL"];

/**
 * Keeps the driver adapter Prisma connected through, so hot paths can skip Prisma's query pipeline, and
 * sets up every SQLite connection the libsql client opens. The client hands its connection to each
 * interactive transaction and opens a new one for what follows; without this, that one would run with
 * SQLite's defaults (an fsync on every commit, no busy timeout).
 */
class ConnectionKeepingLibSQL extends PrismaLibSQL {
  adapter: SqlDriverAdapter | undefined;
  override async connect(): Promise<SqlDriverAdapter> {
    this.adapter = await super.connect();
    return this.adapter;
  }
  override createClient(config: Parameters<PrismaLibSQL["createClient"]>[0]): LibsqlClient {
    return withConnectionPragmas(super.createClient(config), config.url.startsWith("file:") ? CONNECTION_PRAGMAS : []);
  }
}

type LibsqlClient = ReturnType<PrismaLibSQL["createClient"]>;

function withConnectionPragmas(client: LibsqlClient, pragmas: readonly string[]): LibsqlClient {
  let isFresh = pragmas.length > 0;
  const setUp = async () => {
    if (!isFresh) return;
    isFresh = false;
    for (const pragma of pragmas) await client.execute(pragma);
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "transaction") {
        return async (...args: Parameters<LibsqlClient["transaction"]>) => {
          await setUp();
          const transaction = await target.transaction(...args);
          // The transaction took the connection; the next statement outside it opens a new one.
          isFresh = pragmas.length > 0;
          return transaction;
        };
      }
      if (property === "execute" || property === "batch" || property === "executeMultiple") {
        const method = Reflect.get(target, property, target) as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]) => {
          await setUp();
          return method.apply(target, args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const factories = new WeakMap<Db, ConnectionKeepingLibSQL>();

export function databaseUrlFor(dataDir: string): string {
  return `file:${path.join(path.resolve(dataDir), "grove.db")}`;
}

/** Opens the database. SQLite gets WAL and a busy timeout so the hub's writers never see SQLITE_BUSY. */
export async function createDb(url: string): Promise<Db> {
  await preparePrivateDatabase(url);
  const factory = new ConnectionKeepingLibSQL({ url });
  const db = new PrismaClient({ adapter: factory });
  factories.set(db, factory);
  // WAL is a property of the database file, kept across connections.
  if (url.startsWith("file:")) await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  return db;
}

/**
 * Runs one statement on Prisma's own connection through its driver adapter: the same connection and
 * the same lock as every Prisma query (it waits for an open interactive transaction), without
 * Prisma's per-query compilation, whose cost grows with the size of the parameters. For the log hot
 * path, where one parameter carries a whole batch.
 */
export async function queryDirect<Row extends Record<string, unknown>>(db: Db, sql: string, args: SqlArg[]): Promise<Row[]> {
  const result = await (await adapterOf(db)).queryRaw(sqlQuery(sql, args));
  return result.rows.map((values) => Object.fromEntries(result.columnNames.map((name, i) => [name, values[i]])) as Row);
}

/** `queryDirect` for a statement without rows: resolves to the number of rows it changed. */
export async function executeDirect(db: Db, sql: string, args: SqlArg[]): Promise<number> {
  return (await adapterOf(db)).executeRaw(sqlQuery(sql, args));
}

async function adapterOf(db: Db): Promise<SqlDriverAdapter> {
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

/** Closes the Prisma client. */
export async function disconnectDb(db: Db): Promise<void> {
  await db.$disconnect();
}
