// The e2e stack of a team's deployment: PostgreSQL + Redis, dashboard instance A (the built web, pages and
// all) that the browser uses, instance B (the hub without pages) that the runner is connected to, and the
// runner on the demo repository. Test code (it uses @grove/testing), started by e2e/start-team-stack.ts; Playwright stops the process group.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runnerLaunchArgs, runnerLaunchEnv, WEB_NODE_ARGS } from "@grove/core/launch";
import { startPostgres, startRedis } from "@grove/testing";
import { ensureDemoRepo } from "../demo-repo.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSX = createRequire(import.meta.url).resolve("tsx");

/** Starts the whole stack with instance A on `port` and its data in `dataDir`; B on `port + 1`. */
export async function startE2eTeamStack(o: { port: number; dataDir: string }): Promise<void> {
  const postgres = await startPostgres();
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
    void Promise.allSettled([postgres.stop(), redis.stop()]).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  const token = randomBytes(32).toString("base64url");
  const shared = {
    ...process.env,
    DATABASE_URL: await postgres.createDatabase(),
    GROVE_REDIS_URL: redis.url,
    GROVE_AUTH_SECRET: randomBytes(32).toString("base64url"),
  };
  const urlA = `http://127.0.0.1:${o.port}`;
  const urlB = `http://127.0.0.1:${o.port + 1}`;
  // B first, with the runner's token: it migrates the database and registers the runner.
  const b = spawn(process.execPath, ["--import", TSX, "src/server/test-support/hub-process.ts"], {
    cwd: path.join(root, "apps/web"),
    env: { ...shared, PORT: String(o.port + 1), HOST: "127.0.0.1", GROVE_DATA_DIR: `${o.dataDir}-b`, GROVE_RUNNER_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(b);
  await new Promise<void>((resolve, reject) => {
    b.stdout?.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (chunk.toString().includes("hub listening on")) resolve();
    });
    b.once("exit", (code) => reject(new Error(`instance B exited with ${code}`)));
  });
  const a = spawn(process.execPath, [...WEB_NODE_ARGS, path.join(root, "apps/web/dist/server.mjs")], {
    cwd: path.join(root, "apps/web"),
    env: { ...shared, NODE_ENV: "production", PORT: String(o.port), GROVE_DATA_DIR: o.dataDir, MALLOC_ARENA_MAX: "2" },
    stdio: "inherit",
  });
  children.push(a);
  const repo = (await ensureDemoRepo(path.join(o.dataDir, "demo-repo"))).path;
  // The runner knows both instances, B first: the browser's instance is never the runner's.
  const runnerArgs = runnerLaunchArgs([path.join(root, "apps/runner/dist/grove.mjs")], {
    hubUrl: urlB,
    dataDir: path.join(o.dataDir, "runner"),
    repos: [repo],
  });
  const runner = spawn(process.execPath, [...runnerArgs, "--hub", urlA], {
    cwd: root,
    env: runnerLaunchEnv(process.env, { token }),
    stdio: "inherit",
  });
  children.push(runner);
  console.log(`grove e2e team stack: A ${urlA}, B ${urlB} (runner), PostgreSQL and Redis`);
}
