import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Writable } from "node:stream";

const GUARD_SCRIPT = fileURLToPath(new URL("./orphan-guard-process.mjs", import.meta.url));

export type OrphanGuard = {
  /** Signal `pid` with `signal` if this process ends before `release()`. */
  killOnExit(pid: number, signal: NodeJS.Signals): void;
  /** `pid` exited on its own: never signal it (the number may be reused). */
  forget(pid: number): void;
  /** Remove `dir` (after the servers stopped) if this process ends before `release()`. */
  removeOnExit(dir: string): void;
  /** The servers were stopped in order: the guard exits and does nothing. */
  release(): void;
};

/**
 * A detached process (its own process group: a Ctrl-C to the test run does not stop it first) holding a pipe
 * from this one. Node closes the pipe whenever this process ends, however it ends; the guard then stops what
 * it was told about. Neither the guard nor its pipe keeps this process alive.
 */
export function startOrphanGuard(): OrphanGuard {
  const guard = spawn(process.execPath, [GUARD_SCRIPT], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  const stdin: Writable = guard.stdin;
  stdin.on("error", () => undefined);
  guard.unref();
  (stdin as Writable & { unref?: () => void }).unref?.();
  const send = (order: object) => {
    if (!stdin.destroyed) stdin.write(`${JSON.stringify(order)}\n`);
  };
  return {
    killOnExit: (pid, signal) => send({ kill: { pid, signal } }),
    forget: (pid) => send({ forget: pid }),
    removeOnExit: (dir) => send({ remove: dir }),
    release: () => {
      send({ release: true });
      stdin.end();
    },
  };
}
