// Starts the real stack (dashboard + runner + demo repo) on a fresh data dir for the e2e run.
// No admin comes from the environment: the setup project creates it through the first-run page.
import { rmSync } from "node:fs";
import { E2E_DATA_DIR, E2E_PORT } from "./stack.ts";

rmSync(E2E_DATA_DIR, { recursive: true, force: true });
process.env.GROVE_DATA_DIR = E2E_DATA_DIR;
process.env.PORT = String(E2E_PORT);
delete process.env.GROVE_ADMIN_EMAIL;
delete process.env.GROVE_ADMIN_PASSWORD;
// Both projects sign in many times from 127.0.0.1; the limit itself is covered by the hub's tests.
process.env.GROVE_SIGNIN_LIMIT = "1000";
process.env.GROVE_SKIP_BUILD = "1";
await import("../scripts/start.ts");
