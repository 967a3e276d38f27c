import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.ts";
import { startOrphanGuard, type OrphanGuard } from "./orphan-guard.ts";
import { redisServerPath } from "./service-binaries.ts";

export type RedisServer = {
  port: number;
  pid: number;
  dir: string;
  /** `redis://127.0.0.1:PORT` (no password; loopback only). */
  url: string;
  /** Stops the server and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
};

const START_ATTEMPTS = 3;
const LOG_TAIL_BYTES = 4096;
const STOP_GRACE_MS = 5_000;

/** redis-server on a free loopback port, in a temporary folder, keeping nothing on disk. */
export async function startRedis(): Promise<RedisServer> {
  const binary = redisServerPath();
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-redis-")));
  const guard = startOrphanGuard();
  guard.removeOnExit(dir);
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await startOn(binary, dir, port, guard);
      if (started.kind === "ready") return redisServer(dir, port, started.child, guard);
      if (attempt >= START_ATTEMPTS || !/already in use/i.test(started.log)) {
        throw new Error(`redis-server did not start on port ${port}: ${started.log}`);
      }
    }
  } catch (error) {
    guard.release();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

type Started = { kind: "ready"; child: ChildProcess } | { kind: "exited"; log: string };

function startOn(binary: string, dir: string, port: number, guard: OrphanGuard): Promise<Started> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  const child = spawn(binary, [...args, "--daemonize", "no", "--logfile", ""], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) guard.killOnExit(child.pid, "SIGKILL");
  let log = "";
  return new Promise((resolve) => {
    const onOutput = (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-LOG_TAIL_BYTES);
      if (log.includes("Ready to accept connections")) {
        child.off("exit", onExit);
        resolve({ kind: "ready", child });
      }
    };
    const onExit = () => {
      if (child.pid !== undefined) guard.forget(child.pid);
      resolve({ kind: "exited", log: log.trim() });
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("exit", onExit);
    child.once("error", (error) => resolve({ kind: "exited", log: String(error) }));
  });
}

function redisServer(dir: string, port: number, child: ChildProcess, guard: OrphanGuard): RedisServer {
  // A test that forgets stop() must not hang its worker on this child; the guard stops it at exit.
  child.unref();
  // Piped stdio of a child is a socket.
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
  let stopping: Promise<void> | undefined;
  return {
    port,
    pid: child.pid ?? 0,
    dir,
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        await stopChild(child);
        guard.release();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
