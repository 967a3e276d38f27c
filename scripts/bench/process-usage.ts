import { readFileSync } from "node:fs";

/** Peak resident memory (VmHWM) of a process so far, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

// /proc/PID/stat after the command's closing parenthesis: field 3 (state) is at index 0.
function statFields(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  } catch {
    return [];
  }
}

const ticks = (fields: string[], ...indexes: number[]) => indexes.reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) / 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  return ticks(statFields(pid), 11, 12);
}

/** CPU seconds its children that have ended (and were waited for) used: a runner's agents. */
export function endedChildrenCpuSeconds(pid: number): number {
  return ticks(statFields(pid), 13, 14);
}

/** CPU seconds of a process and all its descendants, living or ended: a server and its connections' workers. */
export function treeCpuSeconds(pid: number): number {
  let children: string[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean);
  } catch {
    children = [];
  }
  return ticks(statFields(pid), 11, 12, 13, 14) + children.reduce((sum, child) => sum + treeCpuSeconds(Number(child)), 0);
}

/** grove's process spawner among a process's children (`node -e`, process-spawner.ts), which starts git for it. */
export function spawnerPid(pid: number): number | undefined {
  let children: string[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean);
  } catch {
    return undefined;
  }
  const isSpawner = (child: string) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0")[1] === "-e";
    } catch {
      return false;
    }
  };
  const found = children.find(isSpawner);
  return found === undefined ? undefined : Number(found);
}

/** CPU seconds of a process's spawner (the runner's own work, done in a second process); 0 when it has none. */
export function spawnerCpuSeconds(pid: number): number {
  const spawner = spawnerPid(pid);
  return spawner === undefined ? 0 : cpuSeconds(spawner);
}
