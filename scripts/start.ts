// `pnpm start`: database, demo repository, dashboard and a runner on one machine, with one command.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensurePrivateDir, restrictFile, superviseProcess, type SupervisedProcess } from "@grove/core/node";
import { ensureDemoRepo } from "../apps/runner/src/demo-repo.ts";
import { runnerLaunchArgs, runnerLaunchEnv } from "../apps/runner/src/launch-env.ts";
import { WEB_NODE_ARGS } from "../apps/web/src/server/node-options.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.GROVE_DATA_DIR ?? ".grove-data");
const port = process.env.PORT ?? "3000";
// Stopped in this order: the runner first, so that it can stop its agents and tell the hub.
const supervised: SupervisedProcess[] = [];

async function main() {
  // Owner-only (and repaired if an older grove left it open): the database, secrets and the runner's data live here.
  await ensurePrivateDir(dataDir);
  const token = await runnerToken();
  const repos = process.env.GROVE_REPOS ?? (await ensureDemoRepo(path.join(dataDir, "demo-repo"))).path;

  if (process.env.GROVE_SKIP_BUILD !== "1") {
    console.log("grove: building the dashboard and the runner (cached after the first time)…");
    await run("pnpm", ["exec", "turbo", "run", "build", "--filter=@grove/web", "--filter=@grove/runner", "--output-logs=errors-only"]);
  }

  // The web process's; the runner's is the user's own plus only what it needs (launch-env.ts), since the
  // agents, setup and test commands it starts must get the user's environment, not grove's.
  const webEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    PORT: port,
    GROVE_DATA_DIR: dataDir,
    GROVE_RUNNER_TOKEN: token,
    // Few malloc arenas: the file and database work in libuv's threads otherwise keeps one each.
    MALLOC_ARENA_MAX: "2",
  };
  // Both processes run bundled (`turbo run build` above): no TypeScript loader in either.
  const web = supervise("web", [...WEB_NODE_ARGS, path.join(root, "apps/web/dist/server.mjs")], webEnv, path.join(root, "apps/web"));
  await waitForHealth(`http://127.0.0.1:${port}/api/health`, web);
  supervise(
    "runner",
    runnerLaunchArgs([path.join(root, "apps/runner/dist/grove.mjs")], { hubUrl: `http://127.0.0.1:${port}`, dataDir: path.join(dataDir, "runner"), repos: repos.split(":") }),
    runnerLaunchEnv(process.env, { token }),
    root,
  );
  console.log(`grove: runner started for ${repos}`);
}

async function runnerToken(): Promise<string> {
  if (process.env.GROVE_RUNNER_TOKEN) return process.env.GROVE_RUNNER_TOKEN;
  const file = path.join(dataDir, "runner-token");
  if (existsSync(file)) {
    await restrictFile(file);
    return (await readFile(file, "utf8")).trim();
  }
  const token = randomBytes(32).toString("base64url");
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Either process is started again when it ends on its own (with back-off): a crashed dashboard does not
 * stop the runner, whose agents keep running and whose log lines wait in its spool until the hub is back.
 */
function supervise(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): SupervisedProcess {
  if (stopping) throw new Error(`stopped before the ${name} started`);
  const child = superviseProcess({ name, command: process.execPath, args, env, cwd, log: (message) => console.error(`grove: ${message} [${new Date().toISOString()}]`) });
  supervised.unshift(child);
  return child;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" } });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

async function waitForHealth(url: string, web: SupervisedProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (web.restarts() > 0 || web.pid() === null) throw new Error("the dashboard exited during start-up");
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dashboard did not answer on ${url} within 60 s`);
}

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of supervised) await child.stop();
  process.exit(code);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
main().catch((error: unknown) => {
  console.error(`grove: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
