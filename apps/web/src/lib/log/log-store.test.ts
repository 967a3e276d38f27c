import { describe, expect, it } from "vitest";
import type { LogLine } from "@grove/core";
import { LogStore, PAGE_SIZE } from "./log-store.ts";

const line = (seq: number): LogLine => ({ seq, stream: "stdout", text: `line ${seq}`, ts: seq });

describe("LogStore", () => {
  it("holds a million streamed lines in bounded memory, keeping the pages on screen", () => {
    const store = new LogStore(20);
    const batch: LogLine[] = [];
    for (let seq = 1; seq <= 1_000_000; seq++) {
      batch.push(line(seq));
      if (batch.length === 1000) store.put(batch.splice(0), { from: 1, to: 100 });
    }
    expect(store.total).toBe(1_000_000);
    expect(store.pageCount()).toBeLessThanOrEqual(20);
    expect(store.get(1_000_000)?.text).toBe("line 1000000");
    expect(store.get(50)?.text).toBe("line 50"); // on screen, never evicted
    expect(store.get(500_000)).toBeUndefined(); // scrolled past long ago: fetched again when needed
  });

  it("claims each missing page once until it is released, and skips complete pages", () => {
    const store = new LogStore();
    store.grow(3 * PAGE_SIZE + 10);
    expect(store.claimMissing(1, 2 * PAGE_SIZE)).toEqual([0, 1]);
    expect(store.claimMissing(1, 2 * PAGE_SIZE)).toEqual([]);
    store.put(Array.from({ length: PAGE_SIZE }, (_, i) => line(i + 1)));
    store.release(0);
    store.release(1);
    expect(store.claimMissing(1, 4 * PAGE_SIZE)).toEqual([1, 2, 3]);
  });

  it("holds a line once however often and in whatever order it arrives (the hub may resend while catching up)", () => {
    const store = new LogStore(4);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
    store.put(range(1, 600));
    store.put(range(550, 700));
    store.put(range(300, 320));
    store.put([line(650), line(2), line(650)]);
    expect(store.total).toBe(700);
    expect(store.pageCount()).toBe(2);
    expect(store.get(650)?.text).toBe("line 650");
    expect(store.claimMissing(1, 700)).toEqual([]);
  });

  it("drops the oldest pages past its bound and claims them again when they scroll back into view", () => {
    const store = new LogStore(2);
    for (let first = 1; first <= 4 * PAGE_SIZE; first += PAGE_SIZE)
      store.put(Array.from({ length: PAGE_SIZE }, (_, i) => line(first + i)));
    expect(store.pageCount()).toBe(2);
    expect(store.get(1)).toBeUndefined();
    expect(store.get(4 * PAGE_SIZE)?.text).toBe(`line ${4 * PAGE_SIZE}`);
    expect(store.claimMissing(1, 2 * PAGE_SIZE)).toEqual([0, 1]);
  });

  it("treats a page with a gap as missing (a line the hub has not stored yet)", () => {
    const store = new LogStore();
    store.put([line(1), line(3)]);
    expect(store.claimMissing(1, 3)).toEqual([0]);
  });
});
