import { spawnSync } from "node:child_process";
import { access } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

// For tests that hold a git on a FIFO (through a hook or a helper program) and kill the process spawner under it.

/** The pids of a process's children (Linux /proc, through pgrep). */
export function childrenOf(pid: number): number[] {
  const listed = spawnSync("pgrep", ["-P", String(pid)])
    .stdout.toString()
    .trim();
  return listed === "" ? [] : listed.split("\n").map(Number);
}

export function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Polls `check` until it says yes: what it waits for is an event (a file a hook wrote), never a time. */
export async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(20);
}
