import { execFileSync } from "node:child_process";
import path from "node:path";
import { RUNNER_BIN } from "@grove/testing";

/**
 * Builds the runner's CLI bundle once, if a source changed since it was built, before any test starts a runner
 * as users do (RUNNER_BIN): runners started at once then never race to build it.
 */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(path.dirname(RUNNER_BIN), "build-cli.mjs"), "--if-stale"], { stdio: "inherit" });
}
