import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { RUNNER_BIN, waitFor } from "@grove/testing";
import { ensureLocalRunner } from "../auth/bootstrap.ts";
import type { GroveServerOptions } from "../grove-server.ts";
import { startTestHub } from "./test-hub.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
const TOKEN = "test-runner-token-0123456789abcdef";

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** The real hub on port 0, a real SQLite file, a real git repo, and the real runner CLI as a child process. */
export async function startTestStack(
  opts: {
    repoFiles?: Record<string, string>;
    server?: Partial<GroveServerOptions>;
    /** Another runner entry point than what `pnpm grove` runs (apps/runner/bin/grove.mjs). */
    runnerBundle?: string;
  } = {},
) {
  const hub = await startTestHub(opts.server);
  const repo: TempRepo = await makeTempRepo({
    files: opts.repoFiles ?? { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' },
  });
  const runnerId = await ensureLocalRunner(hub.db, TOKEN);
  const { server } = hub;
  const runnerDataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-runner-")));
  let runner: ChildProcess | null = null;
  let runnerOutput = "";

  const startRunner = () => {
    runner = spawn(
      process.execPath,
      runnerLaunchArgs([opts.runnerBundle ?? RUNNER_BIN], {
        hubUrl: server.url,
        dataDir: runnerDataDir,
        repos: [repo.dir],
      }),
      {
        cwd: repoRoot,
        env: runnerLaunchEnv({ ...process.env, GROVE_DEMO_DELAY_MS: "5" }, { token: TOKEN }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    runner.stdout?.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
    runner.stderr?.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
  };
  startRunner();

  const stack = {
    ...hub,
    repo,
    runnerId,
    runnerDataDir,
    runnerOutput: () => runnerOutput,
    async killRunner(signal: NodeJS.Signals = "SIGKILL") {
      const child: ChildProcess | null = runner;
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill(signal);
      });
    },
    startRunner,
    async browserSocket(cookie?: string): Promise<Socket<HubToBrowserEvents, BrowserToHubEvents>> {
      const socket: Socket<HubToBrowserEvents, BrowserToHubEvents> = io(server.url, {
        path: "/socket.io/",
        extraHeaders: { cookie: cookie ?? (await hub.signIn()) },
        transports: ["websocket"],
      });
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      return socket;
    },
    async close() {
      await stack.killRunner("SIGTERM");
      await hub.close();
      await repo.cleanup();
      await rm(runnerDataDir, { recursive: true, force: true });
    },
  };
  // Online is not enough: the runner's hello (its repositories) must have been stored too.
  await waitFor(
    async () =>
      server.hub.isRunnerOnline(runnerId) &&
      (await hub.db.runner.findUnique({ where: { id: runnerId } }))?.repos.includes(repo.dir),
    30_000,
    () => `runner never connected:\n${runnerOutput}`,
  );
  return stack;
}
