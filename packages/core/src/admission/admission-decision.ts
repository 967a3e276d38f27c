import type { AdmissionConfig } from "../schemas/admission-config.ts";

/** What the machine has right now: memory available to new processes, and the 1-minute load average. */
export type ResourceReading = { freeMemoryMb: number; load1: number; cores: number };

/**
 * A command admitted earlier and still going: what of its expected memory it has not taken yet, when it
 * started, and the cores its processes used lately (null: not measured yet).
 */
export type AdmittedShare = { unrealizedMb: number; admittedAt: number; busyCores: number | null };

export type AdmissionAsk = { expectedMb: number; thresholds: AdmissionConfig };

export type AdmissionDecision = { kind: "admit"; note: string | null } | { kind: "wait"; reason: string };

/**
 * The 1-minute load average follows a newly busy process with a time constant of a minute: until then, each
 * command measured busy counts as one more core fading in, so the asks after it do not pass on an old reading.
 */
const LOAD_AVERAGE_TAU_MS = 60_000;

/**
 * Whether one more command may start now. Memory already promised to admitted commands that have not grown
 * into it yet is subtracted from what is free. With nothing admitted, the command starts whatever the machine
 * says (it could otherwise wait forever on memory other programs hold), and the note says so; so does one
 * that finds the load high while grove's own commands are idle (the load is other programs', not going away).
 */
export function decideAdmission(
  reading: ResourceReading,
  admitted: readonly AdmittedShare[],
  ask: AdmissionAsk,
  now: number,
): AdmissionDecision {
  const memory = memoryReason(reading, admitted, ask);
  const cpu = memory === null ? cpuReason(reading, admitted, ask, now) : null;
  const reason = memory ?? cpu?.reason ?? null;
  if (reason === null) return { kind: "admit", note: null };
  if (admitted.length === 0) return { kind: "admit", note: startedAnyway(reason, "nothing else grove started is running") };
  // Waiting only helps when grove's own commands make the load: an agent waiting on its model uses no CPU.
  if (cpu && !cpu.isGroveBusy) return { kind: "admit", note: startedAnyway(reason, "grove's own commands are idle") };
  return { kind: "wait", reason };
}

/** "waiting for memory: 1.2 GB free, …" as what it is when the command does not wait: it starts short of it. */
function startedAnyway(reason: string, why: string): string {
  return `${reason.replace(/^waiting for (memory|CPU): /, "short of $1: ")}; not waiting: ${why}`;
}

/** A command's processes using less than this many cores are idle (waiting on the network, on input). */
const IDLE_CORES = 0.1;
/** Grove's own commands must use at least this many cores for a high load to be worth waiting for. */
const GROVE_BUSY_CORES = 0.5;

function memoryReason(reading: ResourceReading, admitted: readonly AdmittedShare[], ask: AdmissionAsk): string | null {
  const promisedMb = admitted.reduce((sum, share) => sum + Math.max(0, share.unrealizedMb), 0);
  const freeMb = reading.freeMemoryMb - promisedMb;
  const wantedMb = ask.expectedMb + ask.thresholds.minFreeMemoryMb;
  if (freeMb >= wantedMb) return null;
  const promised = promisedMb >= 1 ? `; ${formatMb(promisedMb)} more is set aside for commands still growing` : "";
  return `waiting for memory: ${formatMb(Math.max(0, freeMb))} free, ${formatMb(wantedMb)} wanted (${formatMb(ask.expectedMb)} expected + ${formatMb(ask.thresholds.minFreeMemoryMb)} kept free${promised})`;
}

function cpuReason(
  reading: ResourceReading,
  admitted: readonly AdmittedShare[],
  ask: AdmissionAsk,
  now: number,
): { reason: string; isGroveBusy: boolean } | null {
  // Only what was measured busy counts: a command not measured yet may well be an agent that will wait on
  // its model, and a burst of asks is held back by memory, which is what runs out.
  const busy = admitted.filter((share) => share.busyCores !== null && share.busyCores >= IDLE_CORES);
  const fadingIn = busy.reduce((sum, share) => sum + Math.exp(-Math.max(0, now - share.admittedAt) / LOAD_AVERAGE_TAU_MS), 0);
  const perCore = (reading.load1 + fadingIn) / Math.max(1, reading.cores);
  if (perCore <= ask.thresholds.maxLoadPerCore) return null;
  const groveCores = busy.reduce((sum, share) => sum + (share.busyCores ?? 0), 0);
  const recent = fadingIn >= 0.05 ? `, ${fadingIn.toFixed(1)} of it counted for commands just started` : "";
  return {
    reason: `waiting for CPU: load ${perCore.toFixed(2)} per core on ${reading.cores} cores${recent}, at most ${ask.thresholds.maxLoadPerCore} wanted (grove's commands use ${groveCores.toFixed(1)} cores)`,
    isGroveBusy: groveCores >= GROVE_BUSY_CORES,
  };
}

export function formatMb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}
