import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time (clock ticks: user + system, with that of waited-for children) spent so far by the live members
 * of a process group; null where /proc cannot tell (not Linux). A group that waits on nothing but input
 * spends none: this is how grove tells "waiting" from "working quietly".
 */
export function groupCpuTicks(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  let ticks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // After the parenthesised command name: state(0) ppid(1) pgrp(2) … utime(11) stime(12) cutime(13) cstime(14).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    for (const at of [11, 12, 13, 14]) ticks += Number(fields[at] ?? 0) || 0;
  }
  return ticks;
}
