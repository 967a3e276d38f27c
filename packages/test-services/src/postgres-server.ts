import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port.ts";
import { startOrphanGuard, type OrphanGuard } from "./orphan-guard.ts";
import { asServerUser, isRoot, postgresBinDir, postgresUserIds, withoutLibpqSettings } from "./service-binaries.ts";

export type PostgresServer = {
  port: number;
  /** The postmaster's process id (each connection is served by a child of it). */
  pid: number;
  /** The temporary folder: data directory, Unix socket and server log. */
  dir: string;
  /** The `postgres` database (superuser `postgres`, trust authentication on loopback). */
  url: string;
  urlFor(database: string): string;
  /** A new, empty database (or a copy of `template`); resolves to its URL. */
  createDatabase(options?: { name?: string; template?: string }): Promise<string>;
  /** Runs SQL with psql in the `postgres` database; resolves to its unaligned output. */
  sql(statement: string, database?: string): Promise<string>;
  /** Stops the server and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
};

export type StartPostgresOptions = {
  /** Keep fsync and full-page writes (for benchmarks); tests run without them, as nothing survives a test. */
  durable?: boolean;
};

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const START_ATTEMPTS = 3;
const run = promisify(execFile);

/** initdb in a new temporary folder, then a server on a free loopback port, as `postgres` when run as root. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-pg-")));
  const guard = startOrphanGuard();
  guard.removeOnExit(dir);
  try {
    if (isRoot()) {
      const { uid, gid } = await postgresUserIds();
      await chown(dir, uid, gid);
    }
    const data = path.join(dir, "data");
    await serverCommand(dir, [
      `${bin}/initdb`,
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const { port, pid } = await startOnFreePort(bin, dir, data, options, guard);
    return postgresServer(bin, dir, data, { port, pid }, guard);
  } catch (error) {
    guard.release();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startOnFreePort(bin: string, dir: string, data: string, options: StartPostgresOptions, guard: OrphanGuard) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const settings = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", "-c max_connections=300"];
    if (!options.durable) settings.push("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off");
    const log = path.join(dir, "server.log");
    try {
      await serverCommand(dir, [`${bin}/pg_ctl`, "-D", data, "-l", log, "-o", settings.join(" "), "-w", "-t", "60", "start"]);
      const pid = Number((await readFile(path.join(data, "postmaster.pid"), "utf8")).split("\n")[0]);
      guard.killOnExit(pid, "SIGQUIT");
      return { port, pid };
    } catch (error) {
      const serverLog = await readFile(log, "utf8").catch(() => "");
      if (attempt < START_ATTEMPTS && /could not bind|already in use/i.test(serverLog)) continue;
      throw new Error(`PostgreSQL did not start on port ${port}: ${serverLog.slice(-2000)}`, { cause: error });
    }
  }
}

function postgresServer(
  bin: string,
  dir: string,
  data: string,
  { port, pid }: { port: number; pid: number },
  guard: OrphanGuard,
): PostgresServer {
  const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  let stopping: Promise<void> | undefined;
  const server: PostgresServer = {
    port,
    pid,
    dir,
    url: urlFor("postgres"),
    urlFor,
    sql: async (statement, database = "postgres") => {
      const psql = [`${bin}/psql`, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port)];
      const { stdout } = await run(psql[0] ?? "psql", [...psql.slice(1), "-U", "postgres", "-d", database, "-c", statement], {
        env: withoutLibpqSettings(process.env),
      });
      return stdout.trim();
    },
    createDatabase: async ({ name = `grove_${randomBytes(6).toString("hex")}`, template } = {}) => {
      for (const each of [name, template]) {
        if (each !== undefined && !DATABASE_NAME.test(each)) throw new Error(`Not a plain database name: ${each}`);
      }
      await server.sql(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
      return urlFor(name);
    },
    stop: () =>
      (stopping ??= (async () => {
        await serverCommand(dir, [`${bin}/pg_ctl`, "-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
        guard.release();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
  return server;
}

async function serverCommand(dir: string, argv: readonly string[]): Promise<void> {
  const [command, ...args] = asServerUser(argv);
  if (!command) throw new Error("no command");
  // cwd: the server user may not be allowed into the caller's folder (root's home).
  await run(command, args, { cwd: dir, env: withoutLibpqSettings(process.env), timeout: 120_000 });
}
