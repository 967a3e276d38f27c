import { PrismaLibSQL } from "@prisma/adapter-libsql";

export type SqlDriverAdapter = Awaited<ReturnType<PrismaLibSQL["connect"]>>;

// Per connection: WAL never fsyncs on commit, only at checkpoints; waits out a lock for up to 5 s.
const CONNECTION_PRAGMAS = ["PRAGMA busy_timeout = 5000", "PRAGMA synchronous = NORMAL"];

/**
 * Keeps the driver adapter Prisma connected through, so hot paths can skip Prisma's query pipeline, and
 * sets up every SQLite connection the libsql client opens. The client hands its connection to each
 * interactive transaction and opens a new one for what follows; without this, that one would run with
 * SQLite's defaults (an fsync on every commit, no busy timeout).
 */
export class ConnectionKeepingLibSQL extends PrismaLibSQL {
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
