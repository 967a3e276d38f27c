import { describe, expect, it } from "vitest";
import { queueParallelOf } from "./merge-queue.ts";

describe("queue.parallel", () => {
  it("is grove.yaml's when set, else half the cores, at least 1 and at most 4", () => {
    expect(queueParallelOf({ queue: { parallel: 7 } }, 2)).toBe(7);
    expect([1, 2, 3, 4, 8, 16, 64].map((cores) => queueParallelOf({}, cores))).toEqual([1, 1, 1, 2, 4, 4, 4]);
  });
});
