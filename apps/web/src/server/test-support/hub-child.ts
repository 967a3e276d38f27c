import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "@grove/testing";
import { HUB_PROCESS_BUNDLE } from "./hub-bundle.ts";

export type HubChild = { url: string; output(): string; kill(signal?: NodeJS.Signals): Promise<void> };

/**
 * Another dashboard instance in its own process (hub-process.ts: server.ts's start without Next's pages) on a
 * data dir's database and a bus, so a test can kill it -9 and nothing it held in memory is shared by accident.
 */
export async function startHubChild(o: {
  dataDir: string;
  databaseUrl?: string;
  /** The bus shared with other instances; without it the instance is alone. */
  redisUrl?: string;
  env?: Record<string, string>;
}): Promise<HubChild> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [HUB_PROCESS_BUNDLE], {
    cwd: path.dirname(fileURLToPath(import.meta.url)),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      GROVE_DATA_DIR: o.dataDir,
      ...(o.redisUrl ? { GROVE_REDIS_URL: o.redisUrl } : {}),
      ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await waitFor(
      () => output.includes("hub listening on"),
      60_000,
      () => `the instance to start:\n${output}`,
    );
  } catch (error) {
    await kill();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, output: () => output, kill };
}
