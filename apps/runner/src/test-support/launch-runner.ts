import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";

// The runner started as scripts/start.ts starts it, for tests: a test runs this launcher the way `pnpm start`
// runs start.ts (`pnpm exec tsx …`, so pnpm and tsx's shim add to its environment what they add to
// start.ts's), and it gives the runner the environment and node flags start.ts gives it. Only the runner's
// sources run (under tsx) instead of its bundle.
// Usage: launch-runner.ts <hubUrl> <token> <dataDir> <repo>
const [hubUrl, token, dataDir, repo] = process.argv.slice(2);
if (!hubUrl || !token || !dataDir || !repo) throw new Error("usage: launch-runner.ts <hubUrl> <token> <dataDir> <repo>");
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
const runner = spawn(process.execPath, runnerLaunchArgs(["--import", tsx, cli], { hubUrl, dataDir, repos: [repo] }), {
  env: runnerLaunchEnv(process.env, { token }),
  stdio: "inherit",
});
runner.on("exit", (code) => (process.exitCode = code ?? 1));
