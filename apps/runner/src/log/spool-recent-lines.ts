import type { SpoolBatch } from "./spool.ts";

// The newest appended lines stay in memory too, so shipping them needs no read back from the file.
const RECENT_MAX_BYTES = 1024 * 1024;
const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/** Bytes of memory shared by several spools' windows of recent lines. */
export type MemoryBudget = { used: number; readonly max: number };
export function createMemoryBudget(max: number): MemoryBudget {
  return { used: 0, max };
}

/**
 * One append's lines as a `run:log` batch carries them: `wire` is the rows, comma-separated, of a batch's
 * array without its brackets; row i (line firstSeq + i) ends at `ends[i]` and starts one byte past the
 * previous row's end (its comma), so any run of rows is one slice of it.
 */
export type RecentBlock = { firstSeq: number; wire: Buffer; ends: Uint32Array };

/** A spool's window of recent lines: contiguous appends ending at its last, at most RECENT_MAX_BYTES and within the shared budget. */
export type RecentLines = {
  /** Holds the lines just appended (the block's first seq follows the last one held). */
  add(block: RecentBlock): void;
  /** Over either bound, gives up its own oldest appends (they stay readable from the file). */
  fitBounds(): void;
  /** Forgets the appends whose lines are all up to `ackedSeq`. */
  dropThrough(ackedSeq: number): void;
  clear(): void;
  /**
   * The lines from `seq` on as a batch, at most `maxLines` and about `maxBytes` (always at least one line),
   * cut from the blocks without a copy per line; null when the window does not hold `seq`.
   */
  batchFrom(seq: number, maxBytes: number, maxLines: number): SpoolBatch | null;
};

const rowStart = (block: RecentBlock, row: number) => (row === 0 ? 0 : (block.ends[row - 1] ?? 0) + 1);

export function createRecentLines(budget: MemoryBudget = createMemoryBudget(RECENT_MAX_BYTES)): RecentLines {
  let blocks: RecentBlock[] = [];
  let recentBytes = 0;
  const dropOldest = (count: number) => {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += blocks[i]?.wire.length ?? 0;
    recentBytes -= bytes;
    budget.used -= bytes;
    if (count > 0) blocks = blocks.slice(count);
  };

  return {
    add(block) {
      if (block.ends.length === 0) return;
      blocks.push(block);
      recentBytes += block.wire.length;
      budget.used += block.wire.length;
    },
    fitBounds() {
      let drop = 0;
      for (
        let over = Math.max(recentBytes - RECENT_MAX_BYTES, budget.used - budget.max);
        over > 0 && drop < blocks.length;
        drop++
      ) {
        over -= blocks[drop]?.wire.length ?? 0;
      }
      dropOldest(drop);
    },
    dropThrough(ackedSeq) {
      let acked = 0;
      for (let block = blocks[0]; block && block.firstSeq + block.ends.length - 1 <= ackedSeq; block = blocks[++acked]);
      dropOldest(acked);
    },
    clear() {
      dropOldest(blocks.length);
    },
    batchFrom(seq, maxBytes, maxLines) {
      let at = blocks.findIndex((block) => seq >= block.firstSeq && seq < block.firstSeq + block.ends.length);
      if (at === -1) return null;
      const pieces: Buffer[] = [OPEN];
      let next = seq;
      let lines = 0;
      let bytes = 0;
      for (let block = blocks[at]; block && block.firstSeq <= next; block = blocks[++at]) {
        const from = next - block.firstSeq;
        let to = from;
        while (to < block.ends.length && lines < maxLines) {
          // The row and the comma after it.
          const rowBytes = (block.ends[to] ?? 0) - rowStart(block, to) + 1;
          if (lines > 0 && bytes + rowBytes > maxBytes) break;
          bytes += rowBytes;
          lines++;
          to++;
        }
        if (to === from) break;
        if (pieces.length > 1) pieces.push(COMMA);
        pieces.push(block.wire.subarray(rowStart(block, from), block.ends[to - 1]));
        next = block.firstSeq + to;
        if (to < block.ends.length) break;
      }
      pieces.push(CLOSE);
      return { firstSeq: seq, lastSeq: next - 1, body: Buffer.concat(pieces) };
    },
  };
}
