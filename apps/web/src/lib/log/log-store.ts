import type { LogLine } from "@grove/core";

export const PAGE_SIZE = 500;

/** One answer of `run.log.list`: it may stop short of `limit` at its byte bound, and says where to go on. */
export type LogPageAnswer = { lines: LogLine[]; nextAfterSeq: number | null };

/**
 * Loads store page `page` (seqs page * PAGE_SIZE + 1 … (page + 1) * PAGE_SIZE) in as many requests as
 * the server's byte bound takes: each one goes on from where the last stopped, until the page is full
 * or the log ends.
 */
export async function loadPage(
  fetchPage: (afterSeq: number, limit: number) => Promise<LogPageAnswer>,
  page: number,
  onLines: (lines: LogLine[]) => void,
): Promise<void> {
  const lastSeq = (page + 1) * PAGE_SIZE;
  let afterSeq = page * PAGE_SIZE;
  while (afterSeq < lastSeq) {
    const answer = await fetchPage(afterSeq, lastSeq - afterSeq);
    onLines(answer.lines);
    // The server always returns at least one line when there is one; no progress means the log ends here.
    if (answer.nextAfterSeq === null || answer.nextAfterSeq <= afterSeq) return;
    afterSeq = answer.nextAfterSeq;
  }
}

/**
 * The lines of one run the browser holds: pages of PAGE_SIZE lines by sequence number, at most
 * `maxPages` of them (least recently used go first, never the ones on screen), so memory stays
 * bounded however long the log grows. Row i of the view is the line with seq i + 1.
 */
export class LogStore {
  private readonly pages = new Map<number, (LogLine | undefined)[]>();
  private readonly pending = new Set<number>();
  /** The highest sequence number known to exist. */
  total = 0;
  /** Bumped on every change, for React to notice. */
  version = 0;

  constructor(private readonly maxPages = 40) {}

  static pageOf(seq: number): number {
    return Math.floor((seq - 1) / PAGE_SIZE);
  }

  get(seq: number): LogLine | undefined {
    return this.pages.get(LogStore.pageOf(seq))?.[(seq - 1) % PAGE_SIZE];
  }

  /** Stores lines (from a fetched page or the live stream); `keep` is the seq range on screen. */
  put(lines: LogLine[], keep: { from: number; to: number } = { from: this.total, to: this.total }): void {
    for (const line of lines) {
      const index = LogStore.pageOf(line.seq);
      let page = this.pages.get(index);
      if (!page) {
        page = new Array<LogLine | undefined>(PAGE_SIZE);
        this.pages.set(index, page);
      } else {
        this.pages.delete(index);
        this.pages.set(index, page);
      }
      page[(line.seq - 1) % PAGE_SIZE] = line;
      if (line.seq > this.total) this.total = line.seq;
    }
    this.evict(keep);
    this.version += 1;
  }

  /** Raises the known length without lines (the server's watermark); rows show as loading until fetched. */
  grow(total: number): void {
    if (total > this.total) {
      this.total = total;
      this.version += 1;
    }
  }

  /** Pages in [fromSeq, toSeq] that are neither held nor being fetched; marks them as being fetched. */
  claimMissing(fromSeq: number, toSeq: number): number[] {
    const missing: number[] = [];
    if (this.total === 0) return missing;
    const first = LogStore.pageOf(Math.max(1, fromSeq));
    const last = LogStore.pageOf(Math.min(this.total, Math.max(1, toSeq)));
    for (let index = first; index <= last; index++) {
      const page = this.pages.get(index);
      const isFull = page !== undefined && this.isComplete(page, index);
      if (!isFull && !this.pending.has(index)) {
        this.pending.add(index);
        missing.push(index);
      }
    }
    return missing;
  }

  release(page: number): void {
    this.pending.delete(page);
  }

  pageCount(): number {
    return this.pages.size;
  }

  private isComplete(page: (LogLine | undefined)[], index: number): boolean {
    const lastSeqInPage = Math.min(this.total, (index + 1) * PAGE_SIZE);
    for (let seq = index * PAGE_SIZE + 1; seq <= lastSeqInPage; seq++) if (!page[(seq - 1) % PAGE_SIZE]) return false;
    return true;
  }

  private evict(keep: { from: number; to: number }): void {
    if (this.pages.size <= this.maxPages) return;
    const keepFirst = LogStore.pageOf(Math.max(1, keep.from));
    const keepLast = LogStore.pageOf(Math.max(1, keep.to));
    for (const index of this.pages.keys()) {
      if (this.pages.size <= this.maxPages) break;
      if (index >= keepFirst && index <= keepLast) continue;
      this.pages.delete(index);
    }
  }
}
