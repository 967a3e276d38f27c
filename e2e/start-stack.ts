// Starts the real stack (dashboard + runner + demo repo) on a fresh data dir for the e2e run.
import { rmSync } from "node:fs";
import { E2E_ADMIN, E2E_DATA_DIR, E2E_PORT } from "./stack.ts";

rmSync(E2E_DATA_DIR, { recursive: true, force: true });
process.env.GROVE_DATA_DIR = E2E_DATA_DIR;
process.env.PORT = String(E2E_PORT);
process.env.GROVE_ADMIN_EMAIL = E2E_ADMIN.email;
process.env.GROVE_ADMIN_PASSWORD = E2E_ADMIN.password;
process.env.GROVE_SKIP_BUILD = "1";
await import("../scripts/start.ts");
