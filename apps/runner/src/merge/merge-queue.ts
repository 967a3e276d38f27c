/** One queue per (repository, integration branch): its merges run one at a time, in arrival order. */
export type MergeQueue = {
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** How many jobs are queued or running for this key. */
  size(key: string): number;
  /** Resolves once every job queued so far has settled. */
  idle(): Promise<void>;
};

export function createMergeQueue(): MergeQueue {
  const tails = new Map<string, Promise<unknown>>();
  const sizes = new Map<string, number>();
  return {
    run(key, job) {
      sizes.set(key, (sizes.get(key) ?? 0) + 1);
      const result = (tails.get(key) ?? Promise.resolve()).then(job);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        sizes.set(key, (sizes.get(key) ?? 1) - 1);
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    size: (key) => sizes.get(key) ?? 0,
    idle: async () => {
      await Promise.all([...tails.values()]);
    },
  };
}
