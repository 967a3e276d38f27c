import type { ConnectionPressure } from "./connection-pressure.ts";

export type FanoutLimits = {
  /** A browser the hub holds this much for gets no live lines: it catches up from the database. */
  behindBytes: number;
  /** A catch-up page is read for a browser only while the hub holds less than this for it. */
  resumeBytes: number;
  /**
   * All browsers together. While they hold half of it, a browser holding `resumeBytes` gets no live lines;
   * past it, the browsers holding most are disconnected (a browser resubscribes from its last line when it
   * reconnects), so a crowd of stuck viewers can neither grow the hub nor hold back the ones that read.
   */
  totalBytes: number;
  /** Log text in one message: a catch-up page's UTF-8 bytes, a live batch's parts' characters. */
  pageBytes: number;
  /** Catch-up pages read from the database at once, across all browsers: each may parse a 4 MB chunk. */
  readsAtOnce: number;
};

export const FANOUT_LIMITS: FanoutLimits = {
  behindBytes: 1024 * 1024,
  resumeBytes: 256 * 1024,
  totalBytes: 32 * 1024 * 1024,
  pageBytes: 256 * 1024,
  readsAtOnce: 2,
};

export type FanoutBudget = {
  track(pressure: ConnectionPressure): void;
  untrack(pressure: ConnectionPressure): void;
  /** Bytes the hub holds for all tracked browsers and has not handed to the kernel. */
  held(): number;
  /** Disconnects the browsers holding most until all together hold less than `totalBytes`. */
  enforce(): void;
  /** Runs a database read once fewer than `readsAtOnce` are running. */
  read<T>(run: () => Promise<T>): Promise<T>;
};

export function createFanoutBudget(limits: FanoutLimits): FanoutBudget {
  const tracked = new Set<ConnectionPressure>();
  let reading = 0;
  const queued: (() => void)[] = [];

  const held = () => {
    let total = 0;
    for (const pressure of tracked) total += pressure.bytes();
    return total;
  };

  return {
    track: (pressure) => void tracked.add(pressure),
    untrack: (pressure) => void tracked.delete(pressure),
    held,
    enforce() {
      let total = held();
      if (total < limits.totalBytes) return;
      const byHeld = [...tracked].map((pressure) => ({ pressure, bytes: pressure.bytes() })).sort((a, b) => b.bytes - a.bytes);
      for (const { pressure, bytes } of byHeld) {
        if (total < limits.totalBytes) break;
        console.warn(
          `grove: disconnected a log viewer the hub held ${mb(bytes)} for (all viewers ${mb(total)}, limit ${mb(limits.totalBytes)}); it resumes from its last line when it reconnects`,
        );
        tracked.delete(pressure);
        pressure.terminate();
        total -= bytes;
      }
    },
    async read(run) {
      // A finished read hands its slot to the next in line, so no newcomer slips in between.
      if (reading >= limits.readsAtOnce) await new Promise<void>((resolve) => queued.push(resolve));
      else reading += 1;
      try {
        return await run();
      } finally {
        const next = queued.shift();
        if (next) next();
        else reading -= 1;
      }
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
