import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { promisify } from "node:util";

const PG_ROOT = "/usr/lib/postgresql";
const REDIS_SERVER = "/usr/bin/redis-server";
const INSTALL_HINT = "run `node scripts/ensure-services.mjs` (as root) or `sudo apt-get install -y postgresql redis-server`";

/** Debian's newest installed PostgreSQL server programs (initdb, pg_ctl, psql), or a clear error. */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((name) => /^\d+$/.test(name) && existsSync(`${PG_ROOT}/${name}/bin/initdb`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) throw new Error(`PostgreSQL's server is not installed (no ${PG_ROOT}/<version>/bin/initdb): ${INSTALL_HINT}`);
  return `${PG_ROOT}/${newest}/bin`;
}

export function redisServerPath(): string {
  if (!existsSync(REDIS_SERVER)) throw new Error(`Redis is not installed (no ${REDIS_SERVER}): ${INSTALL_HINT}`);
  return REDIS_SERVER;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** PostgreSQL refuses to run as root: as root its programs run as Debian's `postgres` user. */
export function asServerUser(argv: readonly string[]): string[] {
  return isRoot() ? ["runuser", "-u", "postgres", "--", ...argv] : [...argv];
}

export async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await promisify(execFile)("id", [flag, "postgres"])).stdout.trim());
  try {
    return { uid: await id("-u"), gid: await id("-g") };
  } catch (error) {
    throw new Error(`Running PostgreSQL as root needs Debian's postgres user: ${INSTALL_HINT}`, { cause: error });
  }
}

/** The environment without libpq's own settings (PGHOST, PGPASSWORD…), which would redirect the clients. */
export function withoutLibpqSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of Object.keys(copy)) if (name.startsWith("PG")) delete copy[name];
  return copy;
}
