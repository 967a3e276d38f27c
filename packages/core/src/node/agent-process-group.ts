import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

const POLL_MS = 25;
const AFTER_KILL_WAIT_MS = 2_000;

/** Sends a signal to every process of a group. False when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (isErrno(error, "ESRCH")) return false;
    // EPERM: a member changed user; nothing more this process can do about it.
    if (isErrno(error, "EPERM")) return false;
    throw error;
  }
}

/**
 * Whether any live (non-zombie) process is left in the group. On Linux, /proc is read so zombies
 * that an init without a reaper never collects do not count as survivors.
 */
export function isGroupAlive(pgid: number): boolean {
  if (process.platform === "linux") return listGroupMembers(pgid).length > 0;
  return signalGroup(pgid, 0);
}

/** Live (non-zombie) processes with their process group (Linux only; empty elsewhere). */
function listLiveProcesses(): { pid: number; pgid: number }[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const live: { pid: number; pgid: number }[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && fields[0] !== "X") live.push({ pid: Number(entry), pgid: Number(fields[2]) });
  }
  return live;
}

/** Live pids in a process group (Linux only; empty elsewhere). */
export function listGroupMembers(pgid: number): number[] {
  return listLiveProcesses()
    .filter((live) => live.pgid === pgid)
    .map((live) => live.pid);
}

function isRunMember(pid: number, runId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`GROVE_RUN_ID=${runId}`);
  } catch {
    return false;
  }
}

/**
 * Live members of a process group that are the given grove run's: their environment holds
 * `GROVE_RUN_ID=<runId>` (Linux only; empty elsewhere). A process group id recorded before a restart may
 * since belong to someone else; this is how to tell before signalling it.
 */
export function listRunGroupMembers(pgid: number, runId: string): number[] {
  return listGroupMembers(pgid).filter((pid) => isRunMember(pid, runId));
}

/**
 * The process groups of every live process that is the given grove run's (`GROVE_RUN_ID=<runId>` in its
 * environment), whatever group was recorded for it: a runner killed between starting an agent and recording
 * its group left no record of it (Linux only; empty elsewhere).
 */
export function listRunProcessGroups(runId: string): number[] {
  const groups = listLiveProcesses()
    .filter((live) => live.pid !== process.pid && isRunMember(live.pid, runId))
    .map((live) => live.pgid);
  return [...new Set(groups)];
}

/** SIGTERM (and SIGCONT) to the group, SIGKILL to whatever is left after `graceMs`; resolves when none is left. */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!isGroupAlive(pgid) || !signalGroup(pgid, "SIGTERM")) return;
  // A stopped process (say, one stopped for its output backlog) acts on SIGTERM only once continued.
  signalGroup(pgid, "SIGCONT");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    if (!isGroupAlive(pgid)) return;
  }
  if (!signalGroup(pgid, "SIGKILL")) return;
  const killDeadline = Date.now() + AFTER_KILL_WAIT_MS;
  while (Date.now() < killDeadline && isGroupAlive(pgid)) await delay(POLL_MS);
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}
