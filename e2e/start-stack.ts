// Starts the real stack (dashboard + runner + demo repo) on a fresh data dir for the e2e run.
// No admin comes from the environment: the setup project creates it through the first-run page.
import { rmSync } from "node:fs";
import { E2E_DATA_DIR, E2E_PORT } from "./stack.ts";
import { CLAUDE_USER_DIR, claudeUserEnv } from "./support/claude-double.ts";

rmSync(E2E_DATA_DIR, { recursive: true, force: true });
rmSync(CLAUDE_USER_DIR, { recursive: true, force: true });
// The pinned claude CLI on PATH and its API pointed at the model double, as a user's environment would
// have them: the runner passes its own environment on to the agents it starts (never grove's settings).
Object.assign(process.env, await claudeUserEnv());
process.env.GROVE_DATA_DIR = E2E_DATA_DIR;
process.env.PORT = String(E2E_PORT);
delete process.env.GROVE_ADMIN_EMAIL;
delete process.env.GROVE_ADMIN_PASSWORD;
// Both projects sign in many times from 127.0.0.1; the limit itself is covered by the hub's tests.
process.env.GROVE_SIGNIN_LIMIT = "1000";
process.env.GROVE_SKIP_BUILD = "1";
await import("../scripts/start.ts");
