import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runnerLaunchArgs, runnerLaunchEnv } from "@grove/core/launch";
import { freePort, RUNNER_BIN, waitFor } from "@grove/testing";
import { HUB_PROCESS_BUNDLE } from "./hub-bundle.ts";

// Dashboard instances as separate processes (hub-process.ts: the web process without Next's pages) over one
// shared database, and runners as processes of the runner CLI: a kill -9 of either is real.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../..");
export const INSTANCE_ADMIN = { email: "admin@test.local", password: "admin-password-1" };

export type ChildHandle = { url: string; output: () => string; kill: (signal?: NodeJS.Signals) => Promise<void> };

function watch(child: ChildProcess): { output: () => string; kill: (signal?: NodeJS.Signals) => Promise<void> } {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => output,
    async kill(signal = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** One dashboard instance on its own port; every instance started on `dataDir` shares its database and secret. */
export async function startHubInstance(dataDir: string, env: Record<string, string | undefined> = {}): Promise<ChildHandle> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [HUB_PROCESS_BUNDLE], {
    cwd: path.join(repoRoot, "apps/web"),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GROVE_DATA_DIR: dataDir,
      GROVE_ADMIN_EMAIL: INSTANCE_ADMIN.email,
      GROVE_ADMIN_PASSWORD: INSTANCE_ADMIN.password,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const handle = { url, ...watch(child) };
  try {
    await waitFor(
      () => handle.output().includes("hub listening on") || child.exitCode !== null,
      90_000,
      () => `the hub instance on ${url} to start:\n${handle.output()}`,
    );
    if (child.exitCode !== null) throw new Error(`the hub instance on ${url} exited:\n${handle.output()}`);
  } catch (error) {
    await handle.kill();
    throw error;
  }
  return handle;
}

/** The runner CLI with every URL in `hubUrls` (`--hub` repeated), the first tried first. */
export function startRunnerProcess(o: {
  hubUrls: readonly string[];
  token: string;
  dataDir: string;
  repos: string[];
}): ChildHandle {
  const [first = "", ...others] = o.hubUrls;
  const args = [
    ...runnerLaunchArgs([RUNNER_BIN], { hubUrl: first, dataDir: o.dataDir, repos: o.repos }),
    ...others.flatMap((url) => ["--hub", url]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: runnerLaunchEnv(process.env, { token: o.token }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { url: first, ...watch(child) };
}
