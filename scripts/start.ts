// `pnpm start`: database, demo repository, dashboard and a runner on one machine, with one command.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  DOMAIN_ERROR_EXIT_CODE,
  LISTEN_FAILED_EXIT_CODE,
  runnerLaunchArgs,
  runnerLaunchEnv,
  WEB_NODE_ARGS,
} from "@grove/core/launch";
import {
  answersAsInstance,
  ensurePrivateDir,
  assertIntegrationBranch,
  openRepo,
  stopInOrder,
  superviseProcess,
  type SupervisedExit,
  type SupervisedProcess,
} from "@grove/core/node";
import { ensureDemoRepo } from "./demo-repo.ts";
import { runnerToken } from "./runner-token.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dataDir = path.resolve(process.env.GROVE_DATA_DIR ?? ".grove-data");
const port = process.env.PORT ?? "3000";
// Echoed by the web process's /api/health: another program answering on the port is not taken for grove.
const instanceId = randomBytes(16).toString("base64url");
// Stopped in this order: the runner first, so that it can stop its agents and tell the hub.
const supervised: SupervisedProcess[] = [];

async function main() {
  // The repositories named are checked before anything is built or written: a wrong path changes nothing.
  for (const repo of (process.env.GROVE_REPOS ?? "").split(":").filter((p) => p !== "")) {
    await openRepo(repo)
      .then((ctx) => assertIntegrationBranch(ctx.repo, ctx.config.integration))
      .catch((error: unknown) => {
        throw new Error(`GROVE_REPOS names ${repo}: ${error instanceof Error ? error.message : String(error)}`);
      });
  }
  // Owner-only (and repaired if an older grove left it open): the database, secrets and the runner's data live here.
  await ensurePrivateDir(dataDir);
  const token = await runnerToken(dataDir);
  // GROVE_RUNNER=0: a team's dashboard instance only; the runners run on the developers' machines.
  const withRunner = process.env.GROVE_RUNNER !== "0";
  const repos = !withRunner ? "" : (process.env.GROVE_REPOS ?? (await ensureDemoRepo(path.join(dataDir, "demo-repo"))).path);

  if (process.env.GROVE_SKIP_BUILD !== "1") {
    console.log("grove: building the dashboard and the runner (cached after the first time)…");
    await run("pnpm", [
      "exec",
      "turbo",
      "run",
      "build",
      "--filter=@grove/web",
      "--filter=@grove/runner",
      "--output-logs=errors-only",
    ]);
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
    GROVE_INSTANCE_ID: instanceId,
    // Few malloc arenas: the file and database work in libuv's threads otherwise keeps one each.
    MALLOC_ARENA_MAX: "2",
  };
  // Both processes run bundled (`turbo run build` above): no TypeScript loader in either.
  let isDashboardUp = false;
  const web = supervise(
    "web",
    [...WEB_NODE_ARGS, path.join(root, "apps/web/dist/server.mjs")],
    webEnv,
    path.join(root, "apps/web"),
    {
      code: LISTEN_FAILED_EXIT_CODE,
      message: `port ${port} is in use or not allowed (the dashboard's reason is above); set PORT to a free port and run pnpm start again`,
      // Ending before it ever answered is its configuration (DATABASE_URL, the secrets…): the same again on a restart.
      isStartingUp: () => !isDashboardUp,
    },
  );
  await waitForHealth(`http://127.0.0.1:${port}/api/health`, web);
  isDashboardUp = true;
  // Where another machine's runner gets its token: the file's path, never the token itself (logs get shared).
  const tokenSource = process.env.GROVE_RUNNER_TOKEN ? "GROVE_RUNNER_TOKEN" : path.join(dataDir, "runner-token");
  const connect = `runners on other machines connect with \`grove runner --hub URL\` and the token in ${tokenSource}`;
  if (!withRunner) return console.log(`grove: dashboard only (GROVE_RUNNER=0); ${connect}`);
  supervise(
    "runner",
    runnerLaunchArgs([path.join(root, "apps/runner/dist/grove.mjs")], {
      hubUrl: `http://127.0.0.1:${port}`,
      dataDir: path.join(dataDir, "runner"),
      repos: repos.split(":"),
    }),
    runnerLaunchEnv(process.env, { token }),
    root,
    // Its start-up refusals (a missing repository, a bad grove.yaml, a bad flag): the same again 30 s later.
    { code: DOMAIN_ERROR_EXIT_CODE, message: "the runner refused its configuration (above); fix it and run pnpm start again" },
    // Asked to stop, it lets a merge in progress finish (its merged-tree test can take minutes) and says so;
    // Ctrl-C twice more quits it at once. Killed after 10 s it would leave the merge to its next start.
    RUNNER_STOP_GRACE_MS,
  );
  console.log(`grove: runner started for ${repos}; ${connect}`);
}

/**
 * Either process is started again when it ends on its own (with back-off): a crashed dashboard does not
 * stop the runner, whose agents keep running and whose log lines wait in its spool until the hub is back.
 * An exit with `fatal.code` is the process saying that a restart would fail the same way: everything
 * stops then, with `fatal.message`, and `pnpm start` exits 1; so does any exit while `fatal.isStartingUp()`.
 */
function supervise(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  fatal: { code: number; message: string; isStartingUp?: () => boolean },
  stopGraceMs?: number,
): SupervisedProcess {
  if (stopping) throw new Error(`stopped before the ${name} started`);
  const child = superviseProcess({
    name,
    command: process.execPath,
    args,
    env,
    cwd,
    log: (message) => console.error(`grove: ${message} [${new Date().toISOString()}]`),
    isFatal: (exit: SupervisedExit) => exit.code === fatal.code || fatal.isStartingUp?.() === true,
    onGiveUp: (exit: SupervisedExit) => fail(exit.code === fatal.code ? fatal.message : STARTUP_EXIT),
    ...(stopGraceMs === undefined ? {} : { stopGraceMs }),
  });
  supervised.unshift(child);
  return child;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

async function waitForHealth(url: string, web: SupervisedProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (stopping) throw new Error("stopped during start-up");
    if (web.restarts() > 0 || web.pid() === null) throw new Error("the dashboard exited during start-up");
    if (await answersAsInstance(url, instanceId)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dashboard did not answer on ${url} within 60 s`);
}

const STARTUP_EXIT = "the dashboard exited during start-up (its reason is above); fix it and run pnpm start again";

/** How long the runner may take to stop before it is killed: a merge it is landing finishes first. */
const RUNNER_STOP_GRACE_MS = 15 * 60_000;

let stopping = false;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  // Ctrl-C reaches the children too: none may be restarted while the one before it is still stopping.
  await stopInOrder(supervised);
  process.exit(code);
}

/** Says why once (the first reason; what follows from it is not news) and stops everything. */
function fail(message: string) {
  if (stopping) return;
  console.error(`grove: ${message}`);
  void stopAll(1);
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
