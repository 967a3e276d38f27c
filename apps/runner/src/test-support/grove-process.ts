import { runNode, type ScriptResult } from "@grove/core/test-support";
import { fileURLToPath } from "node:url";

/**
 * What a user's `pnpm grove` starts: bin/grove.mjs, which runs the bundled CLI (rebuilt first if a source
 * changed; the runner's global setup builds it once before any test, so parallel tests never race to build it).
 */
export const GROVE_BIN = fileURLToPath(new URL("../../bin/grove.mjs", import.meta.url));

/** Runs `grove <args>` in a child process in `cwd`, as a user's shell would. */
export function runGrove(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<ScriptResult> {
  return runNode([GROVE_BIN, ...args], {
    cwd: opts.cwd,
    env: { GROVE_DEBUG: undefined, npm_lifecycle_event: undefined, ...opts.env },
  });
}
