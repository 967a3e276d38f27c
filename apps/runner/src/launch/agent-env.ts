import { isGroveSecret } from "@grove/core/node";
import { userEnvOf } from "./user-env.ts";

// Variables that would point git at another repository or index than the worktree's own.
const GIT_LOCATION_VARS = new Set([
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
]);

/**
 * The GROVE_* variables a child reads as the user set them: the bundled demo agent's own setting. Every other
 * GROVE_* variable is grove's configuration (its data folder, repositories, hub, accounts, secrets), not the
 * agent's or the repository's business; the run's own (GROVE_RUN_ID, GROVE_BRANCH, …) come in its layers.
 */
const CHILD_GROVE_VARS = new Set(["GROVE_DEMO_DELAY_MS"]);

/**
 * The environment of an agent or a repo command: the one the user started grove with (user-env.ts), never
 * grove's own process settings, minus git location overrides and grove's GROVE_* settings and secrets (the
 * runner's hub token, the dashboard's), plus the run's variables.
 */
export function buildChildEnv(
  inherited: Readonly<Record<string, string | undefined>>,
  ...layers: Readonly<Record<string, string>>[]
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(userEnvOf(inherited))) {
    if (GIT_LOCATION_VARS.has(key) || isGroveSecret(key) || (key.startsWith("GROVE_") && !CHILD_GROVE_VARS.has(key))) continue;
    env[key] = value;
  }
  for (const layer of layers) Object.assign(env, layer);
  return env;
}
