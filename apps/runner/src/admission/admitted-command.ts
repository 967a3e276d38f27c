import { CLOCK_TICKS_PER_SECOND } from "./resource-probe.ts";

/** A command the gate admitted and that has not ended: what it was expected to take, and what it takes. */
export type Held = {
  key: string;
  expectedMb: number;
  admittedAt: number;
  pgids: Set<number>;
  rssMb: number;
  peakMb: number;
  /** CPU ticks of its groups at the last reading, when, and the cores they used since the one before (null: not yet). */
  cpu: { ticks: number; at: number; busyCores: number | null } | null;
};
/** Readings closer together than this say little about a group's CPU use: the last estimate is kept. */
const CPU_WINDOW_MS = 500;

export function nextCpu(last: Held["cpu"], ticks: number, at: number): Held["cpu"] {
  if (last === null) return { ticks, at, busyCores: null };
  if (at - last.at < CPU_WINDOW_MS) return last;
  // A process that left the group takes its ticks along: never a negative use.
  const busyCores = Math.max(0, ticks - last.ticks) / CLOCK_TICKS_PER_SECOND / ((at - last.at) / 1000);
  return { ticks, at, busyCores };
}
