import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { makeTempRepo } from "@grove/core/test-support";
import { createDb, databaseUrlFor } from "@grove/db";
import { runnerLaunchArgs, runnerLaunchEnv, WEB_NODE_ARGS } from "@grove/core/launch";
import { freePort } from "./free-port.ts";
import { REPO_ROOT as repoRoot, RUNNER_BUNDLE, WEB_BUNDLE } from "./grove-entries.ts";
import { buildForProduction, productionWebEnv } from "./production-web.ts";
import { signInOverHttp } from "./sign-in-over-http.ts";
import { waitFor } from "./wait-for.ts";

const ADMIN = { email: "bench@test.local", password: "bench-password-1" };
// GROVE_BENCH_CPU_PROF=DIR: the web process and the runner write a V8 CPU profile there when they stop (as in the team bench).
const profileArgs = (name: string) => {
  const dir = process.env.GROVE_BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
};

export type ProductionStack = Awaited<ReturnType<typeof startProductionStack>>;

/**
 * grove as `pnpm start` runs it, for the bench: the built web process (Next.js, tRPC, socket.io hub) and
 * the bundled runner, each in its own process with its production flags, over a real SQLite file and a
 * real git repository. The caller talks to it over HTTP and reads the database through its own client,
 * so nothing the caller does counts against either process.
 */
export async function startProductionStack(opts: { repoFiles: Record<string, string>; env?: Record<string, string> }) {
  await buildForProduction();
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-bench-")));
  const repo = await makeTempRepo({ files: opts.repoFiles });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const token = randomBytes(24).toString("base64url");
  // The web process's, as scripts/start.ts gives it; the runner's from core's launch-env.ts, as there.
  const webEnv = productionWebEnv({
    port,
    dataDir,
    runnerToken: token,
    env: { ...opts.env, GROVE_ADMIN_EMAIL: ADMIN.email, GROVE_ADMIN_PASSWORD: ADMIN.password },
  });
  const output: string[] = [];
  const children: ChildProcess[] = [];
  const start = (args: string[], cwd: string, childEnv: NodeJS.ProcessEnv): ChildProcess => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  };

  try {
    const web = start([...WEB_NODE_ARGS, ...profileArgs("web"), WEB_BUNDLE], path.join(repoRoot, "apps/web"), webEnv);
    await waitFor(
      () =>
        fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      () => `the web process to answer:\n${output.join("")}`,
    );
    const db = await createDb(databaseUrlFor(dataDir));
    const runnerData = path.join(dataDir, "runner");
    const runner = start(
      [...profileArgs("runner"), ...runnerLaunchArgs([RUNNER_BUNDLE], { hubUrl: url, dataDir: runnerData, repos: [repo.dir] })],
      repoRoot,
      runnerLaunchEnv({ ...process.env, ...opts.env }, { token }),
    );
    const runnerRow = await waitFor(
      async () => (await db.runner.findMany()).find((r) => r.repos.includes(repo.dir)),
      30_000,
      () => `the runner's hello:\n${output.join("")}`,
    );
    const cookie = await signInOverHttp(url, ADMIN);

    return {
      db,
      url,
      repo,
      runnerId: runnerRow.id,
      webPid: web.pid ?? 0,
      runnerPid: runner.pid ?? 0,
      signIn: () => signInOverHttp(url, ADMIN),
      output: () => output.join(""),
      /** `session.start` over HTTP, as the dashboard calls it. */
      async startSession(
        tasks: { agent: string; taskId: string; profile: string; prompt: string }[],
      ): Promise<{ id: string; runIds: string[] }> {
        const response = await fetch(`${url}/api/trpc/session.start`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie, origin: url },
          body: JSON.stringify({ json: { runnerId: runnerRow.id, repoPath: repo.dir, tasks } }),
        });
        const body = (await response.json()) as {
          result?: { data: { json: { id: string; runIds: string[] } } };
          error?: unknown;
        };
        if (!response.ok || !body.result)
          throw new Error(`session.start failed (${response.status}): ${JSON.stringify(body.error)}`);
        return body.result.data.json;
      },
      async close() {
        await stop();
        await db.$disconnect();
        await repo.cleanup();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stop();
    await repo.cleanup();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
