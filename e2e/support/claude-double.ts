// The real Claude Code CLI grove pins (apps/runner devDependencies) and its scripted model double, for the
// dashboard's end-to-end run: the stack gets the environment a user sets for claude (PATH, its API's base
// URL and key, its own home), the spec plays its script on the double at the URL the stack was given.
import path from "node:path";
import { agentEnv, startAnthropicDouble, type ModelScript } from "@grove/testing";
import { E2E_DATA_DIR, E2E_PORT } from "../stack.ts";

/** Next to the stack's port: known before the stack starts, listened on only while a spec plays a script. */
export const CLAUDE_DOUBLE_PORT = E2E_PORT + 1;
/** claude's home and the folder with `claude` on the stack's PATH (outside grove's data dir). */
export const CLAUDE_USER_DIR = `${E2E_DATA_DIR}-claude-user`;

/**
 * What a user exports before `pnpm start` to run the built-in claude profile against this API: claude's
 * folder in front of the PATH they had, its API's URL and key, a home of its own (no telemetry, no updates).
 */
export async function claudeUserEnv(): Promise<Record<string, string>> {
  const binDir = path.join(CLAUDE_USER_DIR, "bin");
  const env = await agentEnv({
    home: path.join(CLAUDE_USER_DIR, "home"),
    binDir,
    anthropicUrl: `http://127.0.0.1:${CLAUDE_DOUBLE_PORT}`,
  });
  return { ...env, PATH: [binDir, process.env.PATH ?? env.PATH].join(path.delimiter) };
}

export const startClaudeDouble = (script: ModelScript) => startAnthropicDouble(script, CLAUDE_DOUBLE_PORT);
export type { ModelScript };
