/**
 * The hub's work that outlives the event that started it (a handler still writing when its socket goes, a
 * runner's last-seen write on disconnect): a close waits for it before the database is closed under it.
 */
export type InFlightWork = {
  /** Keeps a close waiting for `work` (until it settles or the close's budget runs out); returns `work`. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** Waits until no tracked work is left or `budgetMs` has passed; how many were still running then. */
  settle: (budgetMs: number) => Promise<number>;
};

export function createInFlightWork(): InFlightWork {
  const running = new Set<Promise<unknown>>();
  return {
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return work;
    },
    async settle(budgetMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
      let isOver = false;
      void deadline.then(() => (isOver = true));
      // Work may start more work (a batch's fan-out after its write): wait until none is left.
      while (running.size > 0 && !isOver) await Promise.race([Promise.allSettled([...running]), deadline]);
      clearTimeout(timer);
      return running.size;
    },
  };
}
