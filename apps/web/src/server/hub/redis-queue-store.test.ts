import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { startRedis, type RedisServer } from "@grove/testing";
import { createRedisQueueStore } from "./redis-queue-store.ts";
import { queueSnapshotOf } from "../test-support/queue-runner.ts";

const requests = [{ id: "mr-1", runId: "run-1", branch: "agent/demo/one" }];
const queueIn = (repoPath: string, at = 1) => queueSnapshotOf(requests, { repoPath, at });

let server: RedisServer;
let a: Redis;
let b: Redis;
beforeAll(async () => {
  server = await startRedis();
  a = new Redis(server.url);
  b = new Redis(server.url);
});
beforeEach(async () => {
  await a.flushall();
});
afterAll(async () => {
  a.disconnect();
  b.disconnect();
  await server.stop();
});

it("holds a bounded number of queues per runner and in all, whichever instance took them", async () => {
  const limits = { queuesPerRunner: 2, queues: 3 };
  const [onA, onB] = [createRedisQueueStore(a, limits), createRedisQueueStore(b, limits)];
  expect(await onA.put("r1", queueIn("/a"))).toEqual({ kind: "kept" });
  expect(await onB.put("r1", queueIn("/b"))).toEqual({ kind: "kept" });
  expect(await onA.put("r1", queueIn("/c"))).toMatchObject({
    kind: "refused",
    reason: expect.stringMatching(/at most 2/) as unknown,
  });
  expect(await onB.put("r1", queueIn("/a", 2))).toEqual({ kind: "kept" });
  expect(await onA.put("r2", queueIn("/a"))).toEqual({ kind: "kept" });
  expect(await onB.put("r3", queueIn("/a"))).toMatchObject({
    kind: "refused",
    reason: expect.stringMatching(/at most 3/) as unknown,
  });
  expect((await onB.list()).map((q) => [q.runnerId, q.snapshot.repoPath, q.snapshot.at])).toEqual([
    ["r1", "/a", 2],
    ["r1", "/b", 1],
    ["r2", "/a", 1],
  ]);
  await onA.dropRunner("r1");
  expect(await onB.put("r3", queueIn("/a"))).toEqual({ kind: "kept" });
  expect((await onA.list()).map((q) => q.runnerId)).toEqual(["r2", "r3"]);
});

it("keeps the newest snapshot of a queue across instances and forgets an emptied one", async () => {
  const [onA, onB] = [createRedisQueueStore(a), createRedisQueueStore(b)];
  await onA.put("r1", queueIn("/a", 5));
  expect(await onB.put("r1", queueIn("/a", 4))).toEqual({ kind: "stale" });
  expect((await onB.list())[0]?.snapshot.at).toBe(5);
  expect(await onB.put("r1", { ...queueIn("/a", 6), entries: [] })).toEqual({ kind: "kept" });
  expect(await onA.list()).toEqual([]);
});

it("leaves out an entry that is not a queue snapshot", async () => {
  const store = createRedisQueueStore(a);
  await store.put("r1", queueIn("/a"));
  await a.hset("grove:queues", "junk", "{not json");
  await a.hset("grove:queues", "odd", JSON.stringify({ runnerId: "r9", snapshot: { at: "x" } }));
  expect((await store.list()).map((q) => q.runnerId)).toEqual(["r1"]);
});
