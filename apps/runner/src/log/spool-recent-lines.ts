import type { Entry } from "./spool-file.ts";

// The newest appended lines stay in memory too, so shipping them needs no read back from the file.
const RECENT_MAX_BYTES = 1024 * 1024;

/** Bytes of memory shared by several spools' windows of recent lines. */
export type MemoryBudget = { used: number; readonly max: number };
export function createMemoryBudget(max: number): MemoryBudget {
  return { used: 0, max };
}

/** A spool's window of recent lines: contiguous lines ending at its last, at most RECENT_MAX_BYTES and within the shared budget. */
export type RecentLines = {
  /** Holds a line just appended (its seq follows the last one held). */
  add(entry: Entry): void;
  /** Over either bound, gives up its own oldest lines (they stay readable from the file). */
  fitBounds(): void;
  /** Forgets the lines up to `ackedSeq`. */
  dropThrough(ackedSeq: number): void;
  clear(): void;
  /** Offers the lines from `seq` on to `take` until it says no; false (and offers none) when the window does not hold `seq`. */
  offerFrom(seq: number, take: (entry: Entry) => boolean): boolean;
};

export function createRecentLines(budget: MemoryBudget = createMemoryBudget(RECENT_MAX_BYTES)): RecentLines {
  let recent: Entry[] = [];
  let recentBytes = 0;
  const dropRecent = (count: number) => {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += recent[i]?.bytes ?? 0;
    recentBytes -= bytes;
    budget.used -= bytes;
    if (count > 0) recent = recent.slice(count);
  };

  return {
    add(entry) {
      recent.push(entry);
      recentBytes += entry.bytes;
      budget.used += entry.bytes;
    },
    fitBounds() {
      let drop = 0;
      for (
        let over = Math.max(recentBytes - RECENT_MAX_BYTES, budget.used - budget.max);
        over > 0 && drop < recent.length;
        drop++
      ) {
        over -= recent[drop]?.bytes ?? 0;
      }
      dropRecent(drop);
    },
    dropThrough(ackedSeq) {
      let acked = 0;
      while (acked < recent.length && (recent[acked]?.seq ?? Infinity) <= ackedSeq) acked++;
      dropRecent(acked);
    },
    clear() {
      dropRecent(recent.length);
    },
    offerFrom(seq, take) {
      const from = seq - (recent[0]?.seq ?? Infinity);
      if (from < 0 || recent[from]?.seq !== seq) return false;
      for (let i = from; i < recent.length; i++) if (!take(recent[i] as Entry)) break;
      return true;
    },
  };
}
