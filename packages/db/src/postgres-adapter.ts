import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";

type PgDriverAdapter = Awaited<ReturnType<PrismaPg["connect"]>>;

/**
 * PostgreSQL's driver adapter, keeping the connected adapter for the hot paths as the SQLite one does, and
 * the pool's checked-out connections, so a close can take back one that is never returned. Prisma 6.19's
 * client engine leaves one behind when it disconnects while a write's transaction is starting: the
 * connection has run BEGIN, the transaction is cancelled before it is registered, and nobody rolls it back
 * or releases it, so the pool's end() waits for it forever.
 */
export class ConnectionKeepingPg extends PrismaPg {
  adapter: PgDriverAdapter | undefined;
  readonly #checkedOut = new Set<pg.PoolClient>();

  override async connect(): Promise<PgDriverAdapter> {
    const adapter = await super.connect();
    const pool = adapter.underlyingDriver();
    pool.on("acquire", (client) => void this.#checkedOut.add(client));
    pool.on("release", (_error: unknown, client: pg.PoolClient) => void this.#checkedOut.delete(client));
    this.adapter = adapter;
    return adapter;
  }

  /**
   * Ends the connections still checked out; how many there were. The server rolls back what they had begun
   * once it sees the connection gone (a statement it is still running goes on until it ends).
   * A statement still running on one then fails and its owner hands the connection back; one that nobody
   * will hand back (above) is released here.
   */
  async endCheckedOut(): Promise<number> {
    const clients = [...this.#checkedOut];
    await Promise.allSettled(clients.map((client) => client.end()));
    await new Promise((resolve) => setImmediate(resolve));
    for (const client of clients) if (this.#checkedOut.has(client)) client.release(new Error("the database is closing"));
    return clients.length;
  }
}
