import type { ResourceReading } from "@grove/core";
import { readdir, readFile } from "node:fs/promises";
import { availableParallelism, freemem, loadavg } from "node:os";

/** What admission reads of the machine: free memory and load now, and what given process groups hold. */
export type ResourceProbe = {
  read(): Promise<ResourceReading>;
  /**
   * Resident memory (MB) of the live members of each process group, and the CPU time (clock ticks, with that of
   * their waited-for children) they spent; null where /proc cannot tell.
   */
  groupUsage(pgids: readonly number[]): Promise<Map<number, GroupUsage> | null>;
};

export type GroupUsage = { rssMb: number; cpuTicks: number };

const BYTES_PER_MB = 1024 * 1024;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times, on every architecture it runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function createResourceProbe(): ResourceProbe {
  return { read: readResources, groupUsage };
}

async function readResources(): Promise<ResourceReading> {
  return { freeMemoryMb: await availableMemoryMb(), load1: loadavg()[0] ?? 0, cores: availableParallelism() };
}

/**
 * Linux's MemAvailable counts the page cache the kernel would give back; os.freemem() (MemFree) does not, and
 * would make a machine that merely read many files look full. Elsewhere os.freemem() is all there is.
 */
export async function availableMemoryMb(): Promise<number> {
  const meminfo = await readFile("/proc/meminfo", "utf8").catch(() => null);
  const kb = meminfo?.match(/^MemAvailable:\s+(\d+) kB/m)?.[1];
  return kb === undefined ? freemem() / BYTES_PER_MB : Number(kb) / 1024;
}

async function groupUsage(pgids: readonly number[]): Promise<Map<number, GroupUsage> | null> {
  const wanted = new Set(pgids);
  const usage = new Map<number, GroupUsage>(pgids.map((pgid) => [pgid, { rssMb: 0, cpuTicks: 0 }]));
  if (wanted.size === 0) return usage;
  const names = await readdir("/proc").catch(() => null);
  if (names === null) return null;
  await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => null);
        if (stat === null) return;
        // After the parenthesised command name: state(0) ppid(1) pgrp(2) … utime(11) stime(12) cutime(13) cstime(14).
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const group = usage.get(Number(fields[2]));
        if (!group) return;
        for (const at of [11, 12, 13, 14]) group.cpuTicks += Number(fields[at] ?? 0) || 0;
        const status = await readFile(`/proc/${name}/status`, "utf8").catch(() => null);
        const kb = status?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
        if (kb !== undefined) group.rssMb += Number(kb) / 1024;
      }),
  );
  return usage;
}
