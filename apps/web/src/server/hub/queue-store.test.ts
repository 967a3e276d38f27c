import { expect, it } from "vitest";
import { createMemoryQueueStore } from "./queue-store.ts";
import { queueSnapshotOf } from "../test-support/queue-runner.ts";

const requests = [{ id: "mr-1", runId: "run-1", branch: "agent/demo/one" }];
const queueIn = (repoPath: string, at = 1) => queueSnapshotOf(requests, { repoPath, at });

it("holds a bounded number of queues per runner and in all, still taking news of the queues it holds", async () => {
  const store = createMemoryQueueStore({ queuesPerRunner: 2, queues: 3 });
  expect(await store.put("r1", queueIn("/a"))).toEqual({ kind: "kept" });
  expect(await store.put("r1", queueIn("/b"))).toEqual({ kind: "kept" });
  expect(await store.put("r1", queueIn("/c"))).toMatchObject({
    kind: "refused",
    reason: expect.stringMatching(/at most 2/) as unknown,
  });
  expect(await store.put("r1", queueIn("/a", 2))).toEqual({ kind: "kept" });
  expect(await store.put("r2", queueIn("/a"))).toEqual({ kind: "kept" });
  expect(await store.put("r3", queueIn("/a"))).toMatchObject({
    kind: "refused",
    reason: expect.stringMatching(/at most 3/) as unknown,
  });
  expect((await store.list()).map((q) => [q.runnerId, q.snapshot.repoPath, q.snapshot.at])).toEqual([
    ["r1", "/a", 2],
    ["r1", "/b", 1],
    ["r2", "/a", 1],
  ]);
  await store.dropRunner("r1");
  expect(await store.put("r3", queueIn("/a"))).toEqual({ kind: "kept" });
  expect((await store.list()).map((q) => q.runnerId)).toEqual(["r2", "r3"]);
});

it("keeps the newest snapshot of a queue and forgets an emptied one", async () => {
  const store = createMemoryQueueStore();
  await store.put("r1", queueIn("/a", 5));
  expect(await store.put("r1", queueIn("/a", 4))).toEqual({ kind: "stale" });
  expect((await store.list())[0]?.snapshot.at).toBe(5);
  expect(await store.put("r1", { ...queueIn("/a", 6), entries: [] })).toEqual({ kind: "kept" });
  expect(await store.list()).toEqual([]);
});
