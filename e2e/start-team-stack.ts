// Starts the two-instance stack (scripts/e2e/team-stack.ts) on a fresh data dir for the team e2e run.
import { rmSync } from "node:fs";
import { E2E_DATA_DIR, E2E_PORT } from "./stack.ts";
import { CLAUDE_USER_DIR, claudeUserEnv } from "./support/claude-double.ts";

for (const dir of [E2E_DATA_DIR, `${E2E_DATA_DIR}-b`, CLAUDE_USER_DIR]) rmSync(dir, { recursive: true, force: true });
Object.assign(process.env, await claudeUserEnv());
delete process.env.GROVE_ADMIN_EMAIL;
delete process.env.GROVE_ADMIN_PASSWORD;
process.env.GROVE_SIGNIN_LIMIT = "1000";
const { startE2eTeamStack } = await import("../scripts/e2e/team-stack.ts");
await startE2eTeamStack({ port: E2E_PORT, dataDir: E2E_DATA_DIR });
