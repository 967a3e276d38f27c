import { afterEach, describe, expect, it } from "vitest";
import {
  acquireQueueLease,
  databaseNowMs,
  liveQueueLeases,
  readLiveQueueLease,
  readQueueLease,
  releaseQueueLease,
} from "./queue-lease.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
async function tempDb() {
  const temp = await makeTempDb();
  cleanups.push(temp.cleanup);
  return temp.db;
}
const key = { repositoryId: "repo-0123456789", integration: "main" };
const a = { runnerId: "runner-a", instance: "pid-1" };
const b = { runnerId: "runner-b", instance: "pid-2" };

describe("queue leases (one owner per merge queue, on the database's clock)", () => {
  it("gives a free queue to its first asker at epoch 1, renews it without a new epoch, and refuses others meanwhile", async () => {
    const db = await tempDb();
    const first = await acquireQueueLease(db, key, a, 60_000);
    expect(first).toMatchObject({ kind: "held", epoch: 1, isNew: true, previous: null });
    const renewed = await acquireQueueLease(db, key, a, 60_000);
    expect(renewed).toMatchObject({ kind: "held", epoch: 1, isNew: false });
    if (first.kind !== "held" || renewed.kind !== "held") throw new Error("unreachable");
    expect(renewed.expiresAtMs).toBeGreaterThanOrEqual(first.expiresAtMs);
    // A renewal asking for less never brings the live lease's expiry forward (a release does).
    const shorter = await acquireQueueLease(db, key, a, 1_000);
    expect(shorter).toMatchObject({ kind: "held", epoch: 1, expiresAtMs: renewed.expiresAtMs });
    expect(await acquireQueueLease(db, key, b, 60_000)).toMatchObject({ kind: "taken", lease: { ...a, epoch: 1 } });
    // Another queue of the same repository is a lease of its own.
    expect(await acquireQueueLease(db, { ...key, integration: "release/1" }, b, 60_000)).toMatchObject({
      kind: "held",
      epoch: 1,
    });
    expect((await liveQueueLeases(db)).map((l) => [l.integration, l.runnerId])).toEqual([
      ["main", "runner-a"],
      ["release/1", "runner-b"],
    ]);
  });

  it("tells a holder renewing a lease that had run out (no one took it meanwhile) that it had", async () => {
    const db = await tempDb();
    const first = await acquireQueueLease(db, key, a, 1);
    if (first.kind !== "held") throw new Error("not held");
    while ((await databaseNowMs(db)) <= first.expiresAtMs) await new Promise((r) => setTimeout(r, 20));
    expect(await acquireQueueLease(db, key, a, 60_000)).toMatchObject({ kind: "held", epoch: 1, isNew: false, hadRunOut: true });
    expect(await acquireQueueLease(db, key, a, 60_000)).toMatchObject({ kind: "held", epoch: 1, hadRunOut: false });
  });

  it("lets exactly one of several runners asking at once hold it", async () => {
    const db = await tempDb();
    const holders = Array.from({ length: 6 }, (_, i) => ({ runnerId: `runner-${i}`, instance: `pid-${i}` }));
    const answers = await Promise.all(holders.map((h) => acquireQueueLease(db, key, h, 60_000)));
    expect(answers.filter((x) => x.kind === "held")).toHaveLength(1);
    const winner = holders[answers.findIndex((x) => x.kind === "held")];
    expect(await readQueueLease(db, key)).toMatchObject({ ...winner, epoch: 1 });
  });

  it("hands an expired lease to the next asker with the next epoch; the old holder is then refused", async () => {
    const db = await tempDb();
    const first = await acquireQueueLease(db, key, a, 200);
    if (first.kind !== "held") throw new Error("not held");
    // Waits on the database's own clock, the one the expiry is on.
    while ((await databaseNowMs(db)) <= first.expiresAtMs) await new Promise((r) => setTimeout(r, 20));
    expect(await liveQueueLeases(db)).toEqual([]);
    expect(await readLiveQueueLease(db, key)).toBeNull();
    expect(await readQueueLease(db, key)).toMatchObject({ ...a, epoch: 1 });
    const taken = await acquireQueueLease(db, key, b, 60_000);
    expect(taken).toMatchObject({ kind: "held", epoch: 2, isNew: true, previous: { ...a, epoch: 1 } });
    expect(await readLiveQueueLease(db, key)).toMatchObject({ ...b, epoch: 2 });
    expect(await acquireQueueLease(db, key, a, 60_000)).toMatchObject({ kind: "taken", lease: { ...b, epoch: 2 } });
  });

  it("gives a restarted runner (same id, new process) its lease at once with the next epoch; a released lease is free at once", async () => {
    const db = await tempDb();
    await acquireQueueLease(db, key, a, 60_000);
    const restarted = { ...a, instance: "pid-9" };
    expect(await acquireQueueLease(db, key, restarted, 60_000)).toMatchObject({
      kind: "held",
      epoch: 2,
      isNew: true,
      previous: a,
    });
    expect(await acquireQueueLease(db, key, b, 60_000)).toMatchObject({ kind: "taken", lease: { ...restarted, epoch: 2 } });
    expect(await releaseQueueLease(db, key, a)).toBe(false);
    expect(await releaseQueueLease(db, key, restarted)).toBe(true);
    expect(await acquireQueueLease(db, key, b, 60_000)).toMatchObject({ kind: "held", epoch: 3, isNew: true });
  });

  it("refuses bad input with a clear error and writes nothing", async () => {
    const db = await tempDb();
    await expect(acquireQueueLease(db, key, a, 0)).rejects.toThrow(/duration must be/);
    await expect(acquireQueueLease(db, { ...key, integration: "" }, a, 1000)).rejects.toThrow(/integration must be/);
    await expect(acquireQueueLease(db, key, { ...a, instance: "x".repeat(300) }, 1000)).rejects.toThrow(/instance must be/);
    expect(await readQueueLease(db, key)).toBeNull();
  });
});
