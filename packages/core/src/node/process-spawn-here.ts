import { spawn, type ChildProcess } from "node:child_process";
import type { SpawnEnd, SpawnHandlers, SpawnRequest, Spawned } from "./process-spawner.ts";

/** Starts the process from this process itself (spawnProcess without a spawner in use or ready). */
export function spawnHere(request: SpawnRequest, handlers: SpawnHandlers): Spawned {
  let isEnded = false;
  const end = (result: SpawnEnd) => {
    if (isEnded) return;
    isEnded = true;
    handlers.onEnd(result);
  };
  let child: ChildProcess;
  try {
    // As ProcessEnv for Next's types, which require NODE_ENV (see the spawner's own environment above).
    const env = request.env as NodeJS.ProcessEnv;
    child = spawn(request.file, request.args, { cwd: request.cwd, env, stdio: "pipe" });
  } catch (error) {
    end({ kind: "unstartable", reason: error instanceof Error ? error.message : String(error) });
    return { kill: () => undefined };
  }
  child.on("error", (error) => {
    if (child.pid === undefined) end({ kind: "unstartable", reason: error.message });
  });
  child.stdout?.on("data", handlers.onStdout);
  child.stderr?.on("data", handlers.onStderr);
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(request.input);
  child.on("close", (code, signal) => end({ kind: "closed", code, signal }));
  return { kill: (signal) => child.kill(signal) };
}
