// The tests start real PostgreSQL and Redis servers (packages/test-services) from Debian's packages; install
// them when missing, as scripts/ensure-chromium.mjs does for Chromium.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const PG_ROOT = "/usr/lib/postgresql";
const hasPostgres = existsSync(PG_ROOT) && readdirSync(PG_ROOT).some((v) => existsSync(`${PG_ROOT}/${v}/bin/initdb`));
const hasRedis = existsSync("/usr/bin/redis-server");
const missing = [...(hasPostgres ? [] : ["postgresql"]), ...(hasRedis ? [] : ["redis-server"])];

if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(
      `The tests need ${missing.join(" and ")} (Debian packages). Install them with: ` +
        `sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`,
    );
    process.exit(1);
  }
  console.log(`Installing Debian's ${missing.join(" and ")} for the tests…`);
  // Installed for their programs: the tests start their own servers in temporary folders on free ports and
  // never use the packages' own services.
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "inherit", env });
}
