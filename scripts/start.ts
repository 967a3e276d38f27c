// `pnpm start`: database, demo repository, dashboard and a runner on one machine, with one command.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDemoRepo } from "../apps/runner/src/demo-repo.ts";
import { runnerLaunchArgs, runnerLaunchEnv } from "../apps/runner/src/launch-env.ts";
import { WEB_NODE_ARGS } from "../apps/web/src/server/node-options.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.GROVE_DATA_DIR ?? ".grove-data");
const port = process.env.PORT ?? "3000";
const children: ChildProcess[] = [];

async function main() {
  await mkdir(dataDir, { recursive: true });
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
  const web = start("web", [...WEB_NODE_ARGS, path.join(root, "apps/web/dist/server.mjs")], webEnv, path.join(root, "apps/web"));
  await waitForHealth(`http://127.0.0.1:${port}/api/health`, web);
  start(
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
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const token = randomBytes(32).toString("base64url");
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: "inherit" });
  children.push(child);
  child.on("exit", (code, signal) => {
    console.error(`grove: ${name} exited (${signal ?? code}); stopping.`);
    stopAll(code ?? 1);
  });
  return child;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" } });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

async function waitForHealth(url: string, web: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (web.exitCode !== null) throw new Error("the dashboard exited during start-up");
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
function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 1500).unref();
}

process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
main().catch((error: unknown) => {
  console.error(`grove: ${error instanceof Error ? error.message : String(error)}`);
  stopAll(1);
  process.exitCode = 1;
});
