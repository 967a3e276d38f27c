// The team bench's deployment, as `pnpm start` runs each part: built web processes (instances) over one
// database, and one bundled runner given every instance's URL, on the LAST instance; browsers go to the first.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runnerLaunchArgs, runnerLaunchEnv, WEB_NODE_ARGS } from "@grove/core/launch";
import { makeTempRepo } from "@grove/core/test-support";
import { createDb, databaseUrlFor } from "@grove/db";
import {
  buildForProduction,
  freePort,
  productionWebEnv,
  REPO_ROOT,
  RUNNER_BUNDLE,
  signInOverHttp,
  waitFor,
  WEB_BUNDLE,
} from "@grove/testing";
import { AGENT } from "./log-bench-stack.ts";

// GROVE_BENCH_CPU_PROF=DIR: each instance and the runner write a V8 CPU profile there when they stop.
const PROFILE_DIR = process.env.GROVE_BENCH_CPU_PROF;
const profileArgs = (name: string) =>
  PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : [];

const ADMIN = { email: "bench@test.local", password: "bench-password-1" };
const GROVE_YAML = `agents:\n  bench:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, "{prompt}"]\n`;

export type TeamBenchStack = Awaited<ReturnType<typeof startTeamBenchStack>>;

export async function startTeamBenchStack(o: {
  instances: number;
  databaseUrl?: string;
  redisUrl?: string;
  env?: Record<string, string>;
}) {
  await buildForProduction();
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-team-bench-")));
  const repo = await makeTempRepo({ files: { "README.md": "# bench\n", "grove.yaml": GROVE_YAML } });
  const token = randomBytes(24).toString("base64url");
  const output: string[] = [];
  const children: ChildProcess[] = [];
  const start = (args: string[], cwd: string, env: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    children.push(child);
    return child;
  };
  const stop = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  const close = async () => {
    await stop();
    await repo.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const webs: { url: string; pid: number }[] = [];
    const dbEnv: Record<string, string> = o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {};
    // Instances on a shared database and bus get one secret and each its own data dir, as on two machines.
    const shared: Record<string, string> = o.redisUrl
      ? { GROVE_REDIS_URL: o.redisUrl, GROVE_AUTH_SECRET: randomBytes(32).toString("base64url") }
      : {};
    // One after the other: the first applies the migrations.
    for (let i = 0; i < o.instances; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env = { ...o.env, ...dbEnv, ...shared, GROVE_ADMIN_EMAIL: ADMIN.email, GROVE_ADMIN_PASSWORD: ADMIN.password };
      const child = start(
        [...WEB_NODE_ARGS, ...profileArgs(`instance-${String.fromCharCode(65 + i)}-${Date.now()}`), WEB_BUNDLE],
        path.join(REPO_ROOT, "apps/web"),
        productionWebEnv({ port, dataDir: o.redisUrl ? path.join(dataDir, `instance-${i}`) : dataDir, runnerToken: token, env }),
      );
      await waitFor(
        () =>
          fetch(`${url}/api/health`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
        () => `instance ${i} to answer:\n${output.join("")}`,
      );
      webs.push({ url, pid: child.pid ?? 0 });
    }
    const db = await createDb(o.databaseUrl ?? databaseUrlFor(dataDir));
    const home = webs.at(-1) ?? { url: "", pid: 0 };
    const browserSide = webs[0] ?? home;
    const hubArgs = webs.filter((w) => w !== home).flatMap((w) => ["--hub", w.url]);
    const runner = start(
      [
        ...runnerLaunchArgs([...profileArgs(`runner-${Date.now()}`), RUNNER_BUNDLE], {
          hubUrl: home.url,
          dataDir: path.join(dataDir, "runner"),
          repos: [repo.dir],
        }),
        ...hubArgs,
      ],
      REPO_ROOT,
      runnerLaunchEnv({ ...process.env, ...o.env }, { token }),
    );
    const runnerRow = await waitFor(
      async () => (await db.runner.findMany()).find((r) => r.repos.includes(repo.dir)),
      30_000,
      () => `the runner's hello:\n${output.join("")}`,
    );
    const cookie = await signInOverHttp(home.url, ADMIN);
    return {
      db,
      webs,
      runnerPid: runner.pid ?? 0,
      /** Where the browser is: the first instance (the runner is on the last). */
      browserSide: { url: browserSide.url, signIn: () => signInOverHttp(browserSide.url, ADMIN) },
      output: () => output.join(""),
      /** Runs started on the runner's instance. */
      async startRuns(prompts: string[]): Promise<string[]> {
        const stamp = Date.now().toString(36);
        const tasks = prompts.map((prompt, i) => ({ agent: "bench", taskId: `b${stamp}-${i}`, profile: "bench", prompt }));
        const response = await fetch(`${home.url}/api/trpc/session.start`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie, origin: home.url },
          body: JSON.stringify({ json: { runnerId: runnerRow.id, repoPath: repo.dir, tasks } }),
        });
        const body = (await response.json()) as { result?: { data: { json: { runIds: string[] } } }; error?: unknown };
        if (!body.result) throw new Error(`session.start failed: ${JSON.stringify(body.error)}`);
        return body.result.data.json.runIds;
      },
      async close() {
        await db.$disconnect();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
