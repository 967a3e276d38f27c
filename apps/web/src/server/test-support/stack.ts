import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import type { BrowserToHubEvents, HubToBrowserEvents } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { makeTempDb } from "@grove/db/test-support";
import { createContextInner } from "../api/context.ts";
import { createCaller } from "../api/root.ts";
import { ensureFirstAdmin, ensureLocalRunner } from "../auth/bootstrap.ts";
import { createAuthSession, SESSION_COOKIE, toRole } from "../auth/sessions.ts";
import { startGroveServer, type GroveServer } from "../grove-server.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
const TOKEN = "test-runner-token-0123456789abcdef";

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** The real hub on port 0, a real SQLite file, a real git repo, and the real runner CLI as a child process. */
export async function startTestStack(opts: { repoFiles?: Record<string, string> } = {}) {
  const temp = await makeTempDb();
  const repo: TempRepo = await makeTempRepo({
    files: opts.repoFiles ?? { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' },
  });
  await ensureFirstAdmin(temp.db, { email: "admin@test.local", password: "admin-password-1" });
  await ensureLocalRunner(temp.db, TOKEN);
  const server: GroveServer = await startGroveServer({ db: temp.db, port: 0, host: "127.0.0.1" });
  const runnerDataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-runner-")));
  let runner: ChildProcess | null = null;
  let runnerOutput = "";

  const startRunner = () => {
    runner = spawn(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "apps/runner/src/cli.ts"), "runner", "--hub", server.url, "--token", TOKEN, "--data-dir", runnerDataDir, "--repo", repo.dir],
      { cwd: repoRoot, env: { ...process.env, GROVE_DEMO_DELAY_MS: "5" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    runner.stdout?.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
    runner.stderr?.on("data", (chunk: Buffer) => (runnerOutput += chunk.toString()));
  };
  startRunner();

  const admin = await temp.db.user.findFirstOrThrow({ where: { email: "admin@test.local" } });
  const user = { id: admin.id, email: admin.email, name: admin.name, role: toRole(admin.role) };
  const caller = createCaller(createContextInner({ ...server.deps, user }));
  const runnerId = (await temp.db.runner.findFirstOrThrow()).id;

  const stack = {
    db: temp.db,
    repo,
    server,
    caller,
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
    async browserSocket(): Promise<Socket<HubToBrowserEvents, BrowserToHubEvents>> {
      const { token } = await createAuthSession(temp.db, admin.id);
      const socket: Socket<HubToBrowserEvents, BrowserToHubEvents> = io(server.url, {
        path: "/socket.io/",
        extraHeaders: { cookie: `${SESSION_COOKIE}=${token}` },
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
      await server.close();
      await temp.cleanup();
      await repo.cleanup();
      await rm(runnerDataDir, { recursive: true, force: true });
    },
  };
  await waitFor(() => server.hub.isRunnerOnline(runnerId), 30_000, () => `runner never connected:\n${runnerOutput}`);
  return stack;
}

/** Polls a condition (no fixed sleeps): resolves as soon as it holds, fails with `describe()` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 30_000, describe: () => string = () => "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
