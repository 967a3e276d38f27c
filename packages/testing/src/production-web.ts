import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { WEB_NODE_ARGS } from "@grove/core/launch";
import { freePort } from "./free-port.ts";
import { REPO_ROOT, WEB_BUNDLE } from "./grove-entries.ts";
import { waitFor } from "./wait-for.ts";

export type ProductionWeb = Awaited<ReturnType<typeof startProductionWeb>>;

/**
 * The built web process (Next.js, tRPC, socket.io hub) alone, started as `pnpm start` starts it: node
 * with WEB_NODE_ARGS (its heap caps), NODE_ENV=production, over its own data dir and port.
 */
export async function startProductionWeb(opts: { env?: Record<string, string>; bundle?: string } = {}) {
  const dataDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-web-")));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const runnerToken = randomBytes(24).toString("base64url");
  const env = productionWebEnv({ port, dataDir, runnerToken, env: opts.env });
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [...WEB_NODE_ARGS, opts.bundle ?? WEB_BUNDLE], {
    cwd: path.join(REPO_ROOT, "apps/web"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (isAlive()) child.kill("SIGTERM");
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () =>
        !isAlive() ||
        fetch(`${url}/api/health`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      () => `the web process to answer:\n${output.join("")}`,
    );
    if (!isAlive()) throw new Error(`the web process exited at start:\n${output.join("")}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    dataDir,
    runnerToken,
    pid: child.pid ?? 0,
    isAlive,
    exitStatus: () => child.signalCode ?? child.exitCode,
    /** The most resident memory the process has had so far (VmHWM), in MB. */
    peakRssMb: () => peakRssMb(child.pid ?? 0),
    output: () => output.join(""),
    close: stop,
  };
}

/** The web process's environment as scripts/start.ts gives it, on loopback. */
export function productionWebEnv(opts: {
  port: number;
  dataDir: string;
  runnerToken: string;
  env?: Record<string, string>;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...opts.env,
    NODE_ENV: "production" as const,
    NEXT_TELEMETRY_DISABLED: "1",
    MALLOC_ARENA_MAX: "2",
    PORT: String(opts.port),
    HOST: "127.0.0.1",
    GROVE_DATA_DIR: opts.dataDir,
    GROVE_RUNNER_TOKEN: opts.runnerToken,
  };
}

export function peakRssMb(pid: number): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** The web app (Next.js and the server bundle) and the runner bundle, as `pnpm start` builds them (cached by turbo). */
export function buildForProduction(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "pnpm",
      ["exec", "turbo", "run", "build", "--filter=@grove/web", "--filter=@grove/runner", "--output-logs=errors-only"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the build exited with ${code}`))));
  });
}
