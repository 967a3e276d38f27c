/** At most `count` holders at once; `acquire` resolves to a release, or null once `signal` aborted. */
export function createSlots(count: number) {
  let free = count;
  const queue: (() => void)[] = [];
  return {
    async acquire(signal: AbortSignal): Promise<(() => void) | null> {
      while (free === 0) {
        if (signal.aborted) return null;
        await new Promise<void>((resolve) => {
          const onAbort = () => resolve();
          signal.addEventListener("abort", onAbort, { once: true });
          queue.push(() => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          });
        });
      }
      if (signal.aborted) return null;
      free--;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        free++;
        for (const wake of queue.splice(0)) wake();
      };
    },
  };
}
