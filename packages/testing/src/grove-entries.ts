import path from "node:path";
import { fileURLToPath } from "node:url";

// Where grove's programs are, for the tests and the bench that start them as processes (a command names
// its entry point; no test imports an app's code). Named once, so a move inside an app is one edit here.
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/**
 * What `pnpm grove` runs: the runner's CLI bundle, rebuilt first if a source changed. Tests start the runner
 * this way, as users do; node + tsx on the sources costs seconds of CPU a start.
 */
export const RUNNER_BIN = path.join(REPO_ROOT, "apps/runner/bin/grove.mjs");
/** The bundles `pnpm start` runs (`turbo run build`). */
export const WEB_BUNDLE = path.join(REPO_ROOT, "apps/web/dist/server.mjs");
export const RUNNER_BUNDLE = path.join(REPO_ROOT, "apps/runner/dist/grove.mjs");
