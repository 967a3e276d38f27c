import { runTsScript, type ScriptResult } from "@grove/core/test-support";
import { fileURLToPath } from "node:url";

/** The real CLI entry point, for tests that run `grove` as a separate process. */
export const CLI_PATH = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** Runs `grove <args>` in a child process (node + tsx) in `cwd`, as a user's shell would. */
export function runGrove(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<ScriptResult> {
  return runTsScript(CLI_PATH, args, {
    cwd: opts.cwd,
    env: { GROVE_DEBUG: undefined, npm_lifecycle_event: undefined, ...opts.env },
  });
}
